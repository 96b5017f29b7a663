# A python2.7 target whose threads are parked in distinct nested functions with known locals.
# The handshake reports each thread's expected stack (outermost first) and the repr and id
# of its locals. The main thread then blocks reading stdin through ctypes.PyDLL, which keeps
# the GIL: it is the GIL holder while the other threads wait on locks. With --release-gil it
# reads with sys.stdin.readline(), which releases the GIL: no thread holds it.
import ctypes
import json
import os
import sys
import thread
import threading
import time
import traceback

HOLD_GIL = "--release-gil" not in sys.argv
GLOBAL_MARKER = "global-marker-value"
shadowed = "global shadowed"
EXPECTED = {}
parked = {}


def expect(*pairs):
    """Record the repr and id of the caller's locals, keyed by thread ident and function."""
    function = sys._getframe(1).f_code.co_name
    EXPECTED.setdefault(thread.get_ident(), {})[function] = dict(
        (name, [repr(value), id(value)]) for name, value in pairs)


def park():
    lock = thread.allocate_lock()
    lock.acquire()
    parked[thread.get_ident()] = lock
    lock.acquire()


PARK_LINE = park.__code__.co_firstlineno + 4


def alpha_inner(items, label):
    ratio = 0.5
    shadowed = "local shadowed"
    mapping = {"key": items}
    expect(("items", items), ("label", label), ("ratio", ratio), ("shadowed", shadowed),
           ("mapping", mapping))
    park()


def alpha_outer(count):
    items = range(count)
    alpha_inner(items, u"alpha-\u00e9")


def beta_recurse(depth, trail):
    trail = trail + (depth,)
    if depth == 0:
        expect(("depth", depth), ("trail", trail))
        park()
    else:
        beta_recurse(depth - 1, trail)


def gamma_outer(seed):
    total = seed * 2

    def gamma_inner(step):
        here = total + step
        expect(("step", step), ("here", here), ("total", total))
        park()

    expect(("seed", seed), ("total", total), ("gamma_inner", gamma_inner))
    gamma_inner(3)


def raw_worker(tag):
    big = 2 ** 70
    expect(("tag", tag), ("big", big))
    park()


def stack_of(frame):
    return [list(entry[:3]) for entry in traceback.extract_stack(frame)]


def wait_until_parked(idents):
    while True:
        frames = sys._current_frames()
        if all(ident in frames and frames[ident].f_code.co_name == "park"
               and frames[ident].f_lineno == PARK_LINE for ident in idents):
            return frames
        time.sleep(0.01)


def handshake(read_line, named):
    idents = [t.ident for t in named] + [raw_ident[0]]
    frames = wait_until_parked(idents)
    main_stack = stack_of(sys._getframe(1))
    main_stack[-1][1] = read_line
    names = dict((t.ident, t.name) for t in named)
    names[thread.get_ident()] = threading.current_thread().name
    threads = [{"ident": ident, "name": names.get(ident), "stack": stack_of(frames[ident]),
                "locals": EXPECTED.get(ident, {})} for ident in idents]
    threads.append({"ident": thread.get_ident(), "name": names[thread.get_ident()],
                    "stack": main_stack, "locals": EXPECTED[thread.get_ident()]})
    sys.stdout.write(json.dumps({
        "pid": os.getpid(), "main_ident": thread.get_ident(), "threads": threads, "gil_held": HOLD_GIL,
        "global_marker_id": id(GLOBAL_MARKER), "script": os.path.abspath(__file__)}) + "\n")
    sys.stdout.flush()


def wait_for_stdin(named):
    fd = 0
    buffer = ctypes.create_string_buffer(1)
    expect(("fd", fd))
    libc = ctypes.PyDLL(None)
    handshake(sys._getframe().f_lineno + 1, named)
    libc.read(fd, buffer, 1) if HOLD_GIL else sys.stdin.readline()


raw_ident = []
named = [threading.Thread(target=alpha_outer, args=(3,), name="worker-alpha"),
         threading.Thread(target=beta_recurse, args=(2, ()), name="worker-beta"),
         threading.Thread(target=gamma_outer, args=(20,), name="worker-gamma")]
for worker in named:
    worker.daemon = True
    worker.start()
raw_ident.append(thread.start_new_thread(raw_worker, ("raw",)))
wait_for_stdin(named)
