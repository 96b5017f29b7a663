# A python2.7 target for bench_walkmemory: a list of 1M ints and a 500 MB str.
# Prints one JSON line {"pid", "list_1m_ints", "str_500mb"}, then waits on stdin.
import json
import os
import sys

BIG = range(1000000)
TEXT = "x" * 500000000
sys.stdout.write(json.dumps({"pid": os.getpid(), "list_1m_ints": id(BIG), "str_500mb": id(TEXT)})
                 + "\n")
sys.stdout.flush()
sys.stdin.readline()
