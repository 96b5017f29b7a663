"""C data models and the struct-table compiler: declarations in, field offsets out.

A struct is declared once as a tuple of ``(ctype, field_name)`` pairs; ``compile_struct``
lays it out with the C alignment rules of a ``DataModel`` (pointer size, unicode
width). ``ctype`` is one of the names in ``DataModel.ctype_size`` optionally followed by
``[N]`` for an inline array.
"""

import re
import struct
from collections import namedtuple

_ARRAY = re.compile(r"^(\w+)\[(\d+)\]$")


class DataModel(namedtuple("DataModel", "pointer_size unicode_width")):
    """What varies between CPython 2.7 builds: LP64 vs ILP32, UCS2 vs UCS4."""

    def ctype_size(self, ctype):
        p = self.pointer_size
        return {
            "char": 1, "uchar": 1, "short": 2, "int": 4, "uint": 4,
            "long": p, "ulong": p, "ssize": p, "ptr": p, "double": 8,
            "unicode": self.unicode_width, "digit": 4 if p == 8 else 2,
        }[ctype]

    def ctype_align(self, ctype):
        if ctype == "double" and self.pointer_size == 4:
            return 4  # i386 System V aligns doubles in structs to 4
        return self.ctype_size(ctype)

    def ctype_format(self, ctype):
        """struct-module code of one scalar of ``ctype`` (little endian, no padding)."""
        size = self.ctype_size(ctype)
        if ctype == "double":
            return "d"
        signed = ctype in ("char", "short", "int", "long", "ssize")
        return {1: "bB", 2: "hH", 4: "iI", 8: "qQ"}[size][0 if signed else 1]



class CompiledStruct:
    """Offsets of one struct under one data model.

    ``s.ob_type`` is the offset of field ``ob_type``; ``s.size`` is ``sizeof``;
    ``s.unpack_from(buffer, offset)`` returns every scalar field at once, in order.
    """

    def __init__(self, name, fields, model):
        self.name = name
        self.model = model
        self.fields = []
        offset = 0
        max_align = 1
        codes = []
        for ctype, field_name in fields:
            match = _ARRAY.match(ctype)
            base, count = (match.group(1), int(match.group(2))) if match else (ctype, None)
            align = model.ctype_align(base)
            max_align = max(max_align, align)
            padding = -offset % align
            if padding:
                codes.append("%dx" % padding)
            offset += padding
            setattr(self, field_name, offset)
            self.fields.append(field_name)
            width = model.ctype_size(base) * (count or 1)
            codes.append("%ds" % width if count is not None else model.ctype_format(base))
            offset += width
        self.size = offset + (-offset % max_align)
        self._struct = struct.Struct("<" + "".join(codes))
        self.unpacked_size = self._struct.size

    def unpack_from(self, buffer, offset=0):
        return self._struct.unpack_from(buffer, offset)

    def __repr__(self):
        return "<struct %s: %d bytes>" % (self.name, self.size)


class Layout:
    """Every declared struct compiled for one model: ``layout.PyStringObject.ob_sval``."""

    def __init__(self, declarations, model):
        self.model = model
        for name, fields in declarations.items():
            setattr(self, name, CompiledStruct(name, fields, model))
