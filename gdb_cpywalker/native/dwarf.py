"""DWARF primitives the unwinder needs: LEB128 and ``DW_EH_PE`` pointers, and location
expressions (the stack machine of DWARF 5 section 2.5) as ``.eh_frame`` CFI uses them.

Everything reads from a ``bytes`` object at an offset; a read past its end is a
``CfiError``, never an IndexError. Addresses in the table are link-time addresses.
"""

import struct

from ..errors import CpywalkerError

# DW_EH_PE_*: the low nibble says how a pointer is stored, bits 4-6 what it is relative to.
DW_EH_PE_omit = 0xFF
DW_EH_PE_indirect = 0x80
_PE_FORMATS = {0x00: "<Q", 0x02: "<H", 0x03: "<I", 0x04: "<Q", 0x0A: "<h", 0x0B: "<i", 0x0C: "<q"}
DW_EH_PE_uleb128, DW_EH_PE_sleb128 = 0x01, 0x09
DW_EH_PE_pcrel, DW_EH_PE_textrel, DW_EH_PE_datarel, DW_EH_PE_funcrel = 0x10, 0x20, 0x30, 0x40
DW_EH_PE_aligned = 0x50

MASK64 = (1 << 64) - 1
#: A CFI expression longer than this many operations is refused (a loop through DW_OP_skip).
MAX_OPERATIONS = 1000


class CfiError(CpywalkerError):
    """Call frame information that cannot be decoded or evaluated."""


class ByteReader:
    """Sequential reads from ``data`` starting at ``offset``; ``base`` is the link-time
    address of ``data[0]`` (for pc-relative pointers)."""

    def __init__(self, data, offset=0, base=0):
        self.data = data
        self.offset = offset
        self.base = base

    def take(self, size):
        start = self.offset
        if size < 0 or start + size > len(self.data):
            raise CfiError("truncated call frame information at %#x" % (self.base + start))
        self.offset += size
        return self.data[start:start + size]

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def u8(self):
        return self.take(1)[0]

    def _leb128(self):
        """``(value, bits, last byte)`` of a LEB128 number, its sign not applied."""
        value = shift = 0
        while True:
            byte = self.u8()
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value, shift, byte

    def uleb(self):
        return self._leb128()[0]

    def sleb(self):
        value, bits, last = self._leb128()
        return value - (1 << bits) if last & 0x40 else value

    def cstring(self):
        end = self.data.find(b"\0", self.offset)
        if end < 0:
            raise CfiError("unterminated string at %#x" % (self.base + self.offset))
        text = self.data[self.offset:end]
        self.offset = end + 1
        return text.decode("ascii", "replace")

    def encoded(self, encoding, data_base=0, func_base=0):
        """A pointer stored with ``DW_EH_PE`` ``encoding`` (None for ``omit``); indirect
        pointers are refused (they need the target's memory and never occur in CFI tables
        of x86-64 code, only for personality routines that the unwinder skips)."""
        if encoding == DW_EH_PE_omit:
            return None
        here = self.base + self.offset
        fmt = encoding & 0x0F
        if fmt == DW_EH_PE_uleb128:
            value = self.uleb()
        elif fmt == DW_EH_PE_sleb128:
            value = self.sleb()
        elif fmt in _PE_FORMATS:
            value = self.unpack(_PE_FORMATS[fmt])
        else:
            raise CfiError("unknown pointer encoding %#x" % encoding)
        relative = encoding & 0x70
        if relative == DW_EH_PE_pcrel:
            value += here
        elif relative == DW_EH_PE_datarel:
            value += data_base
        elif relative == DW_EH_PE_funcrel:
            value += func_base
        elif relative not in (0, DW_EH_PE_aligned, DW_EH_PE_textrel):
            raise CfiError("unknown pointer application %#x" % encoding)
        return value & MASK64


def _signed(value):
    value &= MASK64
    return value - (1 << 64) if value >> 63 else value


_BINARY = {
    0x1A: lambda a, b: a & b, 0x1C: lambda a, b: a - b, 0x1E: lambda a, b: a * b,
    0x21: lambda a, b: a | b, 0x22: lambda a, b: a + b, 0x24: lambda a, b: a << (b & 63),
    0x25: lambda a, b: (a & MASK64) >> (b & 63), 0x26: lambda a, b: _signed(a) >> (b & 63),
    0x27: lambda a, b: a ^ b,
    0x29: lambda a, b: int(_signed(a) == _signed(b)), 0x2A: lambda a, b: int(_signed(a) >= _signed(b)),
    0x2B: lambda a, b: int(_signed(a) > _signed(b)), 0x2C: lambda a, b: int(_signed(a) <= _signed(b)),
    0x2D: lambda a, b: int(_signed(a) < _signed(b)), 0x2E: lambda a, b: int(_signed(a) != _signed(b)),
}
_CONSTANTS = {0x08: "<B", 0x09: "<b", 0x0A: "<H", 0x0B: "<h", 0x0C: "<I", 0x0D: "<i",
              0x0E: "<Q", 0x0F: "<q"}


def evaluate(expression, register, read_word, initial=()):
    """The value a DWARF location expression leaves on top of its stack.

    ``register(n)`` gives DWARF register ``n`` of the frame being unwound (CfiError when
    unknown), ``read_word(address)`` a 64-bit word of the target; ``initial`` is pushed
    first (the CFA, for ``DW_CFA_expression``). Only what CFI may use is supported.
    """
    stack = list(initial)
    reader = ByteReader(expression)
    operations = 0

    def pop():
        if not stack:
            raise CfiError("DWARF expression pops an empty stack")
        return stack.pop()

    while reader.offset < len(expression):
        operations += 1
        if operations > MAX_OPERATIONS:
            raise CfiError("DWARF expression runs longer than %d operations" % MAX_OPERATIONS)
        op = reader.u8()
        if 0x30 <= op <= 0x4F:  # DW_OP_lit0..31
            stack.append(op - 0x30)
        elif 0x70 <= op <= 0x8F:  # DW_OP_breg0..31
            stack.append(register(op - 0x70) + reader.sleb())
        elif op == 0x92:  # DW_OP_bregx
            number = reader.uleb()
            stack.append(register(number) + reader.sleb())
        elif op in _CONSTANTS:
            stack.append(reader.unpack(_CONSTANTS[op]))
        elif op == 0x10:  # DW_OP_constu
            stack.append(reader.uleb())
        elif op == 0x11:  # DW_OP_consts
            stack.append(reader.sleb())
        elif op == 0x03:  # DW_OP_addr
            stack.append(reader.unpack("<Q"))
        elif op == 0x06:  # DW_OP_deref
            stack.append(read_word(pop() & MASK64))
        elif op == 0x94:  # DW_OP_deref_size
            size = reader.u8()
            stack.append(read_word(pop() & MASK64) & ((1 << (8 * min(size, 8))) - 1))
        elif op == 0x12:  # DW_OP_dup
            value = pop()
            stack += [value, value]
        elif op == 0x13:  # DW_OP_drop
            pop()
        elif op == 0x14:  # DW_OP_over
            if len(stack) < 2:
                raise CfiError("DW_OP_over needs two values")
            stack.append(stack[-2])
        elif op == 0x15:  # DW_OP_pick
            index = reader.u8()
            if index >= len(stack):
                raise CfiError("DW_OP_pick %d beyond the stack" % index)
            stack.append(stack[-1 - index])
        elif op == 0x16:  # DW_OP_swap
            b, a = pop(), pop()
            stack += [b, a]
        elif op == 0x17:  # DW_OP_rot
            c, b, a = pop(), pop(), pop()
            stack += [c, a, b]
        elif op == 0x19:  # DW_OP_abs
            stack.append(abs(_signed(pop())))
        elif op == 0x1F:  # DW_OP_neg
            stack.append(-_signed(pop()))
        elif op == 0x20:  # DW_OP_not
            stack.append(~pop())
        elif op == 0x23:  # DW_OP_plus_uconst
            stack.append(pop() + reader.uleb())
        elif op in _BINARY:
            b, a = pop(), pop()
            stack.append(_BINARY[op](a, b))
        elif op in (0x1B, 0x1D):  # DW_OP_div, DW_OP_mod
            b, a = _signed(pop()), _signed(pop())
            if b == 0:
                raise CfiError("DWARF expression divides by zero")
            stack.append(int(a / b) if op == 0x1B else a % b)
        elif op == 0x2F:  # DW_OP_skip
            reader.offset += reader.unpack("<h")
        elif op == 0x28:  # DW_OP_bra
            offset = reader.unpack("<h")
            if pop() & MASK64:
                reader.offset += offset
        elif op == 0x96:  # DW_OP_nop
            pass
        else:
            raise CfiError("DWARF operation %#x is not supported in CFI" % op)
        if not 0 <= reader.offset <= len(expression):
            raise CfiError("DWARF expression branches outside itself")
        if stack:
            stack[-1] &= MASK64
    return pop()
