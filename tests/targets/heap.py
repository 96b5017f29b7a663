"""A heap with known numbers of objects of distinctive types, for py-heap and py-refs.

Plants: instances of a class with a __dict__, of ``class Plain(object): __slots__ = ()``
(no GC header, in no gc list), classic instances, str/int subclasses with empty slots (GC
types in 2.7), subclasses of the builtins with their own __sizeof__, big (> 512 bytes)
objects outside pymalloc (some made by a thread: in its malloc arena), uncollected cycles (gc disabled), objects kept alive only by a
leaked refcount, and objects freed again. Reports, per type, the count and the sum of
sys.getsizeof the target computes itself; the ids of some objects and what gc says
refers to one of them. Then blocks on stdin; a line "grow" adds 10 Orders and reports again.
"""

import array
import collections
import ctypes
import gc
import json
import os
import sys
import threading

gc.disable()


class Order(object):
    def __init__(self, number):
        self.number = number
        self.label = "order-%d" % number


class Plain(object):
    __slots__ = ()


class OldOrder:
    def __init__(self, number):
        self.number = number


class SlotStr(str):
    __slots__ = ()


class SlotInt(int):
    __slots__ = ()


class MyList(list): pass
class MyTuple(tuple): pass
class MyDict(dict): pass
class MySet(set): pass
class MyFrozenSet(frozenset): pass
class MyUnicode(unicode): pass
class MyLong(long): pass
class MyFloat(float): pass
class MyBytearray(bytearray): pass
class MyDeque(collections.deque): pass
class MyArray(array.array): pass


class Blob(str):
    """Big strings: outside pymalloc."""


class BigSlots(object):
    __slots__ = tuple("s%d" % i for i in range(70))


class ThreadBlob(str):
    """Big strings made by another thread: in that thread's malloc arena."""


class ThreadBig(object):
    __slots__ = tuple("t%d" % i for i in range(80))


class Cycle(object):
    pass


class Leaked(object):
    pass


class Freed(object):
    pass


def leak(obj):
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


orders = [Order(i) for i in range(1200)]
plains = [Plain() for _ in range(333)]
olds = [OldOrder(i) for i in range(111)]
slot_strs = [SlotStr("s" * (i % 40)) for i in range(50)]
slot_ints = [SlotInt(i) for i in range(60)]
builtins = [
    MyList(range(i)) for i in range(30)] + [MyTuple(range(i)) for i in range(30)] + [
    MyDict((j, j) for j in range(i)) for i in range(20)] + [MySet(range(i)) for i in range(20)] + [
    MyFrozenSet(range(i)) for i in range(15)] + [MyUnicode(u"\u20ac" * i) for i in range(25)] + [
    MyLong(7 ** i) for i in range(25)] + [MyFloat(i / 3.0) for i in range(25)] + [
    MyBytearray(b"x" * i) for i in range(25)] + [MyDeque(range(i * 20)) for i in range(12)] + [
    MyArray("d", [1.0] * i) for i in range(12)]
blobs = [Blob("b" * (600 + 97 * i)) for i in range(9)]
bigs = [BigSlots() for _ in range(13)]
in_thread = []
worker = threading.Thread(target=lambda: in_thread.extend(
    [ThreadBlob("t" * (3000 + i)) for i in range(5)] + [ThreadBig() for _ in range(4)]))
worker.start()
worker.join()
for _ in range(40):
    first, second = Cycle(), Cycle()
    first.other, second.other = second, first
    del first, second
for _ in range(3):
    big_cycle = BigSlots()
    big_cycle.s0 = big_cycle
del big_cycle
leaked_ids = []
for _ in range(7):
    kept = Leaked()
    leak(kept)
    leaked_ids.append(id(kept))
    del kept
freed = [Freed() for _ in range(500)]
del freed
holder = Order(-1)
target = orders[3]
registry = {"last": target}
holder.ref = target
del target


def suspended(n):
    for i in range(n):
        yield i


generators = [suspended(3) for _ in range(4)]
for generator in generators:
    next(generator)


def sizes(objects):
    return [len(objects), sum(sys.getsizeof(obj) for obj in objects)]


def report(extra):
    """The handshake: per type [count, sys.getsizeof sum], ids, referrers, frames."""
    referrers = sorted(id(obj) for obj in gc.get_referrers(orders[3]))
    refcount = sys.getrefcount(orders[3]) - 1
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    frames += [generator.gi_frame for generator in generators]
    classes = collections.defaultdict(list)
    for obj in orders + [holder] + plains + olds + slot_strs + slot_ints + builtins + blobs + bigs \
            + in_thread:
        classes[obj.__class__.__name__].append(obj)
    info = {
        "pid": os.getpid(),
        "types": dict((name, sizes(objects)) for name, objects in classes.items()),
        "frames": sizes(frames),
        "cycles": [80, 80 * sys.getsizeof(Cycle())],
        "big_cycles": [3, 3 * sys.getsizeof(BigSlots())],
        "leaked": sorted(leaked_ids),
        "leaked_size": sys.getsizeof(Leaked()),
        "plain_ids": sorted(id(obj) for obj in plains),
        "old_repr": [id(olds[5]), repr(olds[5])],
        "blob_ids": sorted(id(obj) for obj in blobs),
        "target": id(orders[3]),
        "referrers": referrers,
        "target_refcount": refcount,
    }
    info.update(extra)
    return info


def wait():
    while True:
        print(json.dumps(report({})))
        sys.stdout.flush()
        line = sys.stdin.readline()
        if line.strip() != "grow":
            return
        orders.extend(Order(len(orders) + i) for i in range(10))


wait()
