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

import struct
from collections import Counter
from itertools import compress, repeat
from operator import is_

from ..errors import CpywalkerError
from ..interp.objects import StateReader
from ..render.units import format_size
from ..layouts import obmalloc as o
from ..memory.cache import PageCache
from . import glibc, pymalloc, roots, wordbits
from .slots import Batch, SlotDecoder
from .addrset import Spans
from .types import TypeTable

#: Pages the scan's own page cache keeps (reads outside the big ones).
CACHE_PAGES = 4096
#: Pool headers read per batch while looking for pools without symbols.
HEADER_BATCH = 4096
#: 2.7's int and float blocks: BLOCK_SIZE 1000 less the ``next`` pointer, in objects.
NUMBER_BLOCK = 1000
#: The share of the malloc heaps' bytes a walk may skip (corrupt or changing chunks) and
#: still do without following references.
GAP_SHARE = 0.125
#: Most int blocks decoded together.
MAX_RUN = 4096
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
        #: words that point to memory a type would be in, unreadable (see TypeTable)
        self.unreadable_types = 0
        #: objects left out as damaged (a size that cannot be), by type name
        self.damaged = Counter()
        self.followed = False
        self.roots_problem = None
        #: the process ran while it was read
        self.running = False

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
        self.types = TypeTable(self.reader, _type_spans(regions))
        mapped = sum(region.end - region.start for region in regions)
        if mapped:
            self.types.sizer.limit = mapped
        self.gc_head = layout.PyGC_Head.size
        self.decoder = SlotDecoder(self.types, self.gc_head)
        item = layout.PyIntObject.size
        self._number_block_bytes = self.reader.psize + (NUMBER_BLOCK - self.reader.psize) // item * item
        #: the chunk of an int block when malloc gave it exactly what it asked for
        self._number_chunk = self._number_block_bytes + 2 * self.reader.psize
        self.stats = ScanStats()
        self.pool_reader = None
        #: the process runs while it is read (said in the census notes)
        self.running = False
        #: requests up to this size are pymalloc's (SMALL_REQUEST_THRESHOLD)
        self.small_request = 512
        #: the pool pages found (Spans)
        self.pools = Spans()
        self.follower = None
        #: the malloc heaps walked whole (Spans)
        self.walked = Spans()

    def batches(self):
        """Every live object, in batches (see the module docstring); ``stats`` describe the
        last pass."""
        self.stats = ScanStats()
        self.stats.running = self.running
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
        self.stats.unreadable_types = self.types.unreadable

    def _followed(self, batches):
        for batch in batches:
            yield batch
            if self.follower is not None:
                self.follower.follow(batch)

    def classify_classic(self, batch):
        """File each classic instance under its class's entry."""
        instance = self.types.instance
        if instance is None or instance not in batch.tally:
            return
        entries = batch.entries
        classes = batch.column(instance, self.layout.PyInstanceObject.in_class, every=True) \
            if batch.stride >= self.gc_head + self.layout.PyInstanceObject.size else None
        if classes is None:
            classes = [0] * len(entries)
            for index in batch.indexes(instance):
                _, off = batch.offsets(index, instance)
                classes[index] = struct.unpack_from("<q", batch.data,
                                                    off + self.layout.PyInstanceObject.in_class)[0]
        if not isinstance(classes, list):
            classes = list(classes)
        classic = self.types.classic
        filed = {klass: classic(instance, klass) or instance
                 for klass in set(compress(classes, map(is_, entries, repeat(instance))))}
        same = {entry: entry for entry in batch.tally if entry is not instance}
        same[None] = None
        batch.retyped(list(map(same.get, entries, map(filed.get, classes))))

    # -- pymalloc ----------------------------------------------------------------------

    def find_pools(self, anonymous):
        """Runs ``[(start, end)]`` of pool pages; ``pools`` and ``pool_reader`` set.

        ``anonymous``: the anonymous ranges malloc does not use, scanned without symbols.
        """
        header_size = self.layout.pool_header.size
        spans = pymalloc.arenas_by_symbol(self.reader.cache, self.symbols, self.layout)
        if spans is not None:
            self.stats.method = "symbol"
            headers = self.raw.read_many([(start, header_size) for start, _ in spans])
        else:
            self.stats.method = "scan"
            pages, headers = [], []
            for start, end in anonymous:
                if end - start < o.ARENA_SIZE:
                    continue
                addresses = range(start, end, o.POOL_SIZE)
                for first in range(0, len(addresses), HEADER_BATCH):
                    batch = addresses[first:first + HEADER_BATCH]
                    read = self.raw.read_many(list(zip(batch, repeat(header_size))))
                    whole = list(map(header_size.__eq__, map(len, read)))
                    pages += compress(batch, whole)
                    headers += compress(read, whole)
                    self.progress("finding pools", batch[-1] - start, end - start)
        keys = pymalloc.header_keys(self.layout, [header for header in headers if len(header) == header_size])
        votes = Counter()
        for key, count in Counter(keys).items():
            votes[pymalloc.alignment_of(self.layout, key)] += count
        votes.pop(None, None)
        alignment = votes.most_common(1)[0][0] if votes else o.ALIGNMENTS[self.reader.psize != 8]
        self.stats.alignment = alignment
        self.pool_reader = pymalloc.PoolReader(self.layout, alignment)
        self.small_request = alignment * o.NB_SMALL_SIZE_CLASSES
        if spans is None:
            pools = {key for key in set(keys) if self.pool_reader.shape(key)}
            spans = [(page, page + o.POOL_SIZE) for page in compress(pages, map(pools.__contains__, keys))]
        spans = _joined(sorted(spans))
        self.pools = Spans(spans)
        return spans

    def _pool_batches(self, runs, on_bytes):
        stats = self.stats
        decode = self.decoder.decode
        instance = self.layout.PyInstanceObject.size + self.gc_head
        instance_block = instance + -instance % self.pool_reader.alignment
        groups = pymalloc.iter_pool_groups(self.raw, runs, self.pool_reader,
                                           lambda error: stats.problem("pool", error), on_bytes)
        pools_seen = live_total = live_bytes = 0
        for group in groups:
            pools_seen += len(group.starts)
            count = len(group.starts) * group.per_pool
            entries, tally, masks = decode(group.data, 0, group.size, count, group.free)
            batch = Batch(group.data, 0, group.starts[0], group.size, entries, self.gc_head,
                          group.starts, group.per_pool, tally, masks, count)
            self._drop_damaged(batch)
            live = sum(batch.tally.values())
            live_total += live
            live_bytes += live * group.size
            if group.size == instance_block:
                self.classify_classic(batch)
            yield batch
        stats.pools += pools_seen
        stats.objects["pymalloc"] += live_total
        stats.object_bytes["pymalloc"] += live_bytes

    def _drop_damaged(self, batch):
        """Leave out the objects of a run of blocks whose items (a tuple's, a str's, a
        long's: inside the object) would not fit their block: damaged, counted in
        ``stats.damaged``."""
        ob_size = self.layout.PyVarObject.ob_size
        for entry in list(batch.tally):
            if not entry.itemsize or entry.kind == "type":
                continue
            room = (batch.stride - (self.gc_head if entry.gc else 0) - entry.basicsize) // entry.itemsize
            least = -room if entry.formula == "long" else 0
            counts = list(batch.column(entry, ob_size))
            if not counts or (min(counts) >= least and max(counts) <= room):
                continue
            entries = batch.entries
            for index, count in zip(batch.indexes(entry), counts):
                if not least <= count <= room:
                    entries[index] = None
                    self.stats.damaged[entry.name] += 1
            batch.retyped(entries)

    # -- malloc ------------------------------------------------------------------------

    def _malloc_batches(self, spans, on_bytes, again=False):
        """Objects in malloc's chunks; returns whether the malloc heaps were walked well
        enough (a brk heap, and at most GAP_SHARE of their bytes skipped) to do without
        following references. ``again``: a second walk, for the follower (nothing counted)."""
        stats = ScanStats() if again else self.stats
        gaps = []

        def on_gap(start, end, error):
            gaps.append((start, end))
            stats.problem("malloc chunk", "%s: %s not walked" % (error, format_size(end - start)))

        for span in spans:
            blocks = []
            try:
                for data, off, address, size in glibc.iter_chunks(self.raw, span, on_bytes,
                                                                  self.small_request + 8, on_gap):
                    if size == self._number_chunk:
                        if blocks and (blocks[-1][0] is not data or len(blocks) >= MAX_RUN):
                            yield from self._number_blocks(blocks, stats)
                            blocks = []
                        blocks.append((data, off, address + 16))
                        continue
                    batch = self._chunk_objects(data, off, address + 16, size - 8, stats)
                    if batch is not None:
                        if batch.stride == 0:
                            self.classify_classic(batch)
                        yield batch
            except CpywalkerError as error:
                stats.problem("malloc chunk", error)
                gaps.append((span.first, span.end))
            if blocks:
                yield from self._number_blocks(blocks, stats)
        skipped = sum(end - start for start, end in gaps)
        complete = any(span.kind == "brk" for span in spans) \
            and skipped <= GAP_SHARE * sum(span.end - span.first for span in spans)
        if again:
            return complete
        stats.malloc_spans = spans
        self.walked = Spans(_without([(span.start, span.end) for span in spans], gaps))
        return complete

    def _chunk_objects(self, data, off, user, usable, stats):
        """The Batch of one chunk in use: an int or float block's live numbers, or the
        object at its start (``_chunk_object``)."""
        if 0 <= usable - self._number_block_bytes < SLACK:
            batch = self._number_block(data, off, user, stats)
            if batch is not None:
                return batch
        return self._chunk_object(data, off, user, usable, stats)

    def _chunk_object(self, data, off, user, usable, stats):
        """The Batch of the object at a chunk's start (a GC header in for a GC type) when
        its allocation fits the chunk; an object pymalloc would have served
        (``small_request`` bytes or less) is not looked for."""
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

    def _number_blocks(self, blocks, stats):
        """The Batches of chunks of an int block's size (``[(data, offset, user address)]``,
        all in one window ``data`` of the heap): their slots are decoded as one run; a
        chunk of that size that holds no number is looked at on its own."""
        psize = self.reader.psize
        item = self.layout.PyIntObject.size
        per_block = (NUMBER_BLOCK - psize) // item
        span = per_block * item
        view = memoryview(blocks[0][0])
        joined = b"".join([view[off + psize:off + psize + span] for _, off, _ in blocks])
        count = per_block * len(blocks)
        tally, masks, entries = self.decoder.numbers(joined, 0, item, count)
        numbers = 0
        for mask in masks.values():
            numbers |= mask
        numbers = wordbits.flags(numbers, count)
        holding = 0
        for slot in range(per_block):
            holding |= int.from_bytes(numbers[slot::per_block], "little")
        holding = holding.to_bytes(len(blocks), "little")
        index = holding.find(0)
        while index >= 0:
            data, off, user = blocks[index]
            batch = self._chunk_object(data, off, user, self._number_chunk - 8, stats)
            if batch is not None:
                if batch.stride == 0:
                    self.classify_classic(batch)
                yield batch
            index = holding.find(0, index + 1)
        live = sum(tally.values())
        if live:
            stats.objects["malloc"] += live
            stats.object_bytes["malloc"] += live * item
            starts = [user + psize for _, _, user in blocks]
            yield Batch(joined, 0, starts[0], item, entries, 0, starts, per_block, tally, masks, count)

    def _number_block(self, data, off, user, stats):
        """The Batch of a block of ints or floats (a free one's type word is a link), or
        None when the chunk holds none."""
        psize = self.reader.psize
        item = self.layout.PyIntObject.size
        count = (NUMBER_BLOCK - psize) // item
        start = off + psize
        if len(data) < start + count * item:
            return None
        tally, masks, entries = self.decoder.numbers(data, start, item, count)
        live = sum(tally.values())
        if not live:
            return None
        stats.objects["malloc"] += live
        stats.object_bytes["malloc"] += live * item
        return Batch(data, start, user + psize, item, entries, 0, tally=tally, masks=masks, count=count)

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


def _type_spans(regions):
    """Where type objects can be: writable memory (static types are in .data, the others
    on the heap), or every readable region when none says it is writable."""
    writable = [(r.start, r.end) for r in regions if r.readable and r.writable]
    return Spans(writable or [(r.start, r.end) for r in regions if r.readable])


def _without(spans, gaps):
    """``spans`` less the ``gaps`` (both ``[(start, end)]``; a gap lies in one span)."""
    out = []
    for start, end in sorted(spans):
        for gap_start, gap_end in sorted(gaps):
            if start <= gap_start < end:
                if gap_start > start:
                    out.append((start, gap_start))
                start = max(start, min(gap_end, end))
        if start < end:
            out.append((start, end))
    return out


def _joined(spans):
    """Sorted ``[(start, end)]`` with the ones that touch joined."""
    runs = []
    for start, end in spans:
        if runs and runs[-1][1] == start:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [tuple(run) for run in runs]
