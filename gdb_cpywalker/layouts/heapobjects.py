"""Structs of 2.7.18 objects whose ``__sizeof__`` reads a field nothing else decodes
(Modules/_struct.c, Modules/_io/bytesio.c), declared as data."""

from .cpython27 import PyObject_HEAD

DECLARATIONS = {
    "PyStructObject": PyObject_HEAD + (
        ("ssize", "s_size"), ("ssize", "s_len"), ("ptr", "s_codes"), ("ptr", "s_format"),
        ("ptr", "weakreflist"),
    ),
    # _struct.c's formatcode, one per item of a Struct's format: fmtdef, offset, size
    "struct_formatcode": (("ptr", "fmtdef"), ("ssize", "offset"), ("ssize", "size")),
    "bytesio": PyObject_HEAD + (
        ("ptr", "buf"), ("ssize", "pos"), ("ssize", "string_size"), ("ulong", "buf_size"),
        ("ptr", "dict"), ("ptr", "weakreflist"),
    ),
}
