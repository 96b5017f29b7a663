"""A gdb pretty-printer: pointers to CPython objects print as their address and short repr.

Any pointer whose pointee is an object struct (``PyObject *``, ``PyStringObject *``,
``PyTypeObject *``, ...: a struct that starts with ``ob_refcnt``, directly or through
its first member) shows as ``0x7f3a1c2b8d70 'hello'``. Needs the types, so debug info.
Strings are cut at ``set cpywalker max-string`` and the repr at MAX_CHARS.
"""

import gdb

from ..decode import Budgets, repr_at
from ..errors import CpywalkerError
from . import parameters
from .memory import open_memory
from .symbols import current_python, open_python

#: Longest repr the printer shows; longer ones end in "...".
MAX_CHARS = 200


class PyObjectPointerPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        address = int(self.value.cast(gdb.lookup_type("unsigned long")))
        if not address:
            return "0x0"
        try:
            memory, layout = open_python()
            text = repr_at(memory, address, max_chars=MAX_CHARS, layout=layout,
                           budgets=Budgets(max_string=parameters.limit("max-string")))
        except (CpywalkerError, gdb.error) as error:
            text = "<%s>" % error
        return "%#x %s" % (address, text)


def _is_object_struct(struct_type, depth=0):
    fields = struct_type.fields() if struct_type.code == gdb.TYPE_CODE_STRUCT else ()
    if not fields:
        return False
    if fields[0].name == "ob_refcnt":
        return True
    return depth < 2 and _is_object_struct(fields[0].type.strip_typedefs(), depth + 1)


def lookup(value):
    """gdb's pretty-printer lookup: our printer for pointers to object structs of a CPython
    2.7 target, else None (gdb prints as usual: a Python 3 target keeps its own printers)."""
    value_type = value.type.strip_typedefs()
    if value_type.code != gdb.TYPE_CODE_PTR:
        return None
    try:
        if _is_object_struct(value_type.target().strip_typedefs()) and _is_python27():
            return PyObjectPointerPrinter(value)
    except gdb.error:
        pass
    return None


def _is_python27():
    try:
        current_python(open_memory(parameters.memory_kind()))
    except CpywalkerError:
        return False
    return True


def register_printer():
    """Install the printer as ``cpywalker`` (``disable pretty-printer global cpywalker``)."""
    lookup.name = "cpywalker"
    gdb.pretty_printers.append(lookup)
