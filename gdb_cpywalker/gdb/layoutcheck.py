"""Cross-check the layout tables against the target's DWARF (when it has some) and warn once.

Each compiled struct is compared with ``gdb.lookup_type(name)``: the offset (``bitpos // 8``)
of every field both know (tables may group C fields under one name) and ``sizeof``. A stripped target has no types: nothing to do.
"""

import gdb

from ..layouts.model import CompiledStruct

_checked = set()


def layout_mismatches(layout):
    """Human-readable differences between ``layout`` and gdb's types; [] when none or no DWARF."""
    mismatches = []
    for name, compiled in sorted(vars(layout).items()):
        if not isinstance(compiled, CompiledStruct):
            continue
        gdb_type = _lookup(name)
        if gdb_type is None:
            continue
        offsets = _field_offsets(gdb_type)
        for field_name in compiled.fields:
            ours = getattr(compiled, field_name)
            theirs = offsets.get(field_name)
            if theirs is not None and theirs != ours:
                mismatches.append("%s.%s: offset %d, debug info says %d"
                                  % (name, field_name, ours, theirs))
        if gdb_type.sizeof != compiled.size:
            mismatches.append("sizeof(%s): %d, debug info says %d"
                              % (name, compiled.size, gdb_type.sizeof))
    return mismatches


def warn_on_mismatch(layout):
    """Check ``layout`` once per program and layout; print one warning listing the differences."""
    key = (gdb.current_progspace().filename, layout.model)
    if key in _checked:
        return
    _checked.add(key)
    mismatches = layout_mismatches(layout)
    if mismatches:
        gdb.write("warning: gdb-cpywalker layout differs from the target's debug info: %s\n"
                  % "; ".join(mismatches), gdb.STDERR)


def _field_offsets(gdb_type, base=0, offsets=None):
    """{field name: offset}, nested structs flattened (``Py_complex cval`` gives ``real``)."""
    offsets = {} if offsets is None else offsets
    for field in gdb_type.fields():
        if not field.name or not hasattr(field, "bitpos"):
            continue
        offset = base + field.bitpos // 8
        offsets.setdefault(field.name, offset)
        field_type = field.type.strip_typedefs()
        if field_type.code == gdb.TYPE_CODE_STRUCT:
            _field_offsets(field_type, offset, offsets)
    return offsets


def _lookup(name):
    """The struct type called ``name`` (a typedef or a struct tag), or None (also for a
    same-named non-struct, such as gdb's own ``block``)."""
    for spelling in (name, "struct " + name):
        try:
            found = gdb.lookup_type(spelling).strip_typedefs()
        except gdb.error:
            continue
        if found.code == gdb.TYPE_CODE_STRUCT:
            return found
    return None
