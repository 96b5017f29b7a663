# A python2.7 target for bench_walkmemory: a list of 1M ints.
# Prints one JSON line {"pid", "list_1m_ints"}, then waits on stdin.
import json
import os
import sys

BIG = range(1000000)
sys.stdout.write(json.dumps({"pid": os.getpid(), "list_1m_ints": id(BIG)}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
