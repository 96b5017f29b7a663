# A python2.7 target for bench_pywalk: big containers, each timed through its own repr().
# Prints one JSON line {"pid", "objects": {name: {"id", "repr_seconds", "repr_cpu", "repr_md5"}}},
# waits on stdin.
import hashlib
import json
import os
import sys
import threading
import time


def nested(depth):
    nest = []
    for _ in xrange(depth):
        nest = [nest]
    return nest


OBJECTS = {
    "list_1m_ints": range(1000000),
    "dict_200k_str_int": dict(("key%d" % i, i) for i in range(200000)),
    "rows_100k": [[i, "row%d" % i, i * 0.5] for i in range(100000)],
    "unicode_50k": [u"name%d" % i if i % 4 else u"caf\xe9 \u20ac%d" % i for i in range(50000)],
    "tuples_100k": [(i, "v%d" % i) for i in range(100000)],
    "nested_100k": nested(100000),
}
#: repr() of the deep nest recurses once per level: room for it
sys.setrecursionlimit(1000000)
threading.stack_size(512 << 20)


def timed_repr(obj):
    """(wall seconds, CPU seconds) of one repr(obj)."""
    start, cpu = time.time(), time.clock()
    repr(obj)
    return time.time() - start, time.clock() - cpu


def best_repr(obj):
    """The best of 3 (of 1 when a repr takes over a second: the deep nest's Py_ReprEnter
    scans the whole path at every level)."""
    times = [timed_repr(obj)]
    if times[0][0] < 1:
        times += [timed_repr(obj) for _ in range(2)]
    return min(times)


def measure(report):
    for name, obj in sorted(OBJECTS.items()):
        seconds, cpu = best_repr(obj)
        report[name] = {"id": id(obj), "repr_seconds": seconds, "repr_cpu": cpu,
                        "repr_md5": hashlib.md5(repr(obj)).hexdigest()}


report = {}
worker = threading.Thread(target=measure, args=(report,))
worker.start()
worker.join()
sys.stdout.write(json.dumps({"pid": os.getpid(), "objects": report}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
