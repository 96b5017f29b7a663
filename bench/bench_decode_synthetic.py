"""In-process speed of ``--format repr`` on a synthetic 2.7 heap (no target, no syscalls).

Builds the three objects of the py-walk speed goal in an ImageMemory (a 1M-int list, a
200k-entry str->int dict, a 100k list of [int, str, float] rows) and a 100,000-deep
nested list (one object per level: per-object overhead, not the flat hot path), renders
each with no limits and prints objects/s; the output is checked against Python's own repr.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "unit"))
sys.path.insert(0, os.path.join(HERE, ".."))

from builder import ImageBuilder, Ref  # noqa: E402

from gdb_cpywalker.decode import repr_at  # noqa: E402
from gdb_cpywalker.memory.cache import PageCache  # noqa: E402


def int_list(builder):
    values = list(range(1000000))
    return builder.list_([Ref(a) for a in builder.ints(values)]), 1 + len(values), repr(values)


def str_dict(builder):
    pairs = [(b"k%d" % i, i) for i in range(200000)]
    expected = "{" + ", ".join("'k%d': %d" % (i, i) for i in range(200000)) + "}"
    return builder.dict_(pairs), 1 + 2 * len(pairs), expected


def rows(builder):
    values = [[i, b"s%d" % i, i * 0.5] for i in range(100000)]
    expected = "[" + ", ".join("[%d, 's%d', %r]" % (i, i, i * 0.5) for i in range(100000)) + "]"
    return builder.list_(values), 1 + 4 * len(values), expected


def deep_list(builder):
    address = builder.list_([])
    for _ in range(100000):
        address = builder.list_([Ref(address)])
    return address, 100001, "[" * 100001 + "]" * 100001


def main():
    for name, make in (("1M-int list", int_list), ("200k str->int dict", str_dict),
                       ("100k [int, str, float] rows", rows), ("100k-deep nested list", deep_list)):
        builder = ImageBuilder()
        address, objects, expected = make(builder)
        image = builder.image()
        best = None
        for _ in range(3):
            memory = PageCache(image)
            started = time.perf_counter()
            text = repr_at(memory, address)
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        status = "ok" if text == expected else "MISMATCH"
        print("%-28s %8d objects  %7.3f s  %10.0f objects/s  %s"
              % (name, objects, best, objects / best, status), flush=True)


if __name__ == "__main__":
    main()
