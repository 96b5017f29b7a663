# A python2.7 target running greenlets, for py-bt --greenlets and py-greenlets.
#
#   python2.7 greenlets.py GREENLET_DIR       greenlet imported from GREENLET_DIR (pip --target)
#   python2.7 greenlets.py --fake VERSION     a module named greenlet with only __version__
#   python2.7 greenlets.py --none             no greenlet module at all
#
# The main thread's main greenlet switches into "runner", which starts: greenlets suspended in
# distinct nested functions with known locals (alpha, beta, a Worker subclass), one finished,
# one never started, and one leaked (its only reference is a leaked refcount: no name, list or
# frame holds it). A second thread runs its own main greenlet with one suspended child. The
# runner prints the handshake (every greenlet's id, type, state, parent, thread, stack outermost
# first and the repr and id of its frames' locals) and blocks reading stdin.
import ctypes
import json
import os
import sys
import thread
import time
import traceback
import types

MODE = sys.argv[1]
if MODE == "--fake":
    greenlet = sys.modules["greenlet"] = types.ModuleType("greenlet")
    greenlet.__version__ = sys.argv[2]
elif MODE != "--none":
    sys.path.insert(0, os.path.abspath(MODE))
    import greenlet

#: id(greenlet) -> {function: {name: [repr, id]}}
EXPECTED = {}
KEEP = []


def expect(*pairs):
    """Record the repr and id of the caller's locals under the current greenlet and function."""
    function = sys._getframe(1).f_code.co_name
    EXPECTED.setdefault(id(greenlet.getcurrent()), {})[function] = dict(
        (name, [repr(value), id(value)]) for name, value in pairs)


def suspend():
    greenlet.getcurrent().parent.switch()


def alpha_inner(items, label):
    ratio = 0.25
    mapping = {"alpha": items}
    expect(("items", items), ("label", label), ("ratio", ratio), ("mapping", mapping))
    suspend()


def alpha(count):
    items = range(count)
    alpha_inner(items, u"alpha-\u00e9")


def beta_recurse(depth, trail):
    trail = trail + (depth,)
    if depth == 0:
        expect(("depth", depth), ("trail", trail))
        suspend()
    else:
        beta_recurse(depth - 1, trail)


def finished(value):
    return value * 2


def never_started(): pass


def leaked_waiter(secret):
    token = "leaked-token"
    expect(("secret", secret), ("token", token))
    suspend()


def gamma(seed):
    total = seed + 1
    expect(("seed", seed), ("total", total))
    suspend()


def stack_of(frame):
    return [list(entry[:3]) for entry in traceback.extract_stack(frame)]


def record(g, state, stack=None, thread_ident=None):
    entry = {"id": id(g), "type": "%s.%s" % (type(g).__module__, type(g).__name__), "state": state,
             "parent": id(g.parent) if g.parent is not None else None, "main": g.parent is None,
             "thread": thread_ident, "stack": stack or [], "locals": EXPECTED.get(id(g), {})}
    if state == "not started":
        entry["run"] = repr(g.run)
    return entry


def state_of(g):
    if g.dead:
        return "dead"
    return "suspended" if g else "not started"


second = {}


def second_thread():
    child = greenlet.greenlet(gamma)
    child.switch(41)
    second.update(main=greenlet.getcurrent(), child=child, ident=thread.get_ident())
    lock = thread.allocate_lock()
    lock.acquire()
    second["lock"] = lock
    lock.acquire()


PARK_LINE = second_thread.__code__.co_firstlineno + 7


def wait_for_second_thread():
    while True:
        frame = sys._current_frames().get(second.get("ident"))
        if frame is not None and frame.f_lineno == PARK_LINE and "lock" in second:
            return frame
        time.sleep(0.01)


if MODE in ("--fake", "--none"):
    sys.stdout.write(json.dumps({"pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    sys.stdin.readline()
    sys.exit(0)


class Worker(greenlet.greenlet):
    def run(self, job):
        note = "worker-note"
        expect(("job", job), ("note", note))
        suspend()


def handshake(runner, main_greenlet, line):
    me = thread.get_ident()
    records = [record(main_greenlet, "suspended", stack_of(main_greenlet.gr_frame), me)]
    running = stack_of(sys._getframe(1))
    running[-1][1] = line
    records.append(record(runner, "running", running, me))
    for g in KEEP + [ctypes.cast(LEAKED[0], ctypes.py_object).value]:
        records.append(record(g, state_of(g), stack_of(g.gr_frame) if g.gr_frame else [], me))
    other = wait_for_second_thread()
    records.append(record(second["main"], "running", stack_of(other), second["ident"]))
    records.append(record(second["child"], "suspended", stack_of(second["child"].gr_frame),
                          second["ident"]))
    sys.stdout.write(json.dumps({
        "pid": os.getpid(), "version": greenlet.__version__, "main_ident": me,
        "second_ident": second["ident"], "leaked": LEAKED[0], "greenlets": records,
        "script": os.path.abspath(__file__)}) + "\n")
    sys.stdout.flush()


def wait_for_stdin(runner, main_greenlet):
    handshake(runner, main_greenlet, sys._getframe().f_lineno + 1)
    sys.stdin.readline()


LEAKED = []


def run_main(main_greenlet):
    KEEP.append(greenlet.greenlet(alpha))
    KEEP[-1].switch(3)
    KEEP.append(greenlet.greenlet(beta_recurse))
    KEEP[-1].switch(2, ())
    KEEP.append(Worker())
    KEEP[-1].switch("job-7")
    KEEP.append(greenlet.greenlet(finished))
    KEEP[-1].switch(21)
    KEEP.append(greenlet.greenlet(never_started))
    leaked = greenlet.greenlet(leaked_waiter)
    leaked.switch("s3cret")
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(leaked))
    LEAKED.append(id(leaked))
    del leaked
    thread.start_new_thread(second_thread, ())
    wait_for_second_thread()
    wait_for_stdin(greenlet.getcurrent(), main_greenlet)


def main():
    runner = greenlet.greenlet(run_main)
    runner.switch(greenlet.getcurrent())


main()
