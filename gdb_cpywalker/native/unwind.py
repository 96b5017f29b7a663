"""A native unwinder without gdb: ``.eh_frame`` CFI of each mapped ELF file applied to a
thread's registers, frame after frame, reading the stack through a ``Memory``.

``CodeMap`` says which object file (and its ``EhFrame``) holds a code address;
``unwind`` walks one thread. Callee-saved registers a frame does not save keep their
value in its caller (the x86-64 "same value" default); the others become unknown.
"""

import bisect
import struct
from collections import namedtuple

from ..errors import CpywalkerError
from .cfi import EhFrame
from .dwarf import MASK64, CfiError, evaluate
from .registers import CALLEE_SAVED, DWARF_NAMES, DWARF_NUMBERS

#: A deeper stack is cut (a corrupt one may loop through a few frames of garbage). Each
#: Python call is 2 to 6 native frames: python2.7's default recursion limit (1000) fits.
MAX_FRAMES = 8192

#: One unwound frame: ``pc``, ``sp``, ``registers`` ``{name: value}`` known in it, and
#: ``exact`` (True when ``pc`` is where it stopped, False when it is a return address).
UnwoundFrame = namedtuple("UnwoundFrame", "pc sp registers exact")
#: What a caller's registers are computed for (rip from the return address column; rsp
#: is the CFA unless a rule says otherwise, as in glibc's context-switching code).
_RESTORED = DWARF_NAMES


class CodeMap:
    """Code address -> ``(EhFrame, load bias, path)`` for a target's mapped ELF files.

    ``symbols`` is a ``target.symbols.MappedSymbols`` (regions, load biases, cached ELF
    files opened where this machine can see them).
    """

    def __init__(self, symbols):
        self.symbols = symbols
        mapped = sorted((region.start, region.end, region.path) for region in symbols.regions
                        if region.path.startswith("/"))
        self._starts = [start for start, _, _ in mapped]
        self._mapped = mapped
        self._tables = {}

    def path_at(self, address):
        """The path of the file mapped at ``address``, or None."""
        index = bisect.bisect_right(self._starts, address) - 1
        if index >= 0 and address < self._mapped[index][1]:
            return self._mapped[index][2]
        return None

    def lookup(self, address):
        """``(EhFrame or None, bias, path)`` for ``address``; None outside mapped files."""
        path = self.path_at(address)
        if path is None:
            return None
        bias = self.symbols.load_bias(path)
        if path not in self._tables:
            elf = self.symbols.elf(path)
            try:
                table = EhFrame(elf) if elf is not None else None
            except CpywalkerError:
                table = None
            self._tables[path] = table if table is not None and table.present else None
        return self._tables[path], bias, path


class _Frame:
    """Register access for the expression evaluator: DWARF numbers over a name dict."""

    def __init__(self, registers):
        self.registers = registers

    def register(self, number):
        name = DWARF_NAMES[number] if number < len(DWARF_NAMES) else None
        if name not in self.registers:
            raise CfiError("register %s is not known in this frame" % (name or number))
        return self.registers[name]


def unwind(memory, code_map, registers, limit=MAX_FRAMES):
    """``(frames, problem)``: the native frames of a thread whose registers are
    ``{name: value}`` (at least rip and rsp), innermost first; ``problem`` says why the
    walk stopped before the outermost frame (None when it reached it)."""
    frames = []
    registers = {name: value for name, value in registers.items() if name in DWARF_NUMBERS}
    exact = True
    while True:
        pc, sp = registers.get("rip"), registers.get("rsp")
        if pc is None or sp is None:
            return frames, "no instruction or stack pointer" if not frames else None
        frames.append(UnwoundFrame(pc, sp, dict(registers), exact))
        if len(frames) >= limit:
            return frames, "stopped after %d frames" % limit
        lookup = pc if exact else pc - 1
        where = code_map.lookup(lookup)
        if where is None:
            return frames, "pc %#x is not in a mapped file" % pc
        table, bias, path = where
        if table is None or bias is None:
            if code_map.symbols.elf(path) is None:
                return frames, "%s is not readable here" % path
            return frames, "no unwind information (.eh_frame) in %s" % path
        try:
            row = table.row(lookup - bias)
            if row is None:
                return frames, "no unwind information for pc %#x in %s" % (pc, path)
            caller = _caller_registers(memory, row, registers)
        except (CfiError, CpywalkerError, struct.error) as error:
            return frames, "cannot unwind pc %#x: %s" % (pc, error)
        return_address = caller.get("rip")
        if not return_address:
            return frames, None  # the outermost frame: its return address is undefined
        # a caller's stack pointer is above its callee's; equal only where the callee popped
        # its return address (vfork), and then at another pc (gdb's "identical frame" check)
        if not row.signal_frame and (caller["rsp"] < sp or (caller["rsp"] == sp and return_address == pc)):
            return frames, "corrupt stack: the caller's stack pointer %#x is not above %#x" % (
                caller["rsp"], sp)
        registers = caller
        exact = row.signal_frame


def _caller_registers(memory, row, registers):
    """The registers of the caller of the frame whose ``row`` and ``registers`` are given."""
    frame = _Frame(registers)

    def read_word(address):
        return memory.u64(address)

    if row.cfa[0] == "reg":
        cfa = (frame.register(row.cfa[1]) + row.cfa[2]) & MASK64
    else:
        cfa = evaluate(row.cfa[1], frame.register, read_word)
    caller = {}
    for name in _RESTORED:
        rule = row.rules.get(row.return_register if name == "rip" else DWARF_NUMBERS[name])
        if rule is None:
            if name in CALLEE_SAVED and name in registers:
                caller[name] = registers[name]
            continue
        kind = rule[0]
        if kind == "offset":
            caller[name] = read_word((cfa + rule[1]) & MASK64)
        elif kind == "val_offset":
            caller[name] = (cfa + rule[1]) & MASK64
        elif kind == "register":
            try:
                caller[name] = frame.register(rule[1])
            except CfiError:
                if name == "rip":  # vfork keeps its return address in rdi: unknown, not undefined
                    raise
        elif kind == "same" and name in registers:
            caller[name] = registers[name]
        elif kind in ("expr", "val_expr"):
            value = evaluate(rule[1], frame.register, read_word, (cfa,))
            caller[name] = read_word(value) if kind == "expr" else value
    caller.setdefault("rsp", cfa)
    return caller
