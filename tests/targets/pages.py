# A python2.7 target with a known page layout, made with libc's mmap through ctypes:
# page 0 'A'*4096, page 1 'B'*4096 (both rw-p), page 2 'C'*4096 made read-only,
# page 3 unmapped (so reads stop at a known boundary).
import ctypes
import json
import os
import sys

PAGE = 4096
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
PROT_READ, PROT_WRITE = 1, 2
MAP_PRIVATE, MAP_ANONYMOUS = 0x02, 0x20

base = libc.mmap(None, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
for index, letter in enumerate("ABC"):
    ctypes.memmove(base + index * PAGE, letter * PAGE, PAGE)
libc.munmap(base + 3 * PAGE, PAGE)
libc.mprotect(base + 2 * PAGE, PAGE, PROT_READ)

sys.stdout.write(json.dumps({"pid": os.getpid(), "base": base, "page": PAGE}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
