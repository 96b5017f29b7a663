# The python2.7 target whose core files the fuzz tests corrupt: three named threads parked in
# nested functions whose locals hold objects of many kinds, and ROOT, a list of everything.
# Prints {"pid", "root", "threads"} once all threads are parked, then waits on stdin.
import array
import collections
import datetime
import decimal
import json
import os
import sys
import threading

from parking import park, wait_until_parked


class Plain(object):
    def __init__(self, index):
        self.index = index
        self.label = "plain-%d" % index


class Slotted(object):
    __slots__ = ("left", "right")


class Classic:
    kind = "classic"


def make_objects():
    slotted = Slotted()
    slotted.left, slotted.right = [1, 2], u"right \u20ac"
    classic = Classic()
    classic.items = {"a": 1}
    cyclic = [1, 2]
    cyclic.append(cyclic)
    return [
        0, -7, sys.maxint, 2 ** 100, -(3 ** 70), 0.1, -0.0, float("inf"), 1 + 2j, True, None,
        "", "text", "\x00\xff" * 40, "x" * 5000, u"caf\xe9 \U0001f600", bytearray("bytes"),
        (), (1, "two", 3.0), [], [Plain(i) for i in range(20)], dict(("k%d" % i, i) for i in range(64)),
        {(1, 2): frozenset([3]), "nested": {"deeper": [[], {}]}}, set(range(50)), frozenset("abc"),
        collections.OrderedDict([("b", 1), ("a", 2)]), collections.defaultdict(list, x=[1]),
        collections.deque([1, 2, 3]), collections.Counter("abracadabra"),
        array.array("i", range(10)), datetime.datetime(2020, 1, 2, 3, 4, 5), decimal.Decimal("1.50"),
        slotted, classic, Classic, Plain, cyclic, xrange(3, 30, 3), slice(1, None, 2),
        Plain.__init__, Plain(99).__init__, len, sys, json, ValueError("bad"), sys._getframe(),
        lambda value: value,
    ]


ROOT = make_objects()


def holder(depth, objects):
    mapping = {"objects": objects, "depth": depth}
    text = "depth %d" % depth
    if depth:
        holder(depth - 1, objects[::2])
    else:
        park()


threading.stack_size(256 * 1024)  # small stacks, small core files
workers = [threading.Thread(target=holder, args=(depth, make_objects()), name="holder-%d" % depth)
           for depth in (1, 3, 6)]
for worker in workers:
    worker.daemon = True
    worker.start()
wait_until_parked([worker.ident for worker in workers])
sys.stdout.write(json.dumps({"pid": os.getpid(), "root": id(ROOT),
                             "threads": [worker.ident for worker in workers]}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
