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
from .census import Census, Row, found_by, scan_notes
from .countmap import CountMap
from .referents import Referents

#: What the leak report says about the suspects every process has.
EXPECTED = ("objects held by C code are expected here too: static types, None, True, False, "
            "small ints, interned strings, the modules and code the interpreter keeps")


class LeakFinder:
    """Counts the references to every object of ``scan`` (one pass), then compares."""

    def __init__(self, scan):
        self.scan = scan
        self.counts = CountMap(scan.types.mapped)
        self.referents = Referents(scan.reader, scan.types)
        self.problems = Counter()

    def count_references(self):
        """Pass 1: every reference found, counted per target address."""
        of = self.referents.of
        holds = self.referents.holds_references
        add = self.counts.add
        static_objects = []
        for batch in self.scan.batches():
            data = batch.data
            found = []
            if batch.stride == 8:
                static_objects += [(address, address + entry.basicsize)
                                   for address, entry, _ in batch.items()]
            wanted = {entry for entry in set(batch.entries) if entry is not None and holds(entry)}
            if not wanted:
                continue
            for address, entry, off in batch.items():
                if entry not in wanted:
                    continue
                try:
                    found += of(entry, data, off, address)
                except (CpywalkerError, struct.error, IndexError):
                    self.problems[entry.name] += 1
            add(found)
        found, problem = roots.interpreter_roots(self.scan.reader.cache, self.scan.symbols,
                                                 self.scan.layout)
        self.scan.stats.roots_problem = problem
        add([address for _, address in found])
        self._static_words(sorted(static_objects))

    def _static_words(self, extents):
        """Pointer words of static data that are not fields of static objects."""
        starts = [start for start, _ in extents]
        mapped = self.scan.types.mapped
        for start, data in roots.static_data(self.scan.reader.cache, self.scan.symbols):
            words = struct.unpack("<%dQ" % (len(data) // 8), data)
            outside = []
            for index, word in enumerate(words):
                if word < 4096 or word & 7 or word not in mapped:
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
        refcount = struct.Struct("<q").unpack_from
        for batch in self.scan.batches():
            data = batch.data
            for address, entry, off in batch.items():
                count = refcount(data, off)[0]
                if count > get(address):
                    yield address, entry, count, get(address), batch, off


def leak_census(scan):
    """The Census of the leak suspects (same shape as py-heap's) and the finder."""
    finder = LeakFinder(scan)
    finder.count_references()
    sizer = scan.types.sizer
    tallies = {}
    for address, entry, _, _, batch, off in finder.suspects():
        try:
            size = sizer.size(entry, batch.data, off, address, sizer.bound(entry, batch))
        except CpywalkerError:
            scan.stats.damaged[entry.name] += 1
            continue
        tally = tallies.setdefault(entry.name, [0, 0])
        tally[0] += 1
        tally[1] += size
    notes = scan_notes(scan.stats) + [EXPECTED]
    if finder.problems:
        notes.append("references of %d objects could not be read (%s): their targets may be "
                     "reported here" % (sum(finder.problems.values()),
                                        ", ".join(sorted(finder.problems))))
    rows = [Row(name, count, size) for name, (count, size) in tallies.items()]
    return Census(rows, notes=notes, found=found_by(scan.stats)), finder
