"""Where a process's memory goes: its resident size (a core's dumped size) split between
Python objects, pymalloc's free space, malloc, other mappings, code and stacks.

Each region's resident bytes (smaps ``Rss``, or what a core holds of it) are shared out
by what its address range holds (pymalloc pools, malloc heaps, the rest) in proportion
to those parts' sizes; the live objects a scan found are then taken out of the pymalloc
and malloc shares. The parts add up to the total exactly.
"""

from collections import namedtuple


PARTS = (
    "Python objects in pymalloc", "free space in pymalloc pools and arenas",
    "Python objects outside pymalloc", "other malloc'ed memory (C extensions, malloc overhead)",
    "other anonymous mappings", "file-backed mappings (code, data)", "stacks",
)
Part = namedtuple("Part", "name bytes percent")


def stack_regions(regions, stack_pointers=()):
    """Regions that are stacks: ``[stack]``, those holding a thread's stack pointer, and
    anonymous writable ones right above a guard page (how glibc lays out thread stacks)."""
    out = set()
    previous = None
    for region in regions:
        if region.path == "[stack]" or any(region.contains(sp) for sp in stack_pointers):
            out.add(region.start)
        elif previous is not None and previous.end == region.start and region.writable \
                and not region.path and previous.perms.startswith("---") and not previous.path:
            out.add(region.start)
        previous = region
    return out


def breakdown(regions, resident, scan, stack_pointers=()):
    """``(total, [Part])``: ``resident(region)`` is its resident (or dumped) bytes."""
    stacks = stack_regions(regions, stack_pointers)
    malloc = [(span.start, span.end) for span in scan.stats.malloc_spans]
    shares = dict.fromkeys(PARTS, 0)
    pymalloc_resident = malloc_resident = 0
    total = 0
    for region in regions:
        rss = resident(region)
        total += rss
        if not rss:
            continue
        if region.start in stacks:
            shares["stacks"] += rss
            continue
        if region.path.startswith("/") or (region.path.startswith("[") and region.path not in
                                           ("[heap]",) and not region.path.startswith("[anon")):
            shares["file-backed mappings (code, data)"] += rss
            continue
        pools = scan.pools.overlap(region.start, region.end)
        heaps = sum(max(0, min(end, region.end) - max(start, region.start)) for start, end in malloc)
        size = region.size or 1
        pool_share = rss * pools // size
        malloc_share = rss * heaps // size
        pymalloc_resident += pool_share
        malloc_resident += malloc_share
        shares["other anonymous mappings"] += rss - pool_share - malloc_share
    in_pools = min(scan.stats.object_bytes["pymalloc"], pymalloc_resident)
    in_malloc = min(scan.stats.object_bytes["malloc"], malloc_resident)
    shares["Python objects in pymalloc"] = in_pools
    shares["free space in pymalloc pools and arenas"] = pymalloc_resident - in_pools
    shares["Python objects outside pymalloc"] = in_malloc
    shares["other malloc'ed memory (C extensions, malloc overhead)"] = malloc_resident - in_malloc
    return total, [Part(name, shares[name], 100.0 * shares[name] / total if total else 0.0)
                   for name in PARTS]
