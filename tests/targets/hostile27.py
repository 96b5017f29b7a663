# A python2.7 program whose mappings come from places that are easy to get wrong: the main
# thread starting a thread (its stack is mapped while the new thread state already exists),
# a thread started from C (ctypes calls Python back from a pthread of its own), deep
# recursion, a generator, a forked child that maps, and code whose file and function names
# hold bytes a report must escape (XML and folded-stack separators, a newline, non-UTF-8).
# Prints one JSON line (pid, recursion depth, pages of the odd names' mapping), then exits without finalizing (os._exit): the
# mappings stay live to the end of the log.
# Usage: hostile27.py
import ctypes
import json
import mmap
import os
import sys
import threading
import types

PAGE = 4096
DEPTH = 900
kept = []


def allocate(pages):
    return mmap.mmap(-1, pages * PAGE)  # LINE allocate


def start_a_thread():
    worker = threading.Thread(target=lambda: kept.append(allocate(3)))  # LINE thread_lambda
    worker.start()  # LINE thread_start
    worker.join()


def recurse(depth):
    if depth:
        return recurse(depth - 1)  # LINE recurse
    kept.append(allocate(5))  # LINE deepest


def generate():
    yield allocate(6)  # LINE generator


def in_a_forked_child():
    child = os.fork()
    if child == 0:
        mmap.mmap(-1, 8 * PAGE)  # LINE forked_child
        os._exit(0)
    os.waitpid(child, 0)


def from_a_c_thread():
    libc = ctypes.CDLL(None)
    callback_type = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)
    callback = callback_type(lambda _: kept.append(allocate(9)))  # LINE c_thread
    thread = ctypes.c_ulong()
    libc.pthread_create(ctypes.byref(thread), None, callback, None)
    libc.pthread_join(thread, None)


ODD_FILE = "/opt/app/caf\xc3\xa9 <&\"'>;\xff.py"
ODD_NAME = "odd <&\"'>; name\nsecond line"
ODD_PAGES = 32768  # 128 MiB, never touched: the widest frame of the flame graph
ODD_SOURCE = "def f():\n    return allocate(%d)\n" % ODD_PAGES  # its line 2 maps
odd_code = compile(ODD_SOURCE, ODD_FILE, "exec").co_consts[0]
odd_code = types.CodeType(odd_code.co_argcount, odd_code.co_nlocals, odd_code.co_stacksize,
                          odd_code.co_flags, odd_code.co_code, odd_code.co_consts, odd_code.co_names,
                          odd_code.co_varnames, ODD_FILE, ODD_NAME, odd_code.co_firstlineno,
                          odd_code.co_lnotab)
odd_function = types.FunctionType(odd_code, globals())

start_a_thread()  # LINE module_thread
recurse(DEPTH)  # LINE module_recurse
kept.extend(generate())  # LINE module_generator
in_a_forked_child()  # LINE module_fork
from_a_c_thread()  # LINE module_c_thread
kept.append(odd_function())  # LINE module_odd
sys.stdout.write(json.dumps({"pid": os.getpid(), "depth": DEPTH, "odd_pages": ODD_PAGES}) + "\n")
sys.stdout.flush()
os._exit(0)
