# A python2.7 target for bench_heap: about 5 million live objects of the kinds a service
# holds (instances with slots and with a __dict__, classic instances, tuples, lists, dicts,
# strs, unicode, ints, floats); it times counting gc.get_objects() by type itself (best of
# 3, wall and CPU time), prints {"pid", "gc_objects", "gc_seconds", "gc_cpu"} and waits; each
# line "count" on stdin times it again and prints the same without "pid"; any other line ends it.
import gc
import json
import os
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 400000


class Record(object):
    __slots__ = ("id", "name", "score", "tags")

    def __init__(self, i):
        self.id = i
        self.name = "record-%d" % i
        self.score = i * 0.5
        self.tags = ("t%d" % (i % 100), i + 1)


class Session(object):
    def __init__(self, i):
        self.user = "user-%d" % i
        self.hits = i
        self.items = [i, i + 2, "x"]


class OldStyle:
    def __init__(self, i):
        self.n = i


gc.disable()
records = [Record(i) for i in range(N)]
sessions = [Session(i) for i in range(N // 2)]
olds = [OldStyle(i) for i in range(N // 4)]
index = dict(("key-%d" % i, i * 3) for i in range(N // 2))
blobs = [u"text %d" % i for i in range(N // 4)]
gc.enable()


def count_by_type():
    start, cpu = time.time(), time.clock()
    counts = {}
    for obj in gc.get_objects():
        kind = type(obj)
        counts[kind] = counts.get(kind, 0) + 1
    return time.time() - start, time.clock() - cpu, sum(counts.values())


def report(**extra):
    runs = [count_by_type() for _ in range(3)]
    extra.update(gc_objects=runs[0][2], gc_seconds=min(run[0] for run in runs),
                 gc_cpu=min(run[1] for run in runs))
    sys.stdout.write(json.dumps(extra) + "\n")
    sys.stdout.flush()


report(pid=os.getpid())
while sys.stdin.readline().strip() == "count":
    report()
