"""Finding the ``PyInterpreterState``: by debug symbol, by exported code, or by a validated scan.

``interp_head`` (static in Python/pystate.c) is only named in a symbol table that strip
removes. ``PyInterpreterState_Head`` is exported and its code loads ``interp_head``
RIP-relatively, so decoding it gives the variable's address. Without either, the
interpreter's object file's .data/.bss is scanned for a pointer to a structure that
passes ``is_interpreter``. ``_PyThreadState_Current`` is not a way in: it is NULL
whenever the GIL is released.
"""

import struct
from collections import namedtuple

from ..errors import CpywalkerError, DecodeError, MemoryReadError, TargetError
from .objects import StateReader
from .x86 import CODE_WINDOW, rip_relative_load

#: Lookup paths in the order ``auto`` tries them.
METHODS = ("symbol", "exported", "scan")
SCANNED_SECTIONS = (".data", ".bss")

Interpreter = namedtuple("Interpreter", "address method")


class LookupFailed(CpywalkerError):
    """One lookup path did not find the interpreter (the message says why)."""


def find_interpreter(memory, symbols, layout, method="auto"):
    """The ``Interpreter(address, method)`` of the target; ``method`` forces one path."""
    if method != "auto" and method not in METHODS:
        raise TargetError("unknown interpreter lookup %r (choose from auto, %s)"
                          % (method, ", ".join(METHODS)))
    reader = StateReader(memory, layout)
    reasons = []
    for name in METHODS if method == "auto" else (method,):
        try:
            return Interpreter(_LOOKUPS[name](reader, symbols), name)
        except (LookupFailed, MemoryReadError, DecodeError) as error:
            reasons.append("%s: %s" % (name, error))
    raise TargetError("no Python interpreter found (%s)" % "; ".join(reasons))


def by_debug_symbol(reader, symbols):
    slot = symbols.address("interp_head")
    if slot is None:
        raise LookupFailed("no symbol interp_head (no debug symbols)")
    return _validated(reader, reader.word(slot), "interp_head")


def by_exported_function(reader, symbols):
    return _validated(reader, reader.word(_exported_slot(reader, symbols)),
                      "the slot PyInterpreterState_Head loads")


def _exported_slot(reader, symbols):
    function = symbols.address("PyInterpreterState_Head")
    if function is None:
        raise LookupFailed("PyInterpreterState_Head is not exported")
    slot, through_got = rip_relative_load(reader.cache.read_partial(function, CODE_WINDOW), function)
    return reader.word(slot) if through_got else slot


def interpreter_slot(reader, symbols):
    """The address of ``interp_head``, the word that holds the interpreter (NULL before
    Py_Initialize and after Py_Finalize): by debug symbol, else the slot
    PyInterpreterState_Head loads; None when neither says (a scan needs a live interpreter)."""
    slot = symbols.address("interp_head")
    if slot is not None:
        return slot
    try:
        return _exported_slot(reader, symbols)
    except (LookupFailed, MemoryReadError, DecodeError):
        return None


def by_scan(reader, symbols):
    objfile = symbols.libpython()
    if objfile is None:
        raise LookupFailed("no object file holds the interpreter")
    ranges = [symbols.section(objfile[0], name) for name in SCANNED_SECTIONS]
    ranges = [entry for entry in ranges if entry]
    if not ranges:
        raise LookupFailed("%s has no .data/.bss section" % objfile[0])
    return scan_for_interpreter(reader, ranges)


def scan_for_interpreter(reader, ranges):
    """The interpreter a pointer-aligned word in ``ranges`` points to (the list's head).

    Several slots point to the interpreter (``interp_head``, ``autoInterpreterState``);
    with sub-interpreters, the head is the one no other interpreter's ``next`` names.
    """
    found = []
    seen = set()
    for start, end in ranges:
        data = reader.cache.read_partial(start, end - start)
        for (value,) in struct.iter_unpack("<Q", data[:len(data) // 8 * 8]):
            if value in seen or not value or value % 8:
                continue
            seen.add(value)
            if is_interpreter(reader, value):
                found.append(value)
    if not found:
        raise LookupFailed("no pointer in %s points to an interpreter state"
                           % ", ".join("%#x-%#x" % entry for entry in ranges))
    nexts = {reader.word(address + reader.layout.PyInterpreterState.next) for address in found}
    heads = [address for address in found if address not in nexts]
    return (heads or found)[0]


def is_interpreter(reader, address):
    """True when ``address`` holds a PyInterpreterState: its first thread state's ``interp``
    points back to it and ``modules``, ``sysdict`` and ``builtins`` are dicts."""
    try:
        fields = reader.fields(reader.layout.PyInterpreterState, address)
        tstate = fields["tstate_head"]
        if not tstate or tstate % 8:
            return False
        if reader.word(tstate + reader.layout.PyThreadState.interp) != address:
            return False
        return all(reader.is_exact(fields[name], "dict") for name in ("modules", "sysdict", "builtins"))
    except (MemoryReadError, DecodeError):
        return False


def _validated(reader, address, source):
    if not address:
        raise LookupFailed("%s is NULL (interpreter not initialized or finalized)" % source)
    if not is_interpreter(reader, address):
        raise LookupFailed("%s points to %#x, which is not an interpreter state" % (source, address))
    return address


def gil_holder(memory, symbols):
    """The thread state holding the GIL (``_PyThreadState_Current``): None when released
    or unknown."""
    slot = symbols.address("_PyThreadState_Current")
    if slot is None:
        return None
    try:
        return memory.pointer(slot) or None
    except MemoryReadError:
        return None


_LOOKUPS = {"symbol": by_debug_symbol, "exported": by_exported_function, "scan": by_scan}
