# A python2.7 target for bench_pywalk: big containers, each timed through its own repr().
# Prints one JSON line {"pid", "objects": {name: {"id", "repr_seconds", "repr_md5"}}}, waits on stdin.
import hashlib
import json
import os
import sys
import time

OBJECTS = {
    "list_1m_ints": range(1000000),
    "dict_200k_str_int": dict(("key%d" % i, i) for i in range(200000)),
    "rows_100k": [[i, "row%d" % i, i * 0.5] for i in range(100000)],
}


def timed_repr(obj):
    start = time.time()
    repr(obj)
    return time.time() - start


report = {}
for name, obj in sorted(OBJECTS.items()):
    seconds = min(timed_repr(obj) for _ in range(3))
    report[name] = {"id": id(obj), "repr_seconds": seconds,
                    "repr_md5": hashlib.md5(repr(obj)).hexdigest()}
sys.stdout.write(json.dumps({"pid": os.getpid(), "objects": report}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
