"""Synthetic 64-bit Linux ELF cores and mapped ELF files, laid out as the kernel writes them:
headers, then the notes, then each PT_LOAD's dumped bytes (``filesz`` may be short of ``memsz``)."""

import struct

from gdb_cpywalker.corefile.notes import (AT_ENTRY, AT_SYSINFO_EHDR, EM_X86_64, NT_AUXV, NT_FILE,
                                          NT_PRPSINFO, NT_PRSTATUS, NT_SIGINFO, REGISTER_NAMES)
from gdb_cpywalker.target.elf import PF_R, PF_W, PF_X, PT_LOAD, PT_NOTE

PAGE = 4096
_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")


def elf_header(kind, phnum, machine=EM_X86_64, elf_class=2):
    ident = b"\x7fELF" + bytes([elf_class, 1, 1]) + bytes(9)
    return _HEADER.pack(ident, kind, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 64, 0, 0)


def note(name, kind, desc):
    name_bytes = name.encode() + b"\0"
    pad = lambda data: data + bytes(-len(data) % 4)  # noqa: E731
    return struct.pack("<III", len(name_bytes), len(desc), kind) + pad(name_bytes) + pad(desc)


def prstatus(lwp, signal=0, **registers):
    names = REGISTER_NAMES[EM_X86_64]
    head = struct.pack("<iiih2xQQiiii8q", signal, 0, 0, signal, 0, 0, lwp, 1, lwp, lwp, *([0] * 8))
    return head + struct.pack("<27Q", *(registers.get(name, 0) for name in names)) + bytes(8)


def prpsinfo(pid, fname, psargs):
    return struct.pack("<bcbb4xQIIiiii16s80s", 0, b"R", 0, 0, 0, 0, 0, pid, 1, pid, pid,
                       fname.encode(), psargs.encode())


def siginfo(signo, code, address):
    return struct.pack("<iii4xQ", signo, 0, code, address) + bytes(104)


def file_note(mappings):
    """``mappings``: [(start, end, file offset, path)]."""
    desc = struct.pack("<QQ", len(mappings), PAGE)
    desc += b"".join(struct.pack("<QQQ", start, end, offset // PAGE) for start, end, offset, _ in mappings)
    return desc + b"".join(path.encode() + b"\0" for _, _, _, path in mappings)


def auxv(pairs):
    return b"".join(struct.pack("<QQ", key, value) for key, value in list(pairs.items()) + [(0, 0)])


def perms_flags(perms):
    return (PF_R if "r" in perms else 0) | (PF_W if "w" in perms else 0) | (PF_X if "x" in perms else 0)


def build_core(segments, notes, kind=4):
    """The bytes of a core: ``segments`` [(vaddr, perms, dumped bytes, memsz)], ``notes`` bytes."""
    phnum = 1 + len(segments)
    offset = 64 + phnum * 56
    headers = [_PHDR.pack(PT_NOTE, 0, offset, 0, 0, len(notes), 0, 4)]
    offset += len(notes)
    body = notes
    for vaddr, perms, data, memsz in segments:
        headers.append(_PHDR.pack(PT_LOAD, perms_flags(perms), offset, vaddr, 0, len(data), memsz, PAGE))
        offset += len(data)
        body += data
    return elf_header(kind, phnum) + b"".join(headers) + body


def mapped_elf(size, build_id, loads):
    """A shared-library-like ELF file of ``size`` bytes: ``loads`` [(file offset, vaddr, memsz,
    perms)] and a GNU build-id note right after the program headers (in the first page)."""
    phnum = 1 + len(loads)
    notes_at = 64 + phnum * 56
    build_note = note("GNU", 3, build_id)
    headers = [_PHDR.pack(PT_NOTE, PF_R, notes_at, notes_at, 0, len(build_note), len(build_note), 4)]
    for offset, vaddr, memsz, perms in loads:
        headers.append(_PHDR.pack(PT_LOAD, perms_flags(perms), offset, vaddr, 0, memsz, memsz, PAGE))
    head = elf_header(3, phnum) + b"".join(headers) + build_note
    body = bytes((index * 7) & 0xFF for index in range(size - len(head)))
    return head + body


class SampleCore:
    """A kernel-style core of PID 4242 with two threads, a heap, a stack, an unreadable
    reservation, a vDSO and ``/lib/libfake.so`` mapped twice (its code page not dumped), plus
    that library's file; ``write(folder)`` puts both under ``folder``."""

    PID = 4242
    HEAP = 0x7F0000400000
    RESERVED = 0x7F0000000000
    LIB = 0x7F0000100000
    VDSO = 0x7F0000200000
    STACK = 0x7FFC00000000
    LIB_PATH = "/lib/libfake.so"
    BUILD_ID = bytes(range(20))

    def __init__(self, build_id=BUILD_ID, gcore_style=False):
        self.library = mapped_elf(3 * PAGE, self.BUILD_ID, [(0, 0, PAGE, "r--"), (PAGE, PAGE, 2 * PAGE, "r-x")])
        self.heap = bytes((index * 13) & 0xFF for index in range(2 * PAGE))
        library_header = mapped_elf(3 * PAGE, build_id, [(0, 0, PAGE, "r--"), (PAGE, PAGE, 2 * PAGE, "r-x")])
        segments = [
            (self.RESERVED, "---", b"", 4 * PAGE),
            (self.LIB, "r--", library_header[:PAGE], PAGE),
            (self.VDSO, "r-x", b"\x7fELF" + bytes(PAGE - 4), PAGE),
            (self.HEAP, "rw-", self.heap, 2 * PAGE),
            (self.STACK, "rw-", b"S" * PAGE, PAGE),
        ]
        if not gcore_style:  # the kernel writes a segment for the code too, with nothing dumped
            segments.insert(2, (self.LIB + PAGE, "r-x", b"", 2 * PAGE))
        files = [(self.LIB, self.LIB + PAGE, 0, self.LIB_PATH),
                 (self.LIB + PAGE, self.LIB + 3 * PAGE, PAGE, self.LIB_PATH)]
        notes = (note("CORE", NT_PRSTATUS, prstatus(self.PID, 11, rip=0x401000, rsp=self.STACK + 0x800,
                                                     fs_base=0x7F00000AA000))
                 + note("CORE", NT_PRPSINFO, prpsinfo(self.PID, "app", "app --serve"))
                 + note("CORE", NT_SIGINFO, siginfo(11, 1, 0x10))
                 + note("CORE", NT_AUXV, auxv({AT_ENTRY: self.LIB + PAGE + 0x10, AT_SYSINFO_EHDR: self.VDSO}))
                 + note("CORE", NT_FILE, file_note(files))
                 + note("LINUX", 0x202, bytes(64))
                 + note("CORE", NT_PRSTATUS, prstatus(self.PID + 1, 0, rip=0x401100, rsp=0x7F0000010000,
                                                      fs_base=0x7F00000BB000)))
        self.data = build_core(segments, notes)

    def write(self, folder, name="core.4242", sysroot=None):
        """Write the core as ``folder/name`` and the library under ``sysroot`` (default: not at
        all); return the core's path."""
        path = folder / name
        path.write_bytes(self.data)
        if sysroot is not None:
            library = sysroot / self.LIB_PATH.lstrip("/")
            library.parent.mkdir(parents=True, exist_ok=True)
            library.write_bytes(self.library)
        return str(path)
