"""Objects a heap walk could not reach, found from what points to them: the fallback of
scan.py when a malloc heap is another allocator's or could not be walked whole.

Sources: what every object found refers to (referents.py), the collector's lists (linked
through the GC headers: only the links leaving the pools are followed, from the pool
objects' headers and the three generation heads), the interpreter's roots (roots.py).
An address is taken once (addrset.py), in sorted batches, and only when it is outside
the pools, the walked malloc heaps and the static data (their objects are found already).
"""

import struct

from ..errors import CpywalkerError
from ..layouts import obmalloc as o
from . import roots
from .addrset import AddressSet
from .referents import Referents
from .slots import Batch

#: Outside candidates handled per sorted batch.
BATCH = 1 << 16


class Follower:
    """The objects ``scan`` (a HeapScan) cannot see directly (see the module docstring)."""

    def __init__(self, scan):
        self.scan = scan
        self.reader = scan.reader
        self.referents = Referents(scan.reader, scan.types)
        self.seen = AddressSet(scan.types.mapped)
        self.pending = []
        self.statics = roots.static_ranges(scan.symbols)

    def follow(self, batch):
        """Queue what the objects of ``batch`` refer to, and the GC list links of those tracked."""
        of = self.referents.of
        found = []
        gc_head = self.scan.gc_head
        buf = batch.data
        for address, entry, off in batch.items():
            try:
                found += of(entry, buf, off, address)
                if entry.gc and off >= gc_head:
                    gc_next, _, gc_refs = struct.unpack_from("<QQq", buf, off - gc_head)
                    if gc_refs != o.GC_UNTRACKED:
                        found.append(gc_next + gc_head)
            except (CpywalkerError, struct.error) as error:
                self.scan.stats.problem("references", error)
        self._queue(found)

    def _queue(self, addresses):
        pools = self.scan.pools
        self.pending += self.seen.add_new(
            [a for a in addresses if a > 0 and not a & 7 and a not in pools])

    def _elsewhere(self, address):
        """Whether the object at ``address`` is found without following (walked, static)."""
        if address in self.scan.walked:
            return True
        return any(start <= address < end for start, end in self.statics)

    def batches(self):
        """The objects found from the roots and the queue, until nothing new turns up."""
        found, problem = roots.interpreter_roots(self.reader.cache, self.scan.symbols, self.scan.layout)
        self.scan.stats.roots_problem = problem
        self._queue([address for _, address in found] + list(self._generation_links()))
        stats = self.scan.stats
        while self.pending:
            batch = sorted(self.pending[:BATCH])
            del self.pending[:BATCH]
            for address in batch:
                if self._elsewhere(address):
                    continue
                item = self.scan.types.read_object(address)
                if item is None:
                    continue
                body, entry = item
                stats.objects["found by reference"] += 1
                batch = Batch(body, 0, address, 0, [entry], 0)
                self.scan.classify_classic(batch)
                yield batch
                self.follow(batch)
            self.scan.progress("following references", stats.objects["found by reference"], 0)

    def _generation_links(self):
        """The first object of each generation list (``_PyGC_generation0`` points to the
        first of three heads)."""
        slot = self.scan.symbols.address("_PyGC_generation0")
        if slot is None:
            return
        try:
            first = self.reader.word(slot)
            for index in range(3):
                yield self.reader.word(first + index * self.scan.layout.gc_generation.size) \
                    + self.scan.gc_head
        except CpywalkerError as error:
            self.scan.stats.problem("gc list", error)
