"""What a dump reads: ranges of target memory, unreadable gaps, whole regions, size caps.

Front ends (``hexdump``, CLI ``read``) pass a ``render.hexdump.HexDumper``; the functions
here read the target and feed it the bytes, and yield its text.
"""

from .errors import MemoryReadError, UsageError
from .memory.cache import PAGE_SIZE
from .procfs import region_at
from .render.regions import region_row
from .render.units import format_size

#: What a front end dumps when given no length, and at most for whole regions (-P).
DEFAULT_LENGTH = 256
DEFAULT_MAX_BYTES = 1 << 20
#: Dumps longer than this need ``--force``.
HUGE = 64 << 20
#: Bytes read from the target per call.
READ_CHUNK = 1 << 20
ADDRESS_LIMIT = 1 << 64


def checked_length(length, force=False):
    """``length`` if it is a sane dump size; a negative or huge one (without ``force``) is refused."""
    if length < 0:
        raise UsageError("negative length %d" % length)
    if length > HUGE and not force:
        raise UsageError("refusing to dump %d bytes (more than %s); add --force"
                         % (length, format_size(HUGE)))
    return length


def unreadable_reason(address, regions, memory=None):
    """Why ``address`` cannot be read: what ``memory`` knows (a core file: not dumped, cut),
    else the region that is mapped there but unreadable, or unmapped."""
    why = memory.unreadable_reason(address) if memory is not None else "not mapped"
    if why != "not mapped":
        return why
    region = region_at(regions or (), address)
    return "%s is not readable" % region.name if region else "not mapped"


def gap_note(name, start, stop, regions, memory=None):
    """The one line telling that ``[start, stop)`` was skipped, naming the region when mapped."""
    return "%s: %#x - %#x: cannot read (%s)\n" % (name, start, stop,
                                                  unreadable_reason(start, regions, memory))


def dump_memory(memory, start, size, dumper, regions=None, name="hexdump"):
    """Yield the text (str) of ``size`` bytes at ``start``: rows, a note per unreadable range, the end.

    ``regions`` (Region records, optional) lets an unreadable range be skipped a region
    at a time instead of a page at a time. Nothing readable at all is a MemoryReadError.
    """
    if size and start >= ADDRESS_LIMIT:
        raise MemoryReadError(start, size, "outside the address space")
    address, end = start, min(start + size, ADDRESS_LIMIT)
    while address < end:
        want = min(READ_CHUNK, end - address)
        data = memory.read_partial(address, want)
        if data:
            for piece in dumper.rows(address, data):
                yield piece.decode("ascii")
            address += len(data)
            if len(data) == want:
                continue
        resume = _next_readable(memory, address, end, regions)
        if address == start and resume >= end:
            raise MemoryReadError(start, size, unreadable_reason(start, regions, memory))
        yield gap_note(name, address, resume, regions, memory)
        dumper.gap()
        address = resume
    if size:
        yield dumper.end(address).decode("ascii")


def _next_readable(memory, address, end, regions):
    """The first readable address after the unreadable ``address`` (``end`` if none)."""
    while address < end:
        if regions:
            region = region_at(regions, address)
            following = [r.start for r in regions if r.start > address]
            address = region.end if region else min(following or [end])
        else:
            address = (address // PAGE_SIZE + 1) * PAGE_SIZE
        if address < end and memory.read_partial(address, 1):
            return address
    return end


def dump_regions(memory, regions, dumper, max_bytes, name="hexdump"):
    """Yield each region's row (as ``mem-info`` shows it) and its dump, ``max_bytes`` in all."""
    budget = max_bytes
    for region in regions:
        yield region_row(region) + "\n"
        size = min(region.size, budget)
        try:
            yield from dump_memory(memory, region.start, size, dumper, regions, name)
        except MemoryReadError:
            yield gap_note(name, region.start, region.end, regions, memory)
        dumper.gap()
        budget -= size
        if budget <= 0 and (size < region.size or region is not regions[-1]):
            yield "%s: stopped after %s (--max-bytes raises the cap)\n" % (name, format_size(max_bytes))
            return
