"""pymalloc's arenas and pools in target memory: where they are, which blocks are in use.

Arenas come from the ``arenas``/``maxarenas`` variables when debug symbols name them;
otherwise the scanner reads the header of every page of the anonymous mappings malloc
does not use, and a page shaped like a pool header (a size class below 32, offsets that
fit it: ``PoolReader.shaped``) is a pool. Either way a pool must add up: a free list that
stays inside it and matches its count, and an arena index whose pools lie within one
arena's span. Pools are then read whole, in big chunks (``iter_pools``). A block is in
use when it lies below the pool's ``nextoffset`` and is not on the pool's ``freeblock``
chain; whether it holds a live object is the scanner's question (its refcount and type).
"""

import struct
from collections import namedtuple

from ..errors import CpywalkerError, MemoryReadError
from ..layouts import obmalloc as o

#: Bytes read per call while reading arenas or scanning mappings for pools.
CHUNK = 4 << 20
#: Most arenas believed (2.7 grows ``arenas`` by doubling from 16).
MAX_ARENAS = 1 << 24

#: A pool in use: ``free`` holds the indexes of the blocks on its free list; blocks
#: ``0 .. nblocks - 1`` start at ``address + overhead + i * size``.
Pool = namedtuple("Pool", "address arenaindex size nblocks count free")


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

    def shaped(self, data, offset):
        """The header fields when ``data[offset:]`` starts like a pool, else None: a size
        class below 32, ``maxnextoffset`` of that class, a ``nextoffset`` on a block edge."""
        fields = self.header.unpack_from(data, offset)
        return fields if _fits(fields, self.alignment, self.overhead) else None

    def pool(self, data, offset, address, fields):
        """The ``Pool`` whose page is ``data[offset:offset + 4096]`` (header ``fields``), or
        CorruptPool when its count and free list do not add up."""
        count, _, freeblock, _, _, arenaindex, szidx, nextoffset, _ = fields
        size = (szidx + 1) * self.alignment
        nblocks = (nextoffset - self.overhead) // size
        if count > nblocks or arenaindex >= MAX_ARENAS:
            raise CorruptPool("pool at %#x: count %d of %d blocks, arena index %d"
                              % (address, count, nblocks, arenaindex))
        free = set()
        expected = nblocks - count
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
        return Pool(address, arenaindex, size, nblocks, count, free)


def _fits(fields, alignment, overhead):
    szidx, nextoffset, maxnextoffset = fields[6:9]
    if szidx >= o.NB_SMALL_SIZE_CLASSES:
        return False
    size = (szidx + 1) * alignment
    return maxnextoffset == o.POOL_SIZE - size and overhead + size <= nextoffset <= o.POOL_SIZE \
        and not (nextoffset - overhead) % size


def alignment_of(layout, fields):
    """The block alignment a pool header's fields fit (16 or 8), or None: a header is only
    consistent with one."""
    size = layout.pool_header.size
    for alignment in o.ALIGNMENTS:
        if _fits(fields, alignment, size + -size % alignment):
            return alignment
    return None


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


def iter_pools(memory, spans, reader, on_corrupt, on_bytes=lambda count: None):
    """``(data, offset, Pool)`` of every pool in use in ``spans`` (runs of pool pages), in
    address order; an empty pool is skipped. A page that is not shaped like a pool or a
    pool that does not add up goes to ``on_corrupt(error)``; ``on_bytes(count)`` hears of
    each chunk read.
    """
    arena_first = {}
    for start, end in spans:
        address = start
        while address < end:
            size = min(CHUNK, end - address)
            data = memory.read_partial(address, size)
            on_bytes(len(data))
            usable = len(data) - len(data) % o.POOL_SIZE
            for offset in range(0, usable, o.POOL_SIZE):
                fields = reader.shaped(data, offset)
                pool_address = address + offset
                if fields is None:
                    on_corrupt(CorruptPool("pool at %#x: not a pool header" % pool_address))
                    continue
                if not fields[0]:
                    continue
                try:
                    first = arena_first.setdefault(fields[5], pool_address)
                    if pool_address - first >= o.ARENA_SIZE:
                        raise CorruptPool("pool at %#x: arena index %d also at %#x"
                                          % (pool_address, fields[5], first))
                    pool = reader.pool(data, offset, pool_address, fields)
                except CorruptPool as error:
                    on_corrupt(error)
                    continue
                yield data, offset, pool
            if len(data) < size:
                unreadable = address + usable
                on_corrupt(MemoryReadError(unreadable, o.POOL_SIZE, "not readable"))
                address = unreadable + o.POOL_SIZE
            else:
                address += size
