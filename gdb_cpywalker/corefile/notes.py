"""The notes of a 64-bit Linux core, as data: prstatus, prpsinfo, siginfo, auxv and NT_FILE.

Layouts follow the kernel's ``struct elf_prstatus`` / ``elf_prpsinfo`` (include/uapi/
linux/elfcore.h) for 64-bit targets; register names are ``user_regs_struct``'s per
machine. Parsers take a note's ``desc`` bytes and return records; nothing here reads files.
"""

import struct
from collections import namedtuple

NT_PRSTATUS, NT_PRPSINFO, NT_AUXV = 1, 3, 6
NT_SIGINFO = 0x53494749
NT_FILE = 0x46494C45

EM_X86_64, EM_AARCH64 = 62, 183
#: ``pr_reg`` names per e_machine, in the kernel's order.
REGISTER_NAMES = {
    EM_X86_64: ("r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs "
                "eflags rsp ss fs_base gs_base ds es fs gs").split(),
    EM_AARCH64: ["x%d" % number for number in range(31)] + ["sp", "pc", "pstate"],
}
#: The register holding a thread's pthread_t (its TCB address) and the stack pointer, per machine.
THREAD_POINTER = {EM_X86_64: "fs_base"}
STACK_POINTER = {EM_X86_64: "rsp", EM_AARCH64: "sp"}

#: elf_prstatus up to pr_reg: pr_info (signo, code, errno), pr_cursig, pr_sigpend,
#: pr_sighold, pr_pid, pr_ppid, pr_pgrp, pr_sid, four struct timevals.
_PRSTATUS = struct.Struct("<iiih2xQQiiii8q")
#: elf_prpsinfo: state, sname, zomb, nice, flag, uid, gid, pid, ppid, pgrp, sid, fname, psargs.
_PRPSINFO = struct.Struct("<bcbb4xQIIiiii16s80s")
#: siginfo_t head: si_signo, si_errno, si_code, then the union (si_addr or si_pid, si_uid).
_SIGINFO = struct.Struct("<iii4xQ")
_SIGINFO_SENDER = struct.Struct("<16xiI")

AT_PHDR, AT_ENTRY, AT_SYSINFO_EHDR, AT_EXECFN = 3, 9, 33, 31
#: Signals whose si_addr is the faulting address (when si_code > 0: sent by the kernel).
FAULT_SIGNALS = (4, 5, 7, 8, 11)  # SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV

#: One thread: its LWP, the signal it stopped with, and ``registers`` {name: value}.
CoreThread = namedtuple("CoreThread", "lwp signal registers")
ProcessInfo = namedtuple("ProcessInfo", "pid ppid uid gid state fname psargs")
#: ``address``: the faulting address of a fault signal; ``sender``: the PID of a kill().
SignalInfo = namedtuple("SignalInfo", "signo errno code address sender")
#: One NT_FILE entry: ``[start, end)`` maps ``path`` from byte ``offset``.
FileMapping = namedtuple("FileMapping", "start end offset path")


class NoteError(ValueError):
    """A note's desc is too short or inconsistent for its type."""


def parse_prstatus(desc, machine):
    """The ``CoreThread`` of one NT_PRSTATUS note."""
    if len(desc) < _PRSTATUS.size:
        raise NoteError("NT_PRSTATUS of %d bytes" % len(desc))
    fields = _PRSTATUS.unpack_from(desc)
    count = (len(desc) - _PRSTATUS.size - 8) // 8  # pr_reg, then pr_fpvalid and padding
    values = struct.unpack_from("<%dQ" % count, desc, _PRSTATUS.size)
    names = REGISTER_NAMES.get(machine) or ["r%d" % index for index in range(count)]
    return CoreThread(fields[6], fields[3], dict(zip(names, values)))


def parse_prpsinfo(desc):
    if len(desc) < _PRPSINFO.size:
        raise NoteError("NT_PRPSINFO of %d bytes" % len(desc))
    (state, _sname, _zomb, _nice, _flag, uid, gid, pid, ppid, _pgrp, _sid,
     fname, psargs) = _PRPSINFO.unpack_from(desc)
    return ProcessInfo(pid, ppid, uid, gid, state, _text(fname), _text(psargs))


def parse_siginfo(desc):
    if len(desc) < _SIGINFO_SENDER.size:
        raise NoteError("NT_SIGINFO of %d bytes" % len(desc))
    signo, errno, code, address = _SIGINFO.unpack_from(desc)
    sender = _SIGINFO_SENDER.unpack_from(desc)[0]
    fault = signo in FAULT_SIGNALS and code > 0
    return SignalInfo(signo, errno, code, address if fault else None, sender if code <= 0 else None)


def parse_auxv(desc):
    """``{AT_*: value}`` of NT_AUXV (up to AT_NULL)."""
    out = {}
    for offset in range(0, len(desc) - 15, 16):
        key, value = struct.unpack_from("<QQ", desc, offset)
        if key == 0:
            break
        out[key] = value
    return out


def parse_file_note(desc):
    """The ``FileMapping``s of NT_FILE: count, page size, count (start, end, page offset), names."""
    if len(desc) < 16:
        raise NoteError("NT_FILE of %d bytes" % len(desc))
    count, page_size = struct.unpack_from("<QQ", desc)
    names_at = 16 + count * 24
    if names_at > len(desc):
        raise NoteError("NT_FILE says %d files in %d bytes" % (count, len(desc)))
    names = desc[names_at:].split(b"\0")
    if len(names) < count:
        raise NoteError("NT_FILE has %d names for %d files" % (len(names), count))
    out = []
    for index in range(count):
        start, end, page = struct.unpack_from("<QQQ", desc, 16 + index * 24)
        out.append(FileMapping(start, end, page * page_size, names[index].decode("utf-8", "surrogateescape")))
    return out


def _text(raw):
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
