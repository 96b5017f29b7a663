"""What a native stack is doing, in words: waiting for the GIL or a lock, collecting
garbage, blocked in a system call on a file descriptor.

Frames are recognised by the exported names a stripped CPython 2.7 still has, and by
their callers where the function itself is static (the collector's ``collect`` is named
only with debug info; without it, it is the frame ``_PyObject_GC_Malloc`` calls). A
system call is described from the registers of the thread stopped in it (``orig_rax``
and the argument registers), reading its ``fd_set``s and ``pollfd``s from memory.
"""

import struct

from ..errors import CpywalkerError

ACQUIRE_LOCK = "PyThread_acquire_lock"
#: Callers of PyThread_acquire_lock that take the GIL (2.7: ceval.c, pystate.c).
GIL_TAKERS = frozenset(("PyEval_RestoreThread", "PyEval_AcquireThread", "PyEval_AcquireLock",
                        "PyEval_EvalFrameEx", "PyGILState_Ensure", "PyEval_InitThreads"))
IMPORT_LOCK_TAKERS = frozenset(("_PyImport_AcquireLock", "PyImport_AcquireLock", "imp_acquire_lock"))
#: Functions of gcmodule.c: named with debug info (static ones) or exported.
COLLECTOR = frozenset(("collect", "collect_generations", "gc_collect", "PyGC_Collect"))
#: Exported functions whose static callee is the collector (collect_generations, collect).
COLLECTOR_CALLERS = frozenset(("_PyObject_GC_Malloc", "PyGC_Collect"))

#: x86-64 system call numbers -> names.
SYSCALL_NAMES = {
    0: "read", 1: "write", 7: "poll", 17: "pread64", 18: "pwrite64", 19: "readv", 20: "writev",
    23: "select", 34: "pause", 35: "nanosleep", 42: "connect", 43: "accept", 44: "sendto",
    45: "recvfrom", 46: "sendmsg", 47: "recvmsg", 61: "wait4", 202: "futex", 230: "clock_nanosleep",
    232: "epoll_wait", 270: "pselect6", 271: "ppoll", 281: "epoll_pwait", 288: "accept4",
    441: "epoll_pwait2", 219: "restart_syscall", 2: "open", 257: "openat", 72: "fcntl", 73: "flock",
    247: "waitid", 65: "semop", 220: "semtimedop", 128: "rt_sigtimedwait", 69: "msgsnd", 70: "msgrcv",
}
RESTART_SYSCALL = 219
SYSCALL_INSTRUCTION = b"\x0f\x05"
#: Calls whose first argument is the file descriptor they block on.
FD_CALLS = frozenset(("read", "write", "pread64", "pwrite64", "readv", "writev", "connect",
                      "accept", "accept4", "sendto", "recvfrom", "sendmsg", "recvmsg", "flock", "fcntl"))
#: Calls opening a path (a FIFO without a writer blocks there): the argument holding it.
PATH_CALLS = {"open": 0, "openat": 1}
#: Longest path read from the target.
MAX_PATH = 256
#: Largest fd_set / pollfd array read from the target.
MAX_FDS = 1024


def annotate(frames, syscall=None, memory=None, gil_holder=None):
    """``{index in frames: text}`` for the frames worth a word; ``syscall`` is the
    ``registers.Syscall`` the thread is stopped in, ``gil_holder`` a description of the
    thread holding the GIL (or None)."""
    notes = {}
    real = [index for index, frame in enumerate(frames) if frame.kind != "inline"]
    callers = {index: frames[real[position + 1]] if position + 1 < len(real) else None
               for position, index in enumerate(real)}
    for index in real:
        frame, caller = frames[index], callers[index]
        caller_name = caller.name if caller is not None else None
        if frame.name == ACQUIRE_LOCK:
            notes[index] = _lock_wait(caller_name, gil_holder)
    for index, frame in enumerate(frames):
        caller = callers.get(index)
        if frame.name in COLLECTOR or (
                frame.name is None and caller is not None and caller.name in COLLECTOR_CALLERS
                and caller.path == frame.path):
            notes[index] = "garbage-collecting"
            break
    if syscall is not None and frames:
        text = describe_syscall(resumed(syscall, memory, frames[0].pc), memory)
        if text and 0 not in notes:
            notes[0] = text
    return notes


def resumed(syscall, memory, pc):
    """The call a ``restart_syscall`` resumes (the kernel's way back into a poll, a sleep or
    a futex wait interrupted by a signal or a debugger), read from the ``mov $NR, %eax;
    syscall`` that libc's wrapper ran just before ``pc``; else ``syscall`` itself."""
    if syscall.number != RESTART_SYSCALL or memory is None or pc is None:
        return syscall
    try:
        code = memory.read(pc - 7, 7)
    except CpywalkerError:
        return syscall
    if code[0] != 0xB8 or code[5:] != SYSCALL_INSTRUCTION:
        return syscall
    return syscall._replace(number=struct.unpack_from("<I", code, 1)[0])


def _lock_wait(caller, gil_holder):
    if caller in GIL_TAKERS:
        return "waiting for the GIL" + (", held by %s" % gil_holder if gil_holder else "")
    if caller in IMPORT_LOCK_TAKERS:
        return "waiting for the import lock"
    return "waiting for a lock"


def describe_syscall(syscall, memory=None):
    """``in read(fd 3)``, ``in select(): read fds 3, 5``, ...; None for calls not described."""
    name = SYSCALL_NAMES.get(syscall.number)
    args = syscall.arguments
    if name is None:
        return None
    if name in FD_CALLS:
        return "in %s(fd %d)" % (name, _int(args[0]))
    if name in PATH_CALLS:
        return "in %s(%s)" % (name, _path(memory, args[PATH_CALLS[name]]))
    if name in ("select", "pselect6"):
        return _select(name, args, memory)
    if name in ("poll", "ppoll"):
        return _poll(name, args, memory)
    if name.startswith("epoll_"):
        return "in %s(epoll fd %d)" % (name, _int(args[0]))
    if name == "futex":
        return "in futex(%#x)" % args[0]
    if name in ("nanosleep", "clock_nanosleep", "pause"):
        return "sleeping: in %s()" % name
    if name == "wait4":
        pid = _int(args[0])
        return "in wait4(): waiting for %s" % ("any child process" if pid == -1 else "child %d" % pid)
    return "in %s()" % name


def _int(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >> 31 else value


def _select(name, args, memory):
    count = max(0, min(_int(args[0]), MAX_FDS))
    parts = []
    for label, address in (("read", args[1]), ("write", args[2]), ("except", args[3])):
        fds = _fd_set(memory, address, count)
        if fds is None:
            parts.append("%s fds unreadable" % label)
        elif fds:
            parts.append("%s fd%s %s" % (label, "s" if len(fds) > 1 else "",
                                          ", ".join(str(fd) for fd in fds)))
    timeout = _timeout(memory, args[4], nanoseconds=name == "pselect6")
    if not parts:
        return "sleeping: in %s() with no fd%s" % (name, ", timeout %s" % timeout if timeout else "")
    return "in %s(): %s%s" % (name, "; ".join(parts), ", timeout %s" % timeout if timeout else "")


def _fd_set(memory, address, count):
    if not address or not count:
        return []
    if memory is None:
        return None
    try:
        data = memory.read(address, (count + 63) // 64 * 8)
    except CpywalkerError:
        return None
    bits = int.from_bytes(data, "little")
    return [fd for fd in range(count) if bits >> fd & 1]


def _path(memory, address):
    """A C string argument, quoted as strace does (``...`` when cut or unreadable)."""
    data = memory.read_partial(address, MAX_PATH) if memory is not None and address else b""
    text, nul, _ = data.partition(b"\0")
    escaped = "".join(_escaped(char) for char in text.decode("utf-8", "surrogateescape"))
    return '"%s"' % escaped + ("" if nul else "...") if text or nul else "..."


def _escaped(char):
    if char in '"\\':
        return "\\" + char
    if "\udc80" <= char <= "\udcff":  # a byte that is not UTF-8
        return "\\x%02x" % (ord(char) - 0xDC00)
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def _timeout(memory, address, nanoseconds):
    """``1000 s``-style text of a timeval/timespec argument; None without one."""
    if not address or memory is None:
        return None
    try:
        seconds, fraction = struct.unpack("<qq", memory.read(address, 16))
    except CpywalkerError:
        return None
    value = seconds + fraction / (1e9 if nanoseconds else 1e6)
    return "%g s left" % value


def _poll(name, args, memory):
    count = max(0, min(args[1], MAX_FDS))
    if memory is None or not args[0]:
        return "in %s(%d fds)" % (name, count)
    try:
        data = memory.read(args[0], count * 8)
    except CpywalkerError:
        return "in %s(%d fds)" % (name, count)
    parts = []
    for offset in range(0, len(data), 8):
        fd, events, _ = struct.unpack_from("<ihh", data, offset)
        kinds = [label for bit, label in ((1, "in"), (4, "out"), (2, "pri")) if events & bit]
        parts.append("fd %d (%s)" % (fd, "/".join(kinds) or "-"))
    return "in %s(): %s" % (name, ", ".join(parts) if parts else "no fd")
