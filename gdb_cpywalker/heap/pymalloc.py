"""pymalloc's arenas and pools in target memory: where they are, which blocks are in use.

Arenas come from the ``arenas``/``maxarenas`` variables when debug symbols name them;
otherwise the scanner reads the header of every page of the anonymous mappings malloc
does not use, and a page shaped like a pool header (a size class below 32, offsets that
fit it: ``PoolReader.shape``) is a pool. Either way a pool must add up: a free list that
stays inside it and matches its count, and an arena index whose pools lie within one
arena's span. Pools are then read whole, in big chunks, and the blocks of the pools of one
size class in a chunk are put side by side (``iter_pool_groups``), so that the scanner
decodes them as one run. A block is in use when it lies below the pool's ``nextoffset``
and is not on the pool's ``freeblock`` chain; whether it holds a live object is the
scanner's question (its refcount and type).
"""

import struct
from collections import defaultdict, namedtuple

from ..errors import CpywalkerError, MemoryReadError
from ..layouts import obmalloc as o

#: Bytes read per call while reading arenas or scanning mappings for pools.
CHUNK = 4 << 20
#: Most arenas believed (2.7 grows ``arenas`` by doubling from 16).
MAX_ARENAS = 1 << 24

#: The pools in use of one size class in one chunk read, their blocks side by side:
#: ``data`` holds ``per_pool`` blocks of ``size`` bytes of each pool in turn (pool ``j``'s
#: first block is at ``starts[j]`` in the target), ``free`` the indexes into that run of
#: the blocks not in use (on a free list, or past the pool's ``nextoffset``).
PoolGroup = namedtuple("PoolGroup", "size per_pool starts data free")


class CorruptPool(CpywalkerError):
    """A page that has a pool's place or shape but whose header or free list do not add up."""


class PoolReader:
    """Pool headers of one data model decoded from bytes (``layout.pool_header``), for
    blocks aligned to ``alignment`` (16 or 8: see ``alignment_of``)."""

    def __init__(self, layout, alignment):
        self.header = layout.pool_header
        self.alignment = alignment
        self.overhead = self.header.size + -self.header.size % alignment
        self.word = struct.Struct("<" + ("Q" if layout.model.pointer_size == 8 else "I"))
        #: (szidx, nextoffset, maxnextoffset) -> ``_shape``'s verdict
        self._shapes = {}

    def groups(self, data, usable, address, arena_first, on_corrupt):
        """The PoolGroups of the pools in use in ``data[:usable]`` (pages from ``address``).

        The headers are read as columns (one stepped slice per field over every page); a
        full pool (no free list, every block carved) of a header shape seen before needs
        no more; ``arena_first`` maps an arena index to the first pool seen with it,
        across calls."""
        if not usable:
            return
        view = memoryview(data)[:usable]
        header = self.header
        uints = view.cast("I")
        step = o.POOL_SIZE // 4
        counts, arenas, classes, nexts, maxes = (
            uints[getattr(header, name) // 4::step]
            for name in ("count", "arenaindex", "szidx", "nextoffset", "maxnextoffset"))
        freeblocks = view.cast(self.word.format[-1])[header.freeblock // self.word.size::
                                                     o.POOL_SIZE // self.word.size]
        shapes = self._shapes
        full, partial = defaultdict(list), defaultdict(list)
        arena = first = None
        for offset, count, freeblock, arenaindex, key in zip(range(0, usable, o.POOL_SIZE), counts,
                                                             freeblocks, arenas, zip(classes, nexts, maxes)):
            shape = shapes.get(key)
            if shape is None:
                shape = self.shape(key)
            if not shape:
                on_corrupt(CorruptPool("pool at %#x: not a pool header" % (address + offset)))
                continue
            if not count:
                continue
            if arenaindex != arena:
                arena, first = arenaindex, arena_first.setdefault(arenaindex, address + offset)
            size, nblocks, carved = shape
            if count == nblocks and carved and not freeblock and arenaindex < MAX_ARENAS \
                    and address + offset - first < o.ARENA_SIZE:
                full[size].append(offset)
                continue
            try:
                free = self._checked_free(data, offset, address + offset, count, freeblock,
                                          arenaindex, first, size, nblocks)
            except CorruptPool as error:
                on_corrupt(error)
                continue
            partial[size].append((offset, nblocks, free))
        overhead = self.overhead
        for size in set(full) | set(partial):
            per_pool = (o.POOL_SIZE - overhead) // size
            span = per_pool * size
            offsets = full[size] + [offset for offset, _, _ in partial[size]]
            free = []
            for index, (_, nblocks, pool_free) in enumerate(partial[size], len(full[size])):
                first = index * per_pool
                free += [first + block for block in pool_free]
                free += range(first + nblocks, first + per_pool)
            yield PoolGroup(size, per_pool, [address + offset + overhead for offset in offsets],
                            b"".join([view[offset + overhead:offset + overhead + span]
                                      for offset in offsets]), free)

    def shape(self, key):
        """``(block size, blocks carved, whether every block is)`` of a pool header's
        ``key`` (see ``header_keys``), or False when it is not a pool's: a size class below
        32, ``maxnextoffset`` of that class, a ``nextoffset`` on a block edge."""
        shape = self._shapes.get(key)
        if shape is None:
            szidx, nextoffset, maxnextoffset = key
            if not _fits(szidx, nextoffset, maxnextoffset, self.alignment, self.overhead):
                shape = False
            else:
                size = (szidx + 1) * self.alignment
                nblocks = (nextoffset - self.overhead) // size
                shape = size, nblocks, nblocks == (o.POOL_SIZE - self.overhead) // size
            self._shapes[key] = shape
        return shape

    def _checked_free(self, data, offset, address, count, freeblock, arenaindex, first, size, nblocks):
        """The free blocks of a pool that is not simply full, or CorruptPool when its count,
        arena index or free list do not add up."""
        if count > nblocks or arenaindex >= MAX_ARENAS:
            raise CorruptPool("pool at %#x: count %d of %d blocks, arena index %d"
                              % (address, count, nblocks, arenaindex))
        if address - first >= o.ARENA_SIZE:
            raise CorruptPool("pool at %#x: arena index %d also at %#x" % (address, arenaindex, first))
        return self.free_blocks(data, offset, address, size, nblocks, nblocks - count, freeblock)

    def free_blocks(self, data, offset, address, size, nblocks, expected, freeblock):
        """The indexes of the ``expected`` blocks on the free list from ``freeblock`` of the
        pool ``data[offset:offset + 4096]`` (at ``address``, ``nblocks`` blocks carved), or
        CorruptPool when the list leaves those blocks or its length is not ``expected``."""
        free = set()
        link = freeblock
        first = offset + self.overhead
        while link:
            index, rest = divmod(link - address - self.overhead, size)
            if rest or not 0 <= index < nblocks or index in free or len(free) >= expected:
                raise CorruptPool("pool at %#x: free list link %#x is not one of its blocks"
                                  % (address, link))
            free.add(index)
            link = self.word.unpack_from(data, first + index * size)[0]
        if len(free) != expected:
            raise CorruptPool("pool at %#x: %d blocks on the free list, %d expected"
                              % (address, len(free), expected))
        return free


def _fits(szidx, nextoffset, maxnextoffset, alignment, overhead):
    if szidx >= o.NB_SMALL_SIZE_CLASSES:
        return False
    size = (szidx + 1) * alignment
    return maxnextoffset == o.POOL_SIZE - size and overhead + size <= nextoffset <= o.POOL_SIZE \
        and not (nextoffset - overhead) % size


def alignment_of(layout, key):
    """The block alignment a pool header's ``key`` fits (16 or 8), or None: a header is
    only consistent with one."""
    size = layout.pool_header.size
    for alignment in o.ALIGNMENTS:
        if _fits(*key, alignment, size + -size % alignment):
            return alignment
    return None


def header_keys(layout, headers):
    """``(szidx, nextoffset, maxnextoffset)`` of each pool header in ``headers`` (whole
    ones, ``layout.pool_header.size`` bytes each), read as columns."""
    header = layout.pool_header
    uints = memoryview(b"".join(headers)).cast("I")
    step = header.size // 4
    return list(zip(*(uints[getattr(header, name) // 4::step]
                      for name in ("szidx", "nextoffset", "maxnextoffset"))))


def arenas_by_symbol(memory, symbols, layout):
    """``[(first pool, end of the carved pools)]`` of every arena from ``arenas`` and
    ``maxarenas``, or None when no symbol names them (a stripped build)."""
    arenas_slot, max_slot = symbols.address("arenas"), symbols.address("maxarenas")
    if arenas_slot is None or max_slot is None:
        return None
    table, count = memory.pointer(arenas_slot), memory.u32(max_slot)
    if count > MAX_ARENAS:
        raise CorruptPool("maxarenas is %d" % count)
    entry = layout.arena_object
    data = memory.read(table, count * entry.size, limit=MAX_ARENAS * entry.size) if count else b""
    spans = []
    for index in range(count):
        address, pool_address = entry.unpack_from(data, index * entry.size)[:2]
        if not address:
            continue
        first = address + -address % o.POOL_SIZE
        if not first <= pool_address <= address + o.ARENA_SIZE:
            raise CorruptPool("arena %d at %#x: pool_address %#x outside it" % (index, address, pool_address))
        spans.append((first, pool_address))
    return sorted(spans)


def iter_pool_groups(memory, spans, reader, on_corrupt, on_bytes=lambda count: None):
    """The PoolGroups of every pool in use in ``spans`` (runs of pool pages): per chunk
    read, one group per size class. A page that is not shaped like a pool or a pool that
    does not add up goes to ``on_corrupt(error)``; ``on_bytes(count)`` hears of each chunk.
    """
    arena_first = {}
    for start, end in spans:
        address = start
        while address < end:
            size = min(CHUNK, end - address)
            data = memory.read_partial(address, size)
            on_bytes(len(data))
            usable = len(data) - len(data) % o.POOL_SIZE
            yield from reader.groups(data, usable, address, arena_first, on_corrupt)
            if len(data) < size:
                unreadable = address + usable
                on_corrupt(MemoryReadError(unreadable, o.POOL_SIZE, "not readable"))
                address = unreadable + o.POOL_SIZE
            else:
                address += size
