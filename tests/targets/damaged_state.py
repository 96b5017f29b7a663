# A python2.7 target that damages its own interpreter state, one step per line read on stdin.
# Two named worker threads park in known functions; the main thread serves steps. Each step
# prints one JSON line: the thread idents, the worker stacks and which names threading still
# gives. Steps: 'del' (del threading._active), 'none', 'list', 'mixed' (a dict of foreign
# keys and values, threads whose names are missing, not a str, or forge an output line),
# 'not-module' (sys.modules['threading'] = 5), 'gone' (del sys.modules['threading']), and
# 'frames': ctypes writes into the parked workers' frames and code (co_name an int,
# co_filename NULL, f_globals NULL, f_locals an int) and the main thread's module frame
# (f_locals an int). The GC is off: damaged frames are never traversed; the target is
# killed, never resumed.
import ctypes
import gc
import json
import os
import sys
import thread
import threading
import traceback

from parking import park, wait_until_parked

gc.disable()
#: x86_64 offsets (layouts/cpython27.py): PyFrameObject.f_globals, f_locals; PyCodeObject.co_filename, co_name
F_GLOBALS, F_LOCALS, CO_FILENAME, CO_NAME = 48, 56, 80, 88
KEEP = []
IMPOSTOR = threading.Thread(name="evil\nThread 0x1 \"forged\"")


def first_worker(token):
    marker = "first-local"
    park()


def second_worker(token):
    values = [token, token]
    park()


def write_pointer(address, value):
    ctypes.c_void_p.from_address(address).value = value


def damage(step, workers):
    if step == "del":
        del threading._active
    elif step == "none":
        threading._active = None
    elif step == "list":
        threading._active = [workers[0], 7]
    elif step == "mixed":
        first, second = workers
        first._Thread__name = 12345
        del second._Thread__name
        threading._active = {"key": first, 5: 7, 2 ** 80: second, first.ident: first,
                             second.ident: second, thread.get_ident(): IMPOSTOR}
    elif step == "not-module":
        sys.modules["threading"] = 5
    elif step == "gone":
        del sys.modules["threading"]
    elif step == "frames":
        frames = sys._current_frames()
        for worker in workers:
            frame = frames[worker.ident].f_back  # the worker function's frame, under park()
            number = 10 ** 6 + worker.ident % 1000
            KEEP.append(number)
            write_pointer(id(frame.f_code) + CO_NAME, id(number))
            write_pointer(id(frame.f_code) + CO_FILENAME, 0)
            write_pointer(id(frame) + F_GLOBALS, 0)
            write_pointer(id(frame) + F_LOCALS, id(number))
        module_frame = sys._getframe()
        while module_frame.f_back:
            module_frame = module_frame.f_back
        write_pointer(id(module_frame) + F_LOCALS, id(KEEP[0]))
    else:
        raise ValueError(step)


def report(step, workers):
    frames = sys._current_frames()
    stacks = dict((str(worker.ident), [list(entry[:3]) for entry in traceback.extract_stack(frames[worker.ident])])
                  for worker in workers) if step != "frames" else {}
    sys.stdout.write(json.dumps({"pid": os.getpid(), "step": step, "main_ident": thread.get_ident(),
                                 "workers": [worker.ident for worker in workers],
                                 "stacks": stacks}) + "\n")
    sys.stdout.flush()


def serve(workers):
    step = "start"
    while True:
        report(step, workers)
        step = sys.stdin.readline().strip()
        if not step:
            return
        damage(step, workers)


workers = [threading.Thread(target=first_worker, args=(1,), name="first"),
           threading.Thread(target=second_worker, args=(2,), name="second")]
for worker in workers:
    worker.daemon = True
    worker.start()
wait_until_parked([worker.ident for worker in workers])
serve(workers)
