"""Every thread's registers of a live local process, without gdb.

``thread_registers(pid)`` is a context manager: it stops each thread with ptrace
(``PTRACE_SEIZE`` + ``PTRACE_INTERRUPT``, then ``PTRACE_GETREGS``), keeps them stopped
while the caller reads memory (one consistent snapshot), and detaches on exit, handing
back any signal that arrived meanwhile. When ptrace is refused (another tracer such as
gdb, ``kernel.yama.ptrace_scope``), it falls back to ``/proc/PID/task/TID/syscall``,
which gives the stack and instruction pointers of a thread blocked in the kernel; so
does a thread that does not stop within ``STOP_TIMEOUT`` (uninterruptible sleep).
"""

import contextlib
import ctypes
import errno
import os
import signal
import time

from ..errors import CpywalkerError
from ..procfs import process_state
from .registers import USER_REGS_STRUCT, ThreadRegisters, from_user_regs, parse_proc_syscall, syscall_of

PTRACE_GETREGS = 12
PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_EVENT_STOP = 128
__WALL = 0x40000000
#: Seconds the threads get to stop after PTRACE_INTERRUPT (see ``thread_registers``).
STOP_TIMEOUT = 1.0
#: x86-64 system calls that fail with EINTR when their thread is stopped, even by ptrace and
#: with no signal handler (signal(7), "Interruption of system calls ... by stop signals"):
#: python2.7 raises an IOError that can end the thread, so a thread blocked in one is not
#: stopped; its registers come from /proc.
EINTR_ON_STOP = {232: "epoll_wait", 281: "epoll_pwait", 441: "epoll_pwait2", 65: "semop",
                 220: "semtimedop", 128: "rt_sigtimedwait"}

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


def _wait_stopped(tid, deadline):
    """Wait for the seized ``tid`` to stop, until ``deadline`` (``time.monotonic()``): the
    signal to hand back at detach (0: none), or None when it has not stopped by then."""
    while True:
        got, status = os.waitpid(tid, __WALL | os.WNOHANG)
        if not got:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.001)
            continue
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
def thread_registers(pid, timeout=STOP_TIMEOUT):
    """Yields ``(registers, note)``: ``{tid: ThreadRegisters}`` of every thread of ``pid``
    that could be read, and None or one line saying what could not.

    Every thread is seized and interrupted first, then each is waited for, all within
    ``timeout`` seconds: a thread that does not stop by then (uninterruptible sleep: a
    hung NFS read, a vfork parent) is read from /proc instead, and the others are not
    held stopped waiting for it.
    """
    seized = {}  # tid -> the signal to hand back at detach; None while it has not stopped
    registers = {}
    notes = []
    try:
        refused = None
        spared = []
        for tid in task_ids(pid):
            blocked = proc_syscall_registers(pid, tid)
            call = EINTR_ON_STOP.get(blocked.syscall.number) if blocked and blocked.syscall else None
            if call:
                registers[tid] = blocked
                spared.append((tid, call))
                continue
            try:
                _ptrace(PTRACE_SEIZE, tid)
            except OSError as error:
                if error.errno != errno.ESRCH:
                    refused = error
                    break
                continue
            seized[tid] = None
            with contextlib.suppress(OSError):
                _ptrace(PTRACE_INTERRUPT, tid)
        deadline = time.monotonic() + timeout
        for tid in list(seized):
            try:
                seized[tid] = _wait_stopped(tid, deadline)
                if seized[tid] is not None:
                    registers[tid] = _registers(tid)
            except OSError:
                if seized[tid] is None:
                    del seized[tid]  # it exited
        for tid, call in spared:
            notes.append("thread %d left running: a stop would make its %s() fail with EINTR, which "
                         "python2.7 does not retry (registers from /proc/%d/task/%d/syscall)"
                         % (tid, call, pid, tid))
        late = [tid for tid, pending in seized.items() if pending is None]
        if late:
            notes.append("%s did not stop within %g s (%s): registers from /proc/%d/task/*/syscall"
                         % (_threads_text(late), timeout, _states_text(late), pid))
        if refused is not None:
            notes.append("ptrace refused (%s): registers from /proc/%d/task/*/syscall, only for "
                         "threads blocked in the kernel" % (refused.strerror, pid))
        if late or refused is not None:
            for tid in task_ids(pid):
                if tid not in registers:
                    found = proc_syscall_registers(pid, tid)
                    if found is not None:
                        registers[tid] = found
        yield registers, "; ".join(notes) or None
    finally:
        for tid, pending in seized.items():
            if pending is None:  # stopped late, or not yet: detach needs it stopped
                with contextlib.suppress(OSError):
                    pending = _wait_stopped(tid, 0)
            if pending is not None:
                with contextlib.suppress(OSError):
                    _ptrace(PTRACE_DETACH, tid, None, pending)
            # a thread still not stopped stays seized until this process exits: the kernel
            # then detaches it, and it goes on where it was


def _threads_text(tids):
    return ("thread %d" % tids[0]) if len(tids) == 1 else "threads " + ", ".join(map(str, tids))


def _states_text(tids):
    """``state D`` (uninterruptible sleep) of the threads, as /proc says it."""
    states = set()
    for tid in tids:
        with contextlib.suppress(CpywalkerError):
            states.add(process_state(tid))
    return "state " + "/".join(sorted(states)) if states else "exited"
