# A python2.7 target for hexdump and CLI read/write: known bytes in two pages with an
# unmapped page between them, and a writable buffer. Prints its handshake, then answers
# "show" with the buffer's contents; any other line (or EOF) ends it.
import ctypes
import json
import os
import sys

PAGE = 4096
PROT_READ_WRITE = 3
MAP_PRIVATE_ANONYMOUS = 0x22

libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                      ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

first = ("Hello, hexdump!\0" * 4 + "\0" * 1024 + "".join(chr(i) for i in range(256)) * 2)
first += "\xff" * (PAGE - len(first))
third = ("PAGE-THREE" * 500)[:PAGE]

pages = libc.mmap(None, 3 * PAGE, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0)
ctypes.memmove(pages, first, PAGE)
ctypes.memmove(pages + 2 * PAGE, third, PAGE)
libc.munmap(pages + PAGE, PAGE)

buf = ctypes.create_string_buffer("original contents of the buffer", 64)

sys.stdout.write(json.dumps({"pid": os.getpid(), "pages": pages, "page": PAGE,
                             "buffer": ctypes.addressof(buf)}) + "\n")
sys.stdout.flush()
while sys.stdin.readline() == "show\n":
    sys.stdout.write(json.dumps({"buffer": buf.raw.rstrip("\0")}) + "\n")
    sys.stdout.flush()
