"""``.eh_frame`` call frame information of one ELF file: where each function keeps its
caller's registers, as the runtime's own unwinder (libgcc) reads it.

``EhFrame(elf).row(address)`` finds the FDE covering a link-time ``address`` through the
``.eh_frame_hdr`` binary search table (``PT_GNU_EH_FRAME``; a full scan of ``.eh_frame``
when there is none), runs its CIE's and its own CFA instructions up to ``address`` and
returns the ``Row``: how to compute the CFA and each saved register. Only the FDE asked
for is decoded: a backtrace touches a few dozen of libc's thousands.
"""

import bisect
import struct
from collections import namedtuple

from .dwarf import DW_EH_PE_omit, ByteReader, CfiError

PT_GNU_EH_FRAME = 0x6474E550
#: DWARF register number of the return address column on x86-64.
RETURN_ADDRESS = 16

#: A rule: ("offset", n) saved at CFA+n, ("val_offset", n) is CFA+n, ("register", r),
#: ("expr", bytes) saved at the expression's value, ("val_expr", bytes), ("same",),
#: ("undefined",). The CFA rule is ("reg", r, offset) or ("expr", bytes).
Row = namedtuple("Row", "cfa rules return_register signal_frame start end")
Cie = namedtuple("Cie", "code_align data_align return_register fde_encoding augmented "
                        "signal_frame instructions")
Fde = namedtuple("Fde", "cie start end instructions")

#: Sanity bound on one FDE's row program: a larger one is corrupt.
MAX_INSTRUCTIONS = 100000


class EhFrame:
    """The unwind table of one ELF file (an ``target.elf.ElfFile``), decoded on demand."""

    def __init__(self, elf):
        self.elf = elf
        self._cies = {}
        self._rows = {}
        self._data = None
        self._table = None
        self._locate()

    def _locate(self):
        """Find .eh_frame (``self.base``: link-time address) and the hdr's search table."""
        elf = self.elf
        hdr = next((segment for segment in elf.segments if segment.type == PT_GNU_EH_FRAME), None)
        self._hdr = None
        self.base = None
        if hdr is not None and hdr.filesz >= 4:
            data = elf.read(hdr.offset, hdr.filesz)
            reader = ByteReader(data, 4, hdr.vaddr)
            version, frame_encoding, count_encoding, table_encoding = data[:4]
            if version == 1:
                self.base = reader.encoded(frame_encoding, data_base=hdr.vaddr)
                count = reader.encoded(count_encoding, data_base=hdr.vaddr)
                if table_encoding == 0x3B and count:  # datarel sdata4: the usual, read at once
                    size = min(count, (len(data) - reader.offset) // 8)
                    words = struct.unpack_from("<%di" % (2 * size), data, reader.offset)
                    self._table = ([hdr.vaddr + value for value in words[0::2]],
                                   [hdr.vaddr + value for value in words[1::2]])
                elif count and table_encoding != DW_EH_PE_omit:
                    starts, fdes = [], []
                    for _ in range(count):
                        starts.append(reader.encoded(table_encoding, data_base=hdr.vaddr))
                        fdes.append(reader.encoded(table_encoding, data_base=hdr.vaddr))
                    self._table = (starts, fdes)
        section = elf.section(".eh_frame")
        if section is not None and section.type != 8 and (self.base is None or self.base == section.addr):
            self.base = section.addr
            self._extent = (section.offset, section.size)
        elif self.base is not None:
            self._extent = self._segment_extent(self.base)
        else:
            self._extent = None

    def _segment_extent(self, address):
        """(file offset, size) from ``address`` to the end of its PT_LOAD's file bytes."""
        for segment in self.elf.load_segments:
            if segment.vaddr <= address < segment.vaddr + segment.filesz:
                return segment.offset + address - segment.vaddr, segment.vaddr + segment.filesz - address
        return None

    @property
    def present(self):
        return self._extent is not None

    def data(self):
        if self._data is None:
            self._data = self.elf.read(*self._extent) if self._extent else b""
        return self._data

    def fde_for(self, address):
        """The FDE whose range holds ``address`` (link-time), or None."""
        if not self.present:
            return None
        if self._table is None:
            self._table = self._scan()
        starts, fdes = self._table
        index = bisect.bisect_right(starts, address) - 1
        if index < 0:
            return None
        fde = self._fde(fdes[index] - self.base)
        if fde is None or not fde.start <= address < fde.end:
            return None
        return fde

    def _scan(self):
        """Index every FDE of .eh_frame (only when no .eh_frame_hdr table exists)."""
        data = self.data()
        entries = []
        offset = 0
        while offset + 4 <= len(data):
            length, id_offset, end = _entry_bounds(data, offset)
            if length == 0:
                break
            if struct.unpack_from("<I", data, id_offset)[0] != 0:
                fde = self._fde(offset)
                if fde is not None:
                    entries.append((fde.start, self.base + offset))
            offset = end
        entries.sort()
        return [start for start, _ in entries], [fde for _, fde in entries]

    def _fde(self, offset):
        data = self.data()
        if not 0 <= offset < len(data):
            raise CfiError("FDE pointer %#x outside .eh_frame" % (self.base + offset))
        length, id_offset, end = _entry_bounds(data, offset)
        cie_pointer = struct.unpack_from("<I", data, id_offset)[0]
        if length == 0 or cie_pointer == 0:
            return None
        cie = self._cie(id_offset - cie_pointer)
        reader = ByteReader(data, id_offset + 4, self.base)
        start = reader.encoded(cie.fde_encoding)
        size = reader.encoded(cie.fde_encoding & 0x0F)
        if cie.augmented:
            reader.take(reader.uleb())
        return Fde(cie, start, start + size, data[reader.offset:end])

    def _cie(self, offset):
        if offset not in self._cies:
            self._cies[offset] = self._parse_cie(offset)
        return self._cies[offset]

    def _parse_cie(self, offset):
        data = self.data()
        if not 0 <= offset < len(data):
            raise CfiError("CIE pointer %#x outside .eh_frame" % (self.base + offset))
        _, id_offset, end = _entry_bounds(data, offset)
        reader = ByteReader(data, id_offset + 4, self.base)
        version = reader.u8()
        augmentation = reader.cstring()
        if version == 4:
            reader.take(2)  # address size, segment selector size
        code_align = reader.uleb()
        data_align = reader.sleb()
        return_register = reader.u8() if version == 1 else reader.uleb()
        fde_encoding = 0
        signal_frame = False
        if augmentation.startswith("z"):
            length = reader.uleb()
            after = reader.offset + length
            for letter in augmentation[1:]:
                if letter == "R":
                    fde_encoding = reader.u8()
                elif letter == "P":
                    reader.encoded(reader.u8() & 0x7F)
                elif letter == "L":
                    reader.u8()
                elif letter == "S":
                    signal_frame = True
            reader.offset = after
        elif augmentation:
            raise CfiError("CIE augmentation %r is not supported" % augmentation)
        return Cie(code_align, data_align, return_register, fde_encoding,
                   augmentation.startswith("z"), signal_frame, data[reader.offset:end])

    def row(self, address):
        """The unwind ``Row`` in effect at link-time ``address``, or None without an FDE
        (remembered: threads stopped in the same places share their return addresses)."""
        if address not in self._rows:
            self._rows[address] = self._row(address)
        return self._rows[address]

    def _row(self, address):
        fde = self.fde_for(address)
        if fde is None:
            return None
        cie = fde.cie
        initial = _execute(cie, cie.instructions, fde.start, None, None, None)
        cfa, rules, start, end = _execute(cie, fde.instructions, fde.start, address, initial, fde.end)
        return Row(cfa, rules, cie.return_register, cie.signal_frame, start, end)


def _entry_bounds(data, offset):
    """(length, offset of the CIE id / CIE pointer field, end offset) of one entry."""
    if offset + 4 > len(data):
        raise CfiError("truncated .eh_frame entry at offset %#x" % offset)
    length = struct.unpack_from("<I", data, offset)[0]
    id_offset = offset + 4
    if length == 0xFFFFFFFF:
        raise CfiError("64-bit DWARF .eh_frame entries are not supported")
    end = id_offset + length
    if length and (end > len(data) or length < 4):
        raise CfiError("truncated .eh_frame entry at offset %#x" % offset)
    return length, id_offset, end


def _execute(cie, instructions, location, target, initial, end):
    """Run CFA ``instructions`` from ``location`` until the row covering ``target``.

    ``initial`` is the CIE's row ``(cfa, rules)`` (None when running the CIE itself).
    Returns ``(cfa, rules)`` for a CIE, else ``(cfa, rules, row start, row end)``.
    """
    cfa, rules = initial if initial else (None, {})
    rules = dict(rules)
    saved = []
    reader = ByteReader(instructions)
    row_start = location
    steps = 0

    def advance(delta):
        nonlocal location, row_start
        new = location + delta * cie.code_align
        if target is not None and new > target:
            return False
        location = row_start = new
        return True

    while reader.offset < len(instructions):
        steps += 1
        if steps > MAX_INSTRUCTIONS:
            raise CfiError("CFA program longer than %d instructions" % MAX_INSTRUCTIONS)
        op = reader.u8()
        high, low = op & 0xC0, op & 0x3F
        if high == 0x40:  # DW_CFA_advance_loc
            if not advance(low):
                return cfa, rules, row_start, location + low * cie.code_align
            continue
        if high == 0x80:  # DW_CFA_offset
            rules[low] = ("offset", reader.uleb() * cie.data_align)
            continue
        if high == 0xC0:  # DW_CFA_restore
            _restore(rules, initial, low)
            continue
        if op in (0x02, 0x03, 0x04):  # DW_CFA_advance_loc1/2/4
            delta = reader.unpack({0x02: "<B", 0x03: "<H", 0x04: "<I"}[op])
            if not advance(delta):
                return cfa, rules, row_start, location + delta * cie.code_align
        elif op == 0x01:  # DW_CFA_set_loc
            new = reader.encoded(cie.fde_encoding)
            if target is not None and new > target:
                return cfa, rules, row_start, new
            location = row_start = new
        elif op == 0x00 or op == 0x2E:  # DW_CFA_nop, DW_CFA_GNU_args_size
            if op == 0x2E:
                reader.uleb()
        elif op == 0x05:  # DW_CFA_offset_extended
            register = reader.uleb()
            rules[register] = ("offset", reader.uleb() * cie.data_align)
        elif op == 0x11:  # DW_CFA_offset_extended_sf
            register = reader.uleb()
            rules[register] = ("offset", reader.sleb() * cie.data_align)
        elif op == 0x2F:  # DW_CFA_GNU_negative_offset_extended
            register = reader.uleb()
            rules[register] = ("offset", -reader.uleb() * cie.data_align)
        elif op == 0x14:  # DW_CFA_val_offset
            register = reader.uleb()
            rules[register] = ("val_offset", reader.uleb() * cie.data_align)
        elif op == 0x15:  # DW_CFA_val_offset_sf
            register = reader.uleb()
            rules[register] = ("val_offset", reader.sleb() * cie.data_align)
        elif op == 0x06:  # DW_CFA_restore_extended
            _restore(rules, initial, reader.uleb())
        elif op == 0x07:  # DW_CFA_undefined
            rules[reader.uleb()] = ("undefined",)
        elif op == 0x08:  # DW_CFA_same_value
            rules[reader.uleb()] = ("same",)
        elif op == 0x09:  # DW_CFA_register
            register = reader.uleb()
            rules[register] = ("register", reader.uleb())
        elif op == 0x0A:  # DW_CFA_remember_state
            saved.append((cfa, dict(rules)))
        elif op == 0x0B:  # DW_CFA_restore_state
            if not saved:
                raise CfiError("DW_CFA_restore_state without a remembered state")
            cfa, rules = saved.pop()
        elif op == 0x0C:  # DW_CFA_def_cfa
            register = reader.uleb()
            cfa = ("reg", register, reader.uleb())
        elif op == 0x12:  # DW_CFA_def_cfa_sf
            register = reader.uleb()
            cfa = ("reg", register, reader.sleb() * cie.data_align)
        elif op == 0x0D:  # DW_CFA_def_cfa_register
            cfa = ("reg", reader.uleb(), cfa[2] if cfa and cfa[0] == "reg" else 0)
        elif op in (0x0E, 0x13):  # DW_CFA_def_cfa_offset(_sf)
            if not cfa or cfa[0] != "reg":
                raise CfiError("DW_CFA_def_cfa_offset without a register CFA")
            offset = reader.uleb() if op == 0x0E else reader.sleb() * cie.data_align
            cfa = ("reg", cfa[1], offset)
        elif op == 0x0F:  # DW_CFA_def_cfa_expression
            cfa = ("expr", reader.take(reader.uleb()))
        elif op in (0x10, 0x16):  # DW_CFA_expression, DW_CFA_val_expression
            register = reader.uleb()
            rules[register] = ("expr" if op == 0x10 else "val_expr", reader.take(reader.uleb()))
        else:
            raise CfiError("unknown CFA instruction %#x" % op)
    if initial is None:
        return cfa, rules
    return cfa, rules, row_start, end


def _restore(rules, initial, register):
    if initial and register in initial[1]:
        rules[register] = initial[1][register]
    else:
        rules.pop(register, None)
