# A python2.7 target for py-bt --native: one thread per way of being stuck, each reached
# through a known chain of Python and C frames. argv[1] is the directory holding the
# cnative extension (tests/targets/cnative.c, built by the tests).
#
# The handshake line lists every thread (ident, LWP, role, name, Python stack outermost
# first) and the pipe fds; then the main thread holds the GIL in a C loop
# (cnative.hold_gil) and writes "gil-held" once the two threads that want the GIL (one
# back from time.sleep, one in the eval loop's periodic hand-over) queue for it.
import ctypes
import gc
import json
import os
import select
import sys
import thread
import threading
import time
import traceback
import weakref

sys.path.insert(0, sys.argv[1])
import cnative  # noqa: E402

gc.disable()  # no collection anywhere until the gc thread's own
libc = ctypes.CDLL(None)
SYS_gettid = 186
ROLES = {}  # ident -> (role, LWP)
HELD = threading.Lock()
HELD.acquire()
SELECT_PIPE = os.pipe()
READ_PIPE = os.pipe()
#: Syscalls each role's thread ends up blocked in (glibc's select is pselect6 on x86-64).
BLOCKED_IN = {"map": (202,), "sorted": (202,), "ctypes": (202,), "cext": (202,), "lock": (202,),
              "sleep": (23, 270), "select": (23, 270), "read": (0,), "gc": (202,)}


def register(role):
    ROLES[thread.get_ident()] = (role, libc.syscall(SYS_gettid))


def park():
    lock = thread.allocate_lock()
    lock.acquire()
    lock.acquire()


def mapped(item):
    park()


def t_map():
    register("map")
    map(mapped, [1])


def keyed(item):
    park()


def t_sorted():
    register("sorted")
    sorted([2, 1], key=keyed)


COMPARE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))


def compared(left, right):
    park()
    return 0


def t_ctypes():
    register("ctypes")
    values = (ctypes.c_int * 2)(2, 1)
    libc.qsort(values, 2, ctypes.sizeof(ctypes.c_int), COMPARE(compared))


def called_back():
    park()


def t_cext():
    register("cext")
    cnative.call(called_back)


def t_lock():
    register("lock")
    HELD.acquire()


def t_sleep():
    register("sleep")
    time.sleep(1000)


def t_select():
    register("select")
    select.select([SELECT_PIPE[0]], [], [])


def t_read():
    register("read")
    os.read(READ_PIPE[0], 1)


GC_READY = thread.allocate_lock()
GC_READY.acquire()


class Node(object):
    pass


def on_collect(ref):
    GC_READY.release()
    park()


def t_gc():
    register("gc")
    node = Node()
    node.cycle = node
    ref = weakref.ref(node, on_collect)
    del node
    gc.set_threshold(1)
    gc.enable()
    collected = Node()  # allocated by _PyObject_GC_Malloc, which collects generation 0 here
    return ref, collected


SPINNING = thread.allocate_lock()
SLEEPING = thread.allocate_lock()


def t_spin():
    register("spin")
    SPINNING.release()
    while True: pass  # noqa: E701 (one line: the frame's line never changes)


def t_gil_sleep():
    register("gil_sleep")
    SLEEPING.release()
    while True: time.sleep(0.5)  # noqa: E701


def syscall_of(lwp):
    with open("/proc/self/task/%d/syscall" % lwp) as handle:
        field = handle.read().split()[0]
    return int(field) if field.lstrip("-").isdigit() else None


def wait_blocked(roles):
    """Until every thread of ``roles`` is registered and blocked in its system call."""
    for _ in range(2):  # twice in a row, 20 ms apart
        while True:
            by_role = dict((role, lwp) for role, lwp in ROLES.values())
            if all(role in by_role and syscall_of(by_role[role]) in BLOCKED_IN[role] for role in roles):
                break
            time.sleep(0.01)
        time.sleep(0.02)


def start(function):
    worker = threading.Thread(target=function, name=function.__name__[2:])
    worker.daemon = True
    worker.start()


def stack_of(frame):
    return [list(entry[:3]) for entry in traceback.extract_stack(frame)]


def handshake(hold_line):
    frames = sys._current_frames()
    names = dict((worker.ident, worker.name) for worker in threading.enumerate())
    main_stack = stack_of(sys._getframe(1))
    main_stack[-1][1] = hold_line
    threads = [{"ident": ident, "role": role, "lwp": lwp, "name": names.get(ident),
                "stack": stack_of(frames[ident])} for ident, (role, lwp) in ROLES.items()]
    threads.append({"ident": thread.get_ident(), "role": "main", "lwp": os.getpid(),
                    "name": "MainThread", "stack": main_stack})
    sys.stdout.write(json.dumps({"pid": os.getpid(), "threads": threads, "select_fd": SELECT_PIPE[0],
                                 "read_fd": READ_PIPE[0], "script": os.path.abspath(__file__)}) + "\n")
    sys.stdout.flush()


def main():
    register("main")
    del ROLES[thread.get_ident()]
    for function in (t_map, t_sorted, t_ctypes, t_cext, t_lock, t_sleep, t_select, t_read):
        start(function)
    wait_blocked([role for role in BLOCKED_IN if role != "gc"])
    thread.start_new_thread(t_gc, ())
    GC_READY.acquire()
    wait_blocked(["gc"])
    sys.setcheckinterval(1000000)  # the GIL changes hands only when a thread blocks
    SPINNING.acquire()
    thread.start_new_thread(t_spin, ())
    SPINNING.acquire()
    SLEEPING.acquire()
    thread.start_new_thread(t_gil_sleep, ())
    SLEEPING.acquire()
    handshake(sys._getframe().f_lineno + 1)
    cnative.hold_gil(0, 1.0)


main()
