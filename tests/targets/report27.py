# A python2.7 program for the mmaptracker report: mappings made from known lines, kept or
# closed, a 20 MB string (glibc serves it with mmap), many map/close pairs, a thread's map.
# Prints one JSON line (pid, addresses, what it kept), then waits for a line on stdin (or not, with
# "nowait") before exiting. Usage: report27.py PAIRS [nowait]
import ctypes
import json
import mmap
import os
import sys

PAGE = 4096
kept = []


def address_of(mapping):
    return ctypes.addressof(ctypes.c_char.from_buffer(mapping))


def allocate(pages):
    return mmap.mmap(-1, pages * PAGE)  # LINE allocate


def first_caller():
    kept.append(allocate(5))  # LINE first_caller


def second_caller():
    kept.append(allocate(7))  # LINE second_caller


def nested_inner():
    return allocate(11)  # LINE nested_inner


def nested_outer():
    return nested_inner()  # LINE nested_outer


def closed_again():
    allocate(3).close()  # LINE closed_again


def churn(pairs):
    for _ in range(pairs):
        allocate(2).close()  # LINE churn


def big_string():
    return "x" * (20 * 1024 * 1024)  # LINE big_string


first_caller()  # LINE module_first
second_caller()  # LINE module_second
nested = nested_outer()  # LINE module_nested
closed_again()  # LINE module_closed
churn(int(sys.argv[1]))  # LINE module_churn
big = big_string()  # LINE module_big


def in_a_thread():
    kept.append(allocate(13))  # LINE in_a_thread


import threading  # noqa: E402 (here: the lines above keep the numbers the docs show)
worker = threading.Thread(target=in_a_thread)
worker.start()
worker.join()
kept[0][:] = "k" * len(kept[0])  # every page of the first caller's mapping resident
sys.stdout.write(json.dumps({
    "pid": os.getpid(), "first": address_of(kept[0]), "second": address_of(kept[1]),
    "nested": address_of(nested), "big": len(big)}) + "\n")
sys.stdout.flush()
if sys.argv[2:] != ["nowait"]:
    sys.stdin.readline()
