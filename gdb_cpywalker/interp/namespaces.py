"""A frame's names: locals (fast locals, cells and free variables, or the f_locals dict),
globals and builtins, and ``lookup`` in that order, as the LOAD_NAME opcode does."""

from collections import namedtuple


#: co_flags bits (Include/code.h).
CO_OPTIMIZED = 0x1
CO_NEWLOCALS = 0x2

#: ``kind``: "local", "cell" (a local captured by an inner function), "free" (captured
#: from an outer one) or "global"/"builtin" for ``lookup`` results.
Name = namedtuple("Name", "name address kind")


def frame_locals(reader, frame):
    """The frame's bound local names as ``Name``s (unbound fast locals are left out)."""
    flags = frame.code_fields["co_flags"]
    if flags & CO_OPTIMIZED and flags & CO_NEWLOCALS:
        return _fast_locals(reader, frame)
    if not frame.locals:
        return []
    return [Name(name, address, "local") for name, address in reader.str_keyed(frame.locals).items()]


def is_module_frame(frame):
    """A module body runs with its globals as its locals."""
    return frame.locals and frame.locals == frame.globals


def frame_globals(reader, frame):
    return [Name(name, address, "global") for name, address in reader.str_keyed(frame.globals).items()]


def lookup(reader, frame, name):
    """The ``Name`` that ``name`` means in ``frame``: local, then global, then builtin; or None.

    A module body's locals are its globals: its names are reported as globals.
    """
    for found in [] if is_module_frame(frame) else frame_locals(reader, frame):
        if found.name == name:
            return found
    for kind, table in (("global", frame.globals), ("builtin", frame.builtins)):
        address = reader.str_keyed(table).get(name) if table else None
        if address:
            return Name(name, address, kind)
    return None


def _fast_locals(reader, frame):
    code = frame.code_fields
    groups = [("local", reader.tuple_items(code["co_varnames"])[:code["co_nlocals"]]),
              ("cell", reader.tuple_items(code["co_cellvars"])),
              ("free", reader.tuple_items(code["co_freevars"]))]
    count = sum(len(names) for _, names in groups)
    slots = iter(reader.words(frame.address + reader.layout.PyFrameObject.f_localsplus, count))
    out = []
    for kind, names in groups:
        for name_address in names:
            address = next(slots)
            if address and kind != "local":
                address = reader.cell_contents(address)
            if address:
                out.append(Name(reader.string(name_address), address, kind))
    return out

