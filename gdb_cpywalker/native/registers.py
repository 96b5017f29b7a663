"""x86-64 registers as the native layer names them: DWARF numbers, the kernel's
``user_regs_struct`` (ptrace GETREGS and a core's NT_PRSTATUS share it), and the text of
``/proc/PID/task/TID/syscall``.

A thread's registers are a ``{name: value}`` dict; a register that is not known is absent.
"""

import struct
from collections import namedtuple

#: DWARF register numbers of the x86-64 psABI (16 is the return address column: rip).
DWARF_NAMES = ("rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
               "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip")
DWARF_NUMBERS = {name: number for number, name in enumerate(DWARF_NAMES)}
#: Registers a called function must preserve: their values are known in caller frames.
CALLEE_SAVED = ("rbx", "rbp", "r12", "r13", "r14", "r15")

#: ``struct user_regs_struct`` of <sys/user.h>, field order (27 unsigned longs).
USER_REGS = ("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx",
             "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base",
             "gs_base", "ds", "es", "fs", "gs")
USER_REGS_STRUCT = struct.Struct("<%dQ" % len(USER_REGS))
#: The syscall argument registers, in argument order.
SYSCALL_ARGUMENTS = ("rdi", "rsi", "rdx", "r10", "r8", "r9")
NO_SYSCALL = (1 << 64) - 1

#: ``number`` of the system call a thread is blocked in and its six ``arguments``.
Syscall = namedtuple("Syscall", "number arguments")
#: One thread's registers: ``tid`` (LWP), ``values`` ``{name: int}``, ``syscall`` or None,
#: ``source`` saying where they came from ("ptrace", "/proc syscall", "core", "gdb").
ThreadRegisters = namedtuple("ThreadRegisters", "tid values syscall source")


def from_user_regs(data):
    """``{name: value}`` of a packed ``user_regs_struct``."""
    return dict(zip(USER_REGS, USER_REGS_STRUCT.unpack_from(data)))


def syscall_of(values):
    """The ``Syscall`` a thread with these registers is stopped in (``orig_rax`` holds its
    number inside a system call, -1 outside), or None."""
    number = values.get("orig_rax")
    if number is None or number == NO_SYSCALL or number >> 63:
        return None
    if any(name not in values for name in SYSCALL_ARGUMENTS):
        return None
    return Syscall(number, tuple(values[name] for name in SYSCALL_ARGUMENTS))


def parse_proc_syscall(text):
    """``(Syscall or None, registers)`` from /proc/PID/task/TID/syscall, or None while the
    thread runs. The file holds ``NR ARG1..ARG6 SP PC`` in a system call, ``-1 SP PC`` when
    blocked outside one (the registers are then only the stack and instruction pointers)."""
    fields = text.split()
    if not fields or fields[0] == "running":
        return None
    try:
        numbers = [int(field, 0) for field in fields]
    except ValueError:
        return None
    if len(numbers) == 9 and numbers[0] >= 0:
        return Syscall(numbers[0], tuple(numbers[1:7])), {"rsp": numbers[7], "rip": numbers[8]}
    if len(numbers) == 3:
        return None, {"rsp": numbers[1], "rip": numbers[2]}
    return None
