# A python2.7 program for mmaptracker: anonymous maps of 17 and 19 pages made from nested
# functions, the second one closed again; prints one JSON line and exits.
import json
import mmap
import os
import sys

PAGE = 4096


def allocate(pages):
    return mmap.mmap(-1, pages * PAGE)


def nested_allocation():
    return allocate(17)


kept = nested_allocation()
allocate(19).close()
sys.stdout.write(json.dumps({"pid": os.getpid()}) + "\n")
