# A python2.7 target for the reliability tests: a list of COUNT ints (argv[1], default
# 300000) to walk while the target is killed, and a function whose locals are long strings.
# Prints one JSON line with their ids, then waits on stdin inside that function.
import json
import os
import sys

BIG = range(int(sys.argv[1]) if len(sys.argv) > 1 else 300000)


def hold(long_str, long_unicode):
    long_bytes = bytearray("z" * 6000)
    sys.stdout.write(json.dumps({
        "pid": os.getpid(), "big": id(BIG), "long_str": id(long_str),
        "long_unicode": id(long_unicode), "long_bytes": id(long_bytes)}) + "\n")
    sys.stdout.flush()
    sys.stdin.readline()


hold("x" * 10000, u"\u00e9" * 5000)
