# A python2.7 target that allocates a few recognisable things, prints its handshake, waits.
import json
import mmap
import os
import sys

marker = "CPYWALKER-MARKER-" * 4
buf = mmap.mmap(-1, 3 * 4096)
buf.write("Hello, hexdump!\0" * 64)
sys.stdout.write(json.dumps({"pid": os.getpid(), "marker_id": id(marker),
                             "marker_len": len(marker)}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
