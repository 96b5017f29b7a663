"""glibc malloc's chunks in target memory: the main arena's brk heap, thread arenas' heaps
and chunks mmap'ed on their own, found from the memory map and the chunks' own headers.

A chunk is ``prev_size, size | flags`` then its user data (16 bytes in on x86_64);
``PREV_INUSE`` (1) of the next chunk says a chunk is in use (glibc's tcache and fastbins
keep it set for chunks they hold: their first words are free-list links, which the
scanner's object checks refuse), ``IS_MMAPPED`` (2) marks a chunk with a mapping of its
own, ``NON_MAIN_ARENA`` (4) one of a thread arena. A thread arena's heap is a mapping
aligned to HEAP_MAX_SIZE that starts with a ``heap_info`` (its arena, the previous heap,
its size); its first chunk is found by walking: the right start is the one whose chunks
add up to the heap's size. A heap's fenceposts end its chunks. A walk that meets an
impossible size (a corrupt core, or a live target that changed while it was read) skips
to where chunks chain again, and says which bytes it skipped.
"""

import struct
from collections import namedtuple

from ..errors import CpywalkerError

SIZE_SZ = 8
MALLOC_ALIGNMENT = 16
MINSIZE = 32
PREV_INUSE, IS_MMAPPED, NON_MAIN_ARENA = 1, 2, 4
FLAGS = 7
#: The size word of the first of the two fenceposts glibc puts where a heap ends before
#: its mapping does (a thread heap when its arena moved on to a new heap): 16 bytes in
#: use, then one of 0.
FENCEPOST = 16 | PREV_INUSE
#: 2 * DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: every thread heap starts on this boundary.
HEAP_MAX_SIZE = 64 << 20
#: Where a thread arena's first chunk may start (heap_info, malloc_state before it).
FIRST_CHUNK_WINDOW = 8192
#: Chunks a candidate first chunk must chain through to be taken.
CHAIN_CHECK = 16
#: Bytes read per call while walking.
WINDOW = 4 << 20
#: How far past a chunk it cannot believe a walk looks for chunks that chain again, and
#: the bytes read per call while looking.
RESYNC_LIMIT = 16 << 20
RESYNC_WINDOW = 64 << 10
#: User bytes of a chunk handed to the scanner at most (object headers and bodies).
USER_BYTES = 4096

#: A run of chunks: ``kind`` is "brk" (main arena), "arena" (a thread heap) or "mmap";
#: chunks start at ``first`` and end at ``end``.
MallocSpan = namedtuple("MallocSpan", "kind start first end")

_HEADER = struct.Struct("<QQ")
_HEAP_INFO = struct.Struct("<QQQQ")


class MallocError(CpywalkerError):
    """A chunk header that cannot be at ``address``: the walk of that heap stops there."""

    def __init__(self, address, message):
        self.address = address
        super().__init__(message)


def malloc_spans(memory, regions):
    """The MallocSpans of ``regions`` (the brk heap, thread heaps, mmap'ed chunks) and the
    anonymous ranges left over (``[(start, end)]``, where pymalloc's arenas are)."""
    spans, rest = [], []
    for region in regions:
        if not (region.readable and region.writable):
            continue
        if region.path == "[heap]":
            spans.append(MallocSpan("brk", region.start, region.start, region.end))
            continue
        if region.path and not region.path.startswith("[anon"):
            continue
        start = region.start
        if not start % HEAP_MAX_SIZE:
            heap = _thread_heap(memory, region)
            if heap is not None:
                spans.append(heap)
                start = heap.end
        start = _mmapped_chunks(memory, start, region.end, spans)
        if start < region.end:
            rest.append((start, region.end))
    return spans, rest


def _thread_heap(memory, region):
    """The MallocSpan of a thread arena's heap starting ``region``, or None."""
    header = memory.read_partial(region.start, FIRST_CHUNK_WINDOW + 16)
    if len(header) < _HEAP_INFO.size:
        return None
    arena, _, size, mprotect_size = _HEAP_INFO.unpack_from(header)
    if not 0 < size <= min(mprotect_size, region.size, HEAP_MAX_SIZE) or size % 4096 \
            or not arena or arena % 8:
        return None
    end = region.start + size
    for offset in range(_HEAP_INFO.size, len(header) - 16, MALLOC_ALIGNMENT):
        if _chains(memory, header, offset, region.start, end):
            return MallocSpan("arena", region.start, region.start + offset, end)
    return None


def _chains(memory, data, offset, base, end):
    """Whether chunks chain from ``base + offset`` (CHAIN_CHECK of them, or up to ``end``):
    headers are taken from ``data`` (the bytes from ``base``) while it has them."""
    address = base + offset
    size = _HEADER.unpack_from(data, offset)[1]
    if not size & PREV_INUSE:
        return False
    for _ in range(CHAIN_CHECK):
        size &= ~FLAGS
        if size < MINSIZE or size % MALLOC_ALIGNMENT or address + size > end:
            return False
        address += size
        if address == end:
            return True
        offset = address - base
        if offset + 16 <= len(data):
            size = _HEADER.unpack_from(data, offset)[1]
            continue
        header = memory.read_partial(address, 16)
        if len(header) < 16:
            return False
        size = _HEADER.unpack(header)[1]
    return True


def resync(memory, start, end):
    """The first address from ``start`` (16-aligned, within RESYNC_LIMIT bytes) where
    chunks chain (``_chains``) up to ``end``, else ``end``: where a walk goes on after a
    chunk it cannot believe."""
    address = start + -start % MALLOC_ALIGNMENT
    limit = min(end, address + RESYNC_LIMIT)
    while address + 16 <= limit:
        data = memory.read_partial(address, min(RESYNC_WINDOW, limit - address) + 16)
        if len(data) < 32:
            return end
        for offset in range(0, len(data) - 16, MALLOC_ALIGNMENT):
            if _chains(memory, data, offset, address, end):
                return address + offset
        address += len(data) - 16
    return end


def _mmapped_chunks(memory, start, end, spans):
    """Add the chunks mmap'ed on their own that ``[start, end)`` begins with; where they end."""
    while start < end:
        data = memory.read_partial(start, 16)
        if len(data) < 16:
            break
        prev_size, size = _HEADER.unpack(data)
        chunk = size & ~FLAGS
        if not size & IS_MMAPPED or prev_size or not chunk or chunk % 4096 or start + chunk > end:
            break
        spans.append(MallocSpan("mmap", start, start, start + chunk))
        start += chunk
    return start


def iter_chunks(memory, span, on_bytes=lambda count: None, min_size=0, on_gap=None):
    """``(data, offset, address, size)`` of every chunk in use in ``span`` bigger than
    ``min_size`` bytes: its user data is ``data[offset:]`` (at least ``min(size - 16,
    USER_BYTES)`` bytes when readable).

    A chunk whose size is impossible (corrupt, or changed while a live target was read)
    raises MallocError, or with ``on_gap``, starts a gap: ``on_gap(start, end, error)``
    hears of it and the walk goes on where chunks chain again (``resync``)."""
    if span.kind == "mmap":
        data = memory.read_partial(span.first, min(span.end - span.first, USER_BYTES + 16))
        on_bytes(len(data))
        if len(data) >= 16 and span.end - span.first > min_size:
            yield data, 16, span.first, span.end - span.first
        return
    unpack = _HEADER.unpack_from
    end = span.end
    window_start = safe = address = span.first
    data = b""
    pending = None
    while address + 16 <= end:
        if address >= safe:
            data = memory.read_partial(address, min(WINDOW, end - address))
            on_bytes(len(data))
            window_start = address
            window_end = address + len(data)
            safe = window_end - (USER_BYTES + 32) if len(data) == WINDOW and window_end < end \
                else window_end - 15
        offset = address - window_start
        if len(data) - offset < 16:
            error = MallocError(address, "chunk at %#x is not readable" % address)
        else:
            size = unpack(data, offset)[1]
            if pending is not None:
                if size & PREV_INUSE:
                    yield pending
                pending = None
            chunk = size & ~FLAGS
            if MINSIZE <= chunk and not chunk % MALLOC_ALIGNMENT and address + chunk <= end:
                if chunk > min_size:
                    pending = (data, offset + 16, address, chunk)
                address += chunk
                continue
            if size == FENCEPOST and len(data) - offset >= 32 and unpack(data, offset + 16)[1] == PREV_INUSE:
                address = safe = resync(memory, address + 32, end)
                continue
            error = MallocError(address, "chunk at %#x has an impossible size %#x" % (address, size))
        if on_gap is None:
            raise error
        resumed = resync(memory, address + MALLOC_ALIGNMENT, end)
        on_gap(address, resumed, error)
        address = safe = resumed
        pending = None
