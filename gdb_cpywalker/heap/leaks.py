"""Leak suspects: live objects whose refcount is more than every reference to them found.

References counted: what every live object refers to (referents.py), the interpreter's
roots (modules, sys and builtins dicts, each thread's frame, dict and exception state)
and the pointer words of the loaded object files' static data outside the static objects
themselves (C variables: the small int table, cached objects). A count lower than the
refcount means a reference nobody can see: a C extension's leaked incref, a C variable
or C stack holding the object, a running C function's locals. Two passes over the heap;
the counts are kept at one byte per 16 bytes of address space (countmap.py).
"""

import bisect
import struct
from collections import Counter

from ..errors import CpywalkerError
from . import roots
from .census import Census, Row, scan_notes
from .countmap import CountMap
from .referents import Referents

#: What the leak report says about the suspects every process has.
EXPECTED = ("objects held by C code are expected here too: static types, None, True, False, "
            "small ints, interned strings, the modules and code the interpreter keeps")


class LeakFinder:
    """Counts the references to every object of ``scan`` (one pass), then compares."""

    def __init__(self, scan):
        self.scan = scan
        self.counts = CountMap()
        self.referents = Referents(scan.reader, scan.types)
        self.problems = Counter()

    def count_references(self):
        """Pass 1: every reference found, counted per target address."""
        of = self.referents.of
        add = self.counts.add
        static_objects = []
        for batch in self.scan.batches():
            data = batch.data
            for address, entry, off in batch.items():
                try:
                    add(of(entry, data, off, address))
                except (CpywalkerError, struct.error, IndexError):
                    self.problems[entry.name] += 1
                if batch.stride == 8:
                    static_objects.append((address, address + entry.basicsize))
        found, problem = roots.interpreter_roots(self.scan.reader.cache, self.scan.symbols,
                                                 self.scan.layout)
        self.scan.stats.roots_problem = problem
        add([address for _, address in found])
        self._static_words(sorted(static_objects))

    def _static_words(self, extents):
        """Pointer words of static data that are not fields of static objects."""
        starts = [start for start, _ in extents]
        for start, data in roots.static_data(self.scan.reader.cache, self.scan.symbols):
            words = struct.unpack("<%dQ" % (len(data) // 8), data)
            outside = []
            for index, word in enumerate(words):
                if word < 4096 or word & 7:
                    continue
                address = start + index * 8
                position = bisect.bisect_right(starts, address) - 1
                if position >= 0 and address < extents[position][1]:
                    continue
                outside.append(word)
            self.counts.add(outside)

    def suspects(self):
        """Pass 2: ``(address, entry, refcount, references found, batch, off)`` of each
        object whose refcount is higher than its references found."""
        get = self.counts.get
        for batch in self.scan.batches():
            data = batch.data
            for address, entry, off in batch.items():
                refcnt = struct.unpack_from("<q", data, off)[0]
                found = get(address)
                if refcnt > found:
                    yield address, entry, refcnt, found, batch, off


def leak_census(scan):
    """The Census of the leak suspects (same shape as py-heap's) and the finder."""
    finder = LeakFinder(scan)
    finder.count_references()
    sizer = scan.types.sizer
    tallies = {}
    for address, entry, _, _, batch, off in finder.suspects():
        tally = tallies.setdefault(entry.name, [0, 0])
        tally[0] += 1
        try:
            tally[1] += sizer.size(entry, batch.data, off, address)
        except CpywalkerError:
            pass
    notes = scan_notes(scan.stats) + [EXPECTED]
    if finder.problems:
        notes.append("references of %d objects could not be read (%s): their targets may be "
                     "reported here" % (sum(finder.problems.values()),
                                        ", ".join(sorted(finder.problems))))
    rows = [Row(name, count, size) for name, (count, size) in tallies.items()]
    return Census(rows, notes=notes), finder
