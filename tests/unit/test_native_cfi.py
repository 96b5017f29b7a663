"""The CFI reader and unwinder: DWARF primitives on literal bytes, every FDE of this
machine's libc against readelf's own decoding, and an unwind over a synthetic stack."""

import re
import struct
import subprocess

import pytest

from gdb_cpywalker.memory.image import ImageMemory
from gdb_cpywalker.native.cfi import EhFrame
from gdb_cpywalker.native.dwarf import ByteReader, CfiError, evaluate
from gdb_cpywalker.native.registers import DWARF_NAMES
from gdb_cpywalker.native.unwind import CodeMap, unwind
from gdb_cpywalker.procfs import Region
from gdb_cpywalker.target.elf import ElfFile, Section

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"


# DWARF 5 section 7.6, tables 7.5 and 7.6.
UNSIGNED = [(b"\x02", 2), (b"\x7f", 127), (b"\x80\x01", 128), (b"\x81\x01", 129), (b"\x82\x01", 130),
            (b"\xb9\x64", 12857)]
SIGNED = [(b"\x02", 2), (b"\x7e", -2), (b"\xff\x00", 127), (b"\x81\x7f", -127), (b"\x80\x01", 128),
          (b"\x80\x7f", -128), (b"\x81\x01", 129), (b"\xff\x7e", -129)]


def test_leb128_as_the_dwarf_standard_lists_them():
    assert [ByteReader(data).uleb() for data, _ in UNSIGNED] == [value for _, value in UNSIGNED]
    assert [ByteReader(data).sleb() for data, _ in SIGNED] == [value for _, value in SIGNED]


def test_encoded_pointers():
    assert ByteReader(struct.pack("<i", -16), 0, 0x1000).encoded(0x1B) == 0x1000 - 16  # pcrel sdata4
    assert ByteReader(struct.pack("<i", 8), 0, 0).encoded(0x3B, data_base=0x2000) == 0x2008  # datarel
    assert ByteReader(struct.pack("<Q", 0xDEADBEEF)).encoded(0x04) == 0xDEADBEEF
    assert ByteReader(b"").encoded(0xFF) is None
    with pytest.raises(CfiError):
        ByteReader(b"\x01").encoded(0x03)


def test_expression_of_a_plt_entry():
    """glibc's .plt CFA: rsp+8, plus 8 more once past the entry's push (rip & 15 >= 11)."""
    plt = bytes([0x77, 8, 0x80, 0, 0x3F, 0x1A, 0x3B, 0x2A, 0x33, 0x24, 0x22])
    for rip, cfa in ((0x1000, 0x7008), (0x100B, 0x7010), (0x100F, 0x7010)):
        registers = {7: 0x7000, 16: rip}
        assert evaluate(plt, registers.__getitem__, None) == cfa


def test_expression_reads_memory_and_refuses_what_cfi_cannot_use():
    memory = ImageMemory([(0x7000, struct.pack("<Q", 0x1234))])
    assert evaluate(bytes([0x77, 0x10, 0x06]), {7: 0x6FF0}.__getitem__, memory.u64) == 0x1234
    assert evaluate(bytes([0x23, 8]), {}.__getitem__, None, (0x100,)) == 0x108  # plus_uconst on the CFA
    for expression in (bytes([0x06]), bytes([0xE0]), bytes([0x2F, 0xFD, 0xFF])):
        with pytest.raises(CfiError):
            evaluate(expression, {}.__getitem__, None)


def readelf_rows(path, limit):
    """``[(start, end, [(loc, {column: text})])]`` of readelf's interpreted .eh_frame."""
    text = subprocess.run(["readelf", "--debug-dump=frames-interp", path], capture_output=True,
                          text=True).stdout  # exit status 1: warnings about other sections
    fdes = []
    columns = None
    current = None  # the FDE whose rows follow (None after a CIE)
    for line in text.splitlines():
        header = re.match(r"^[0-9a-f]{8} [0-9a-f]{16} [0-9a-f]{8} (FDE|CIE)(?: cie=\S+ pc=([0-9a-f]+)\.\.([0-9a-f]+))?",
                          line)
        if header:
            if len(fdes) >= limit:
                break
            columns = current = None
            if header.group(1) == "FDE":
                current = (int(header.group(2), 16), int(header.group(3), 16), [])
                fdes.append(current)
        elif line.strip().startswith("LOC") and current:
            columns = line.split()[1:]
        elif columns and re.match(r"^[0-9a-f]{16} ", line) and current:
            values = re.sub(r"r\d+ \((\w+)\)", r"\1", line).split()  # "r9 (r9)": in register r9
            current[2].append((int(values[0], 16), dict(zip(columns, values[1:]))))
    return fdes


def rule_text(rule):
    """A rule as readelf writes it."""
    if rule is None or rule[0] == "undefined":
        return "u"
    kind = rule[0]
    if kind == "offset":
        return "c%+d" % rule[1]
    if kind == "val_offset":
        return "v%+d" % rule[1]
    if kind == "register":
        return DWARF_NAMES[rule[1]]
    return {"same": "s", "expr": "exp", "val_expr": "vexp"}[kind]


def test_every_fde_of_libc_decodes_as_readelf_decodes_it():
    table = EhFrame(ElfFile(LIBC))
    checked = 0
    for start, end, rows in readelf_rows(LIBC, 5000):
        fde = table.fde_for(start)
        assert (fde.start, fde.end) == (start, end)
        for loc, columns in rows:
            row = table.row(loc)
            cfa = "exp" if row.cfa[0] == "expr" else "%s%+d" % (DWARF_NAMES[row.cfa[1]], row.cfa[2])
            assert cfa == columns["CFA"], (hex(loc), columns)
            for column, text in columns.items():
                if column == "CFA":
                    continue
                number = row.return_register if column == "ra" else DWARF_NAMES.index(column)
                assert rule_text(row.rules.get(number)) == text, (hex(loc), column, columns)
            checked += 1
    assert checked > 5000  # every row of every FDE of libc, through .eh_frame_hdr's table


class StubElf:
    """An ELF file that is only an .eh_frame section at 0x5000 (no .eh_frame_hdr: scanned)."""

    def __init__(self, data):
        self.data = data
        self.segments = []
        self.load_segments = []

    def section(self, name):
        return Section(".eh_frame", 1, 2, 0x5000, 0, len(self.data), 0, 0) if name == ".eh_frame" else None

    def read(self, offset, size):
        return self.data[offset:offset + size]


def eh_frame():
    """A CIE (CFA rsp+8, ra at CFA-8) and FDEs for A (push rbp; mov rsp,rbp), B (sub 24,
    rbx saved), C (the outermost: ra undefined) and D (glibc's vfork: the return address
    popped into rdi, so the caller's stack pointer is the callee's)."""
    cie_body = b"\x00\x00\x00\x00\x01zR\x00\x01\x78\x10\x01\x1b\x0c\x07\x08\x90\x01\x00\x00"
    data = struct.pack("<I", len(cie_body)) + cie_body

    def fde(start, size, program):
        offset = len(data)
        pc_field = 0x5000 + offset + 8
        body = struct.pack("<Iii", offset + 4, start - pc_field, size) + b"\x00" + program
        body += b"\x00" * (-(len(body) + 4) % 8)
        return struct.pack("<I", len(body)) + body

    data += fde(0x1000, 0x40, b"\x41\x0e\x10\x86\x02\x43\x0d\x06")
    data += fde(0x2000, 0x100, b"\x44\x0e\x20\x83\x02")
    data += fde(0x3000, 0x10, b"\x07\x10")
    data += fde(0x3400, 0x20, b"\x41\x0e\x00\x09\x10\x05")  # vfork: pop %rdi; ra in rdi, CFA = rsp
    return data + b"\x00\x00\x00\x00"


class StubSymbols:
    regions = [Region(0x1000, 0x4000, "r-xp", path="/lib/fake.so")]

    def load_bias(self, path):
        return 0

    def elf(self, path):
        return StubElf(eh_frame())


def stack(words):
    return ImageMemory([(0x7000, b"".join(struct.pack("<Q", word) for word in words))])


def test_unwind_through_frame_pointer_and_saved_registers_to_the_outermost_frame():
    memory = stack([0, 0, 0, 0, 0x1234, 0x2050, 0, 0, 0xBEEF, 0x3005, 0])
    code_map = CodeMap(StubSymbols())
    frames, problem = unwind(memory, code_map, {"rip": 0x1010, "rsp": 0x7000, "rbp": 0x7020, "rbx": 7})
    assert problem is None
    assert [(frame.pc, frame.sp, frame.exact) for frame in frames] == [
        (0x1010, 0x7000, True), (0x2050, 0x7030, False), (0x3005, 0x7050, False)]
    assert frames[1].registers["rbp"] == 0x1234 and frames[1].registers["rbx"] == 7
    assert frames[2].registers["rbx"] == 0xBEEF and "rax" not in frames[2].registers


def test_unwind_stops_with_a_reason():
    code_map = CodeMap(StubSymbols())
    frames, problem = unwind(stack([0, 0, 0, 0, 0x1234, 0x9000]), code_map,
                             {"rip": 0x1010, "rsp": 0x7000, "rbp": 0x7020})
    assert len(frames) == 2 and problem == "pc 0x9000 is not in a mapped file"
    frames, problem = unwind(stack([0] * 8), code_map, {"rip": 0x1010, "rsp": 0x7000})
    assert len(frames) == 1 and problem == "cannot unwind pc 0x1010: register rbp is not known in this frame"
    looping = stack([0, 0, 0, 0, 0x6000, 0x2050])  # rbp points below rsp: the stack does not grow
    frames, problem = unwind(looping, code_map, {"rip": 0x1010, "rsp": 0x7000, "rbp": 0x6000})
    assert problem.startswith("cannot unwind pc 0x1010") or problem.startswith("corrupt stack")
    frames, problem = unwind(stack([0] * 4), code_map, {"rip": 0x3800, "rsp": 0x7000})
    assert problem == "no unwind information for pc 0x3800 in /lib/fake.so"


def test_a_return_address_kept_in_a_register_unwinds_at_the_same_stack_pointer():
    """vfork pops its return address into rdi around the system call: the caller's rsp
    equals the callee's (gdb unwinds it); a register that is not known is a stop with
    its reason, not the outermost frame."""
    code_map = CodeMap(StubSymbols())
    frames, problem = unwind(stack([0] * 4), code_map, {"rip": 0x3402, "rsp": 0x7000, "rdi": 0x3005})
    assert problem is None
    assert [(frame.pc, frame.sp) for frame in frames] == [(0x3402, 0x7000), (0x3005, 0x7000)]
    frames, problem = unwind(stack([0] * 4), code_map, {"rip": 0x3402, "rsp": 0x7000})
    assert len(frames) == 1 and problem == "cannot unwind pc 0x3402: register rdi is not known in this frame"


def test_a_file_not_found_here_is_said_so_not_missing_unwind_information():
    class Missing(StubSymbols):
        def elf(self, path):
            return None
    frames, problem = unwind(stack([0] * 4), CodeMap(Missing()), {"rip": 0x1010, "rsp": 0x7000})
    assert len(frames) == 1 and problem == "/lib/fake.so is not readable here"
