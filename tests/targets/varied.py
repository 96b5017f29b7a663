# A python2.7 target holding SIZE bytes (default 8 MiB) of varied contents in one buffer:
# machine code, source text, zeros, random bytes, pointer tables and 0xff fill, in 64 KiB
# pieces. Prints its handshake with the buffer's address, then waits on stdin.
import ctypes
import json
import os
import struct
import sys

PIECE = 64 * 1024
size = int(sys.argv[1]) if len(sys.argv) > 1 else 8 << 20


def repeat_to(data, length):
    return (data * (length // max(len(data), 1) + 1))[:length]


code = open(sys.executable, "rb").read()
text = open(os.__file__.replace(".pyc", ".py")).read()
objects = [object() for _ in range(1024)]
pointers = "".join(struct.pack("<QQ", id(o), i) for i, o in enumerate(objects))
kinds = [lambda i: code[(i * PIECE) % max(len(code) - PIECE, 1):][:PIECE],
         lambda i: repeat_to(text[(i * 997) % len(text):] + text, PIECE),
         lambda i: "\0" * PIECE,
         lambda i: os.urandom(PIECE),
         lambda i: repeat_to(pointers, PIECE),
         lambda i: "\xff" * PIECE]
pieces = [repeat_to(kinds[i % len(kinds)](i), PIECE) for i in range(size // PIECE)]
buf = ctypes.create_string_buffer("".join(pieces), size)

sys.stdout.write(json.dumps({"pid": os.getpid(), "address": ctypes.addressof(buf), "size": size}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
