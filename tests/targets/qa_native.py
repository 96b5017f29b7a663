# A python2.7 target for the hard cases of py-bt --native, bt --native and py-list:
#
#   python2.7 qa_native.py NOCFI_DIR MODULES_DIR
#
# NOCFI_DIR holds the cnocfi extension (tests/targets/cnocfi.c: C code without unwind
# information); MODULES_DIR the modules the test wrote: qa_source (latin-1 source with form
# feeds before the line a thread waits on), qa_changed (rewritten by the test after the
# start) and qa_gone (removed by the test after the start). One thread per case:
#   nocfi    park() called back from cnocfi.call: the CLI cannot unwind past the C frame
#   epoll    blocked in epoll_wait, which a stop would end with EINTR (the thread would die)
#   deep     DEPTH nested method calls: more native frames than the old limit of 2048
#   source, changed, gone   parked in the modules above
#   huge     parked under a frame at line 1000000 of qa_short.py, a file of one line
# The handshake line gives the pid and {role: LWP}; then the main thread reads stdin.
import ctypes
import json
import os
import select
import sys
import thread
import threading
import time

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import cnocfi  # noqa: E402
import qa_changed  # noqa: E402
import qa_gone  # noqa: E402
import qa_source  # noqa: E402

DEPTH = 1100
SYS_gettid = 186
libc = ctypes.CDLL(None)
ROLES = {}


def register(role):
    ROLES[role] = libc.syscall(SYS_gettid)


def park():
    lock = thread.allocate_lock()
    lock.acquire()
    lock.acquire()


def t_nocfi():
    register("nocfi")
    cnocfi.call(park)


def t_epoll():
    register("epoll")
    read_end, _ = os.pipe()
    poller = select.epoll()
    poller.register(read_end)
    poller.poll()  # an EINTR here raises IOError: the thread ends


class Deep(object):
    def down(self, depth):
        if depth == 0:
            park()
        self.down(depth - 1)


def t_deep():
    register("deep")
    sys.setrecursionlimit(DEPTH + 100)
    Deep().down(DEPTH)


def t_source():
    register("source")
    qa_source.park()


def t_changed():
    register("changed")
    qa_changed.park()


def t_gone():
    register("gone")
    qa_gone.park()


HUGE = compile("\n" * 999999 + "park()\n", os.path.join(sys.argv[2], "qa_short.py"), "exec")


def t_huge():
    register("huge")
    exec HUGE in {"park": park}


def blocked(lwp):
    """The system call ``lwp`` is blocked in, or None while it runs."""
    with open("/proc/self/task/%d/syscall" % lwp) as handle:
        field = handle.read().split()[0]
    return int(field) if field.lstrip("-").isdigit() and int(field) >= 0 else None


def main():
    workers = [t_nocfi, t_epoll, t_deep, t_source, t_changed, t_gone, t_huge]
    for function in workers:
        worker = threading.Thread(target=function, name=function.__name__[2:])
        worker.daemon = True
        worker.start()
    while len(ROLES) < len(workers) or not all(blocked(lwp) is not None for lwp in ROLES.values()):
        time.sleep(0.01)
    sys.stdout.write(json.dumps({"pid": os.getpid(), "roles": ROLES}) + "\n")
    sys.stdout.flush()
    sys.stdin.read()


main()
