"""Every thread's registers of a live local process, without gdb.

``thread_registers(pid)`` is a context manager: it stops each thread with ptrace
(``PTRACE_SEIZE`` + ``PTRACE_INTERRUPT``, then ``PTRACE_GETREGS``), keeps them stopped
while the caller reads memory (one consistent snapshot), and detaches on exit, handing
back any signal that arrived meanwhile. When ptrace is refused (another tracer such as
gdb, ``kernel.yama.ptrace_scope``), it falls back to ``/proc/PID/task/TID/syscall``,
which gives the stack and instruction pointers of a thread blocked in the kernel.
"""

import contextlib
import ctypes
import errno
import os
import signal

from .registers import USER_REGS_STRUCT, ThreadRegisters, from_user_regs, parse_proc_syscall, syscall_of

PTRACE_GETREGS = 12
PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_EVENT_STOP = 128
__WALL = 0x40000000

_libc = None


def _ptrace(request, tid, address=None, data=None):
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
        _libc.ptrace.restype = ctypes.c_long
    if _libc.ptrace(request, tid, address, data) == -1:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def task_ids(pid):
    """The thread ids (LWPs) of ``pid``, main thread first."""
    try:
        tids = sorted(int(name) for name in os.listdir("/proc/%d/task" % pid))
    except OSError as error:
        raise OSError(error.errno, "cannot list the threads of process %d: %s" % (pid, error.strerror)) from None
    return sorted(tids, key=lambda tid: tid != pid)


def _wait_stopped(tid):
    """Wait for the seized ``tid`` to stop; the signal to hand back at detach (0: none)."""
    while True:
        _, status = os.waitpid(tid, __WALL)
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            raise OSError(errno.ESRCH, "thread %d exited" % tid)
        if os.WIFSTOPPED(status):
            stop_signal = os.WSTOPSIG(status)
            event = status >> 16
            if event == PTRACE_EVENT_STOP or stop_signal == signal.SIGTRAP:
                return 0
            return stop_signal


def _registers(tid):
    buffer = ctypes.create_string_buffer(USER_REGS_STRUCT.size)
    _ptrace(PTRACE_GETREGS, tid, None, ctypes.addressof(buffer))
    values = from_user_regs(buffer.raw)
    return ThreadRegisters(tid, values, syscall_of(values), "ptrace")


def proc_syscall_registers(pid, tid):
    """``ThreadRegisters`` from /proc/PID/task/TID/syscall, or None when it says nothing."""
    try:
        with open("/proc/%d/task/%d/syscall" % (pid, tid)) as handle:
            parsed = parse_proc_syscall(handle.read())
    except OSError:
        return None
    if parsed is None:
        return None
    syscall, values = parsed
    return ThreadRegisters(tid, values, syscall, "/proc syscall")


@contextlib.contextmanager
def thread_registers(pid):
    """Yields ``(registers, note)``: ``{tid: ThreadRegisters}`` of every thread of ``pid``
    that could be read, and None or one line saying what could not."""
    seized = {}
    registers = {}
    note = None
    try:
        for tid in task_ids(pid):
            try:
                _ptrace(PTRACE_SEIZE, tid)
            except OSError as error:
                if error.errno == errno.ESRCH:
                    continue
                note = ("ptrace refused (%s): registers from /proc/%d/task/*/syscall, only for "
                        "threads blocked in the kernel" % (error.strerror, pid))
                break
            seized[tid] = 0
            try:
                _ptrace(PTRACE_INTERRUPT, tid)
                seized[tid] = _wait_stopped(tid)
                registers[tid] = _registers(tid)
            except OSError:
                continue
        if note is not None:
            for tid in task_ids(pid):
                if tid not in registers:
                    found = proc_syscall_registers(pid, tid)
                    if found is not None:
                        registers[tid] = found
        yield registers, note
    finally:
        for tid, pending in seized.items():
            try:
                _ptrace(PTRACE_DETACH, tid, None, pending)
            except OSError:
                pass
