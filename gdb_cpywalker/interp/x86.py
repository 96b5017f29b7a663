"""Just enough x86-64 decoding to follow ``PyInterpreterState_Head``'s load of ``interp_head``.

The function is ``mov interp_head(%rip), %rax; ret``: REX.W 8B /r with ModRM mod=00
rm=101 (RIP-relative). A PIC build that goes through the GOT adds ``mov (%rax), %rax``.
"""

import struct

from ..errors import DecodeError

ENDBR64 = b"\xf3\x0f\x1e\xfa"
#: ``mov (%rax), %rax``: the second load when the first one read a GOT slot.
MOV_RAX_FROM_RAX = b"\x48\x8b\x00"
#: Bytes to read at a function's start to decode its first two loads.
CODE_WINDOW = 32


def rip_relative_load(code, address):
    """``(slot, through_got)`` for a function starting with ``mov disp32(%rip), %reg64``.

    ``code`` are the function's first bytes, ``address`` where they are. ``slot`` is the
    address the instruction loads from; ``through_got`` is True when the next instruction
    dereferences the loaded value again (``slot`` is then a GOT entry).
    """
    offset = len(ENDBR64) if code.startswith(ENDBR64) else 0
    if len(code) < offset + 7:
        raise DecodeError(address, "function too short to hold a RIP-relative load")
    rex, opcode, modrm = code[offset], code[offset + 1], code[offset + 2]
    if rex & 0xF8 != 0x48 or opcode != 0x8B or modrm & 0xC7 != 0x05:
        raise DecodeError(address + offset, "not a 'mov disp32(%%rip), %%r64' (bytes %s)"
                          % code[offset:offset + 7].hex(" "))
    (displacement,) = struct.unpack_from("<i", code, offset + 3)
    end = offset + 7
    slot = address + end + displacement
    through_got = code[end:end + 3] == MOV_RAX_FROM_RAX and modrm == 0x05 and rex == 0x48
    return slot, through_got
