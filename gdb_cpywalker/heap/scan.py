"""One pass over a stopped target's heap: every live object once, read in big chunks.

Where objects are, and how each place is read:

1. malloc's chunks (glibc.py): bigger objects, ints and floats (2.7 keeps them in blocks
   of 41 malloc'ed together), each at the start of its chunk or a GC header in, taken
   only when the object's allocation size fits the chunk's.
2. pymalloc's pools (pymalloc.py): each pool is read whole and its blocks' headers are
   decoded from the bytes (slots.py): a block in use holds a live object when its
   refcount is positive and its type is a real type (types.py), at the block's start, or
   ``sizeof(PyGC_Head)`` in for a GC type.
3. the loaded object files' writable data: static objects (types, None, True, ...).
4. only when a malloc heap could not be walked (another allocator, a corrupt chunk):
   what the objects found refer to, the collector's lists and the interpreter's roots
   (follow.py).

``HeapScan.batches()`` yields ``slots.Batch`` objects: a run of slots with one type entry
(or None) per slot, their bytes alongside; a classic instance comes with its class's entry.
Free blocks, free-list objects (refcount 0) and blocks whose type is not a type are never
in a batch. ``stats`` says what was read and what could not be.
"""

import bisect
import struct
from collections import Counter

from ..errors import CpywalkerError
from ..interp.objects import StateReader
from ..layouts import obmalloc as o
from ..memory.cache import PageCache
from . import glibc, pymalloc, roots
from .slots import Batch, SlotDecoder
from .types import Mapped, TypeTable

#: Pages the scan's own page cache keeps (reads outside the big ones).
CACHE_PAGES = 4096
#: Pool headers read per batch while looking for pools without symbols.
HEADER_BATCH = 4096
#: 2.7's int and float blocks: BLOCK_SIZE 1000 less the ``next`` pointer, in objects.
NUMBER_BLOCK = 1000
#: Most int blocks decoded as one run.
MAX_RUN = 1024
#: Most bytes a chunk has beyond its request: rounding to 16, and a remainder too small
#: to split off (under MINSIZE).
SLACK = glibc.MALLOC_ALIGNMENT + glibc.MINSIZE


class ScanStats:
    """What a scan covered: how pools were found, what it read, what it could not use."""

    def __init__(self):
        self.method = None
        self.alignment = None
        self.pools = 0
        #: objects and their allocated bytes by where they are: pymalloc, malloc, static
        self.objects = Counter()
        self.object_bytes = Counter()
        self.malloc_spans = []
        self.bytes_read = 0
        self.corrupt = Counter()
        self.first_problems = []
        self.followed = False
        self.roots_problem = None

    def problem(self, kind, error):
        self.corrupt[kind] += 1
        if len(self.first_problems) < 5:
            self.first_problems.append(str(error))


class HeapScan:
    """Every live object of a stopped target (see the module docstring).

    ``follow``: "auto" follows references only when a malloc heap was not walked whole;
    True always, False never.
    """

    def __init__(self, memory, layout, symbols, regions, follow="auto", progress=None):
        self.raw = memory.backend if isinstance(memory, PageCache) else memory
        self.reader = StateReader(PageCache(self.raw, max_pages=CACHE_PAGES), layout)
        self.layout = layout
        self.symbols = symbols
        self.regions = regions
        self.follow = follow
        self.progress = progress or (lambda phase, done, total: None)
        self.types = TypeTable(self.reader, Mapped(regions))
        self.gc_head = layout.PyGC_Head.size
        self.decoder = SlotDecoder(self.types, self.gc_head)
        item = layout.PyIntObject.size
        self._number_block_bytes = self.reader.psize + (NUMBER_BLOCK - self.reader.psize) // item * item
        #: the chunk of an int block when malloc gave it exactly what it asked for: a whole
        #: number of slots, the block's ``next`` pointer and the chunk header making one
        self._number_run_chunk = self._number_block_bytes + 2 * self.reader.psize
        self.stats = ScanStats()
        self.pool_reader = None
        #: requests up to this size are pymalloc's (SMALL_REQUEST_THRESHOLD)
        self.small_request = 512
        self.pool_pages = set()
        self.follower = None
        self._walked = ([], [])

    def batches(self):
        """Every live object, in batches (see the module docstring); ``stats`` describe the
        last pass."""
        self.stats = ScanStats()
        self.follower = None
        spans, rest = glibc.malloc_spans(self.raw, self.regions)
        runs = self.find_pools(rest)
        total = sum(end - start for start, end in runs) + sum(s.end - s.start for s in spans)
        done = [0]

        def on_bytes(count):
            done[0] += count
            self.stats.bytes_read += count
            self.progress("reading the heap", done[0], total)

        complete = yield from self._malloc_batches(spans, on_bytes)
        if self.follow is True or (self.follow == "auto" and not complete):
            from .follow import Follower  # only when a heap could not be walked

            self.follower = Follower(self)
            self.stats.followed = True
            for batch in self._malloc_batches(spans, lambda count: None, again=True):
                self.follower.follow(batch)
        yield from self._followed(self._pool_batches(runs, on_bytes))
        yield from self._followed(self._static_batches())
        if self.follower is not None:
            yield from self.follower.batches()

    def _followed(self, batches):
        for batch in batches:
            yield batch
            if self.follower is not None:
                self.follower.follow(batch)

    def in_walked_malloc(self, address):
        """Whether ``address`` is inside a malloc heap walked whole (its objects are found)."""
        starts, ends = self._walked
        index = bisect.bisect_right(starts, address) - 1
        return index >= 0 and address < ends[index]

    def classify_classic(self, batch):
        """File each classic instance under its class's entry."""
        instance = self.types.instance
        entries = batch.entries
        if instance is None or instance not in entries:
            return
        classes = batch.column(instance, self.layout.PyInstanceObject.in_class, every=True) \
            if batch.stride >= self.gc_head + self.layout.PyInstanceObject.size else None
        if classes is None:
            classes = [0] * len(entries)
            for index in batch.indexes(instance):
                _, off = batch.offsets(index, instance)
                classes[index] = struct.unpack_from("<q", batch.data,
                                                    off + self.layout.PyInstanceObject.in_class)[0]
        classic = self.types.classic
        entries[:] = [(classic(entry, klass) or entry) if entry is instance else entry
                      for entry, klass in zip(entries, classes)]

    # -- pymalloc ----------------------------------------------------------------------

    def find_pools(self, anonymous):
        """Runs ``[(start, end)]`` of pool pages; ``pool_pages`` and ``pool_reader`` set.

        ``anonymous``: the anonymous ranges malloc does not use, scanned without symbols.
        """
        header_size = self.layout.pool_header.size
        spans = pymalloc.arenas_by_symbol(self.reader.cache, self.symbols, self.layout)
        if spans is not None:
            self.stats.method = "symbol"
            headers = self.raw.read_many([(start, header_size) for start, _ in spans])
            pages = [page for start, end in spans for page in range(start, end, o.POOL_SIZE)]
        else:
            self.stats.method = "scan"
            pages, headers = [], []
            for start, end in anonymous:
                if end - start < o.ARENA_SIZE:
                    continue
                addresses = range(start, end, o.POOL_SIZE)
                for first in range(0, len(addresses), HEADER_BATCH):
                    batch = addresses[first:first + HEADER_BATCH]
                    for address, header in zip(batch, self.raw.read_many([(a, header_size) for a in batch])):
                        if len(header) == header_size:
                            pages.append(address)
                            headers.append(header)
                    self.progress("finding pools", batch[-1] - start, end - start)
        votes = Counter(pymalloc.alignment_of(self.layout, self.layout.pool_header.unpack_from(header))
                        for header in headers if len(header) == header_size)
        votes.pop(None, None)
        alignment = votes.most_common(1)[0][0] if votes else o.ALIGNMENTS[self.reader.psize != 8]
        self.stats.alignment = alignment
        self.pool_reader = pymalloc.PoolReader(self.layout, alignment)
        self.small_request = alignment * o.NB_SMALL_SIZE_CLASSES
        if spans is None:
            pages = [page for page, header in zip(pages, headers) if self.pool_reader.shaped(header, 0)]
            spans = _runs(pages)
        self.pool_pages.update(page >> 12 for page in pages)
        return spans

    def _pool_batches(self, runs, on_bytes):
        stats = self.stats
        overhead = self.pool_reader.overhead
        decode = self.decoder.decode
        instance = self.layout.PyInstanceObject.size + self.gc_head
        instance_block = instance + -instance % self.pool_reader.alignment
        pools = pymalloc.iter_pools(self.raw, runs, self.pool_reader,
                                    lambda error: stats.problem("pool", error), on_bytes)
        pools_seen = live_total = live_bytes = 0
        for data, offset, pool in pools:
            pools_seen += 1
            base = offset + overhead
            entries = decode(data, base, pool.size, pool.nblocks, pool.free)
            batch = Batch(data, base, pool.address + overhead, pool.size, entries, self.gc_head)
            live = pool.nblocks - entries.count(None)
            live_total += live
            live_bytes += live * pool.size
            if pool.size == instance_block:
                self.classify_classic(batch)
            yield batch
        stats.pools += pools_seen
        stats.objects["pymalloc"] += live_total
        stats.object_bytes["pymalloc"] += live_bytes

    # -- malloc ------------------------------------------------------------------------

    def _malloc_batches(self, spans, on_bytes, again=False):
        """Objects in malloc's chunks; returns whether the brk heap and every other heap
        were walked whole. ``again``: a second walk, for the follower (nothing counted)."""
        stats = ScanStats() if again else self.stats
        complete = any(span.kind == "brk" for span in spans)
        walked = []
        for span in spans:
            try:
                run = None
                for data, off, address, size in glibc.iter_chunks(self.raw, span, on_bytes):
                    if size == self._number_run_chunk:
                        if run is not None and run[0] is data and run[4] == off and run[3] < MAX_RUN:
                            run[3] += 1
                            run[4] += size
                            continue
                        if run is not None:
                            yield from self._number_run(run, stats)
                        run = [data, off, address + 16, 1, off + size]
                        continue
                    if run is not None:
                        yield from self._number_run(run, stats)
                        run = None
                    batch = self._chunk_objects(data, off, address + 16, size - 8, stats)
                    if batch is not None:
                        if batch.stride == 0:
                            self.classify_classic(batch)
                        yield batch
                if run is not None:
                    yield from self._number_run(run, stats)
                walked.append((span.start, span.end))
            except glibc.MallocError as error:
                stats.problem("malloc heap", error)
                walked.append((span.start, error.address))
                complete = False
            except CpywalkerError as error:
                stats.problem("malloc heap", error)
                complete = False
        if again:
            return complete
        stats.malloc_spans = spans
        walked.sort()
        self._walked = ([start for start, _ in walked], [end for _, end in walked])
        return complete

    def _chunk_objects(self, data, off, user, usable, stats):
        """The Batch of one chunk in use: an int or float block's live numbers, or the
        object at its start (a GC header in for a GC type) when its allocation fits; an
        object pymalloc would have served (``small_request`` bytes or less) is not looked for."""
        if 0 <= usable - self._number_block_bytes < SLACK:
            batch = self._number_block(data, off, user, stats)
            if batch is not None:
                return batch
        if usable <= self.small_request or len(data) - off < 48:
            return None
        entry = self.decoder.one(data, off)
        if entry is None:
            return None
        shift = self.gc_head if entry.gc else 0
        needed = shift + entry.basicsize
        if entry.itemsize:
            count = struct.unpack_from("<q", data, off + shift + self.layout.PyVarObject.ob_size)[0]
            needed += abs(count) * entry.itemsize
        limit = SLACK + entry.itemsize + (4096 if usable >= 128 << 10 else 0)
        if not 0 <= usable - needed < limit:
            return None
        stats.objects["malloc"] += 1
        stats.object_bytes["malloc"] += needed
        return Batch(data, off, user, 0, [entry], self.gc_head)

    def _number_run(self, run, stats):
        """The Batches of adjacent chunks of an int block's size: their slots are one run
        (a block and the next chunk's header are 42 slots of 24 bytes); a chunk of that
        size that holds no number is looked at on its own."""
        data, off, user, blocks, _ = run
        psize = self.reader.psize
        item = self.layout.PyIntObject.size
        per_block = self._number_run_chunk // item
        count = blocks * per_block - 1
        entries = self.decoder.numbers(data, off + psize, item, count)
        live = count - entries.count(None)
        for block in range(blocks):
            if entries[block * per_block:(block + 1) * per_block - 1].count(None) == per_block - 1:
                chunk_off = off + block * self._number_run_chunk
                batch = self._chunk_objects(data, chunk_off, user + block * self._number_run_chunk,
                                            self._number_run_chunk - 8, stats)
                if batch is not None:
                    if batch.stride == 0:
                        self.classify_classic(batch)
                    yield batch
        if live:
            stats.objects["malloc"] += live
            stats.object_bytes["malloc"] += live * item
            yield Batch(data, off + psize, user + psize, item, entries, 0)

    def _number_block(self, data, off, user, stats):
        """The Batch of a block of ints or floats (a free one's type word is a link), or
        None when the chunk holds none."""
        psize = self.reader.psize
        item = self.layout.PyIntObject.size
        count = (NUMBER_BLOCK - psize) // item
        start = off + psize
        if len(data) < start + count * item:
            return None
        entries = self.decoder.numbers(data, start, item, count)
        live = count - entries.count(None)
        if not live:
            return None
        stats.objects["malloc"] += live
        stats.object_bytes["malloc"] += live * item
        return Batch(data, start, user + psize, item, entries, 0)

    # -- static data -----------------------------------------------------------------

    def _static_batches(self):
        """Objects in the object files' .data and .bss: an 8-aligned refcount and type."""
        for start, data in roots.static_data(self.reader.cache, self.symbols):
            words = struct.unpack("<%dq" % (len(data) // 8), data)
            entries = self.decoder.decode_words(words)
            for index, entry in enumerate(entries):
                if entry is not None and index * 8 + entry.basicsize > len(data):
                    entries[index] = None
            live = len(entries) - entries.count(None)
            if live:
                self.stats.objects["static"] += live
                batch = Batch(data, 0, start, 8, entries, 0)
                self.classify_classic(batch)
                yield batch
            self.progress("reading static data", 0, 0)


def _runs(pages):
    """Sorted page addresses -> ``[(start, end)]`` of consecutive pages."""
    runs = []
    for address in pages:
        if runs and runs[-1][1] == address:
            runs[-1][1] = address + o.POOL_SIZE
        else:
            runs.append([address, address + o.POOL_SIZE])
    return [tuple(run) for run in runs]
