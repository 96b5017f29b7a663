"""pymalloc's pool and arena headers (Objects/obmalloc.c) and the collector's list heads
(Include/objimpl.h, Modules/gcmodule.c) of CPython 2.7.18, declared as data.

pymalloc serves small requests from 4 KiB pools carved out of 256 KiB arenas (mmap'ed); a
pool's blocks all have one size class, ``(szidx + 1) * ALIGNMENT``. There are 32 classes:
ALIGNMENT is 16 on 64-bit 2.7.18 (requests up to 512 bytes; bpo-27987), 8 before and on
32-bit builds (up to 256 bytes).
"""

POOL_SIZE = 4096
ARENA_SIZE = 256 << 10
ALIGNMENTS = (16, 8)
NB_SMALL_SIZE_CLASSES = 32

# Include/objimpl.h: gc_refs of an object the collector does not track, and of one it
# tracks outside a collection
GC_UNTRACKED = -2
GC_REACHABLE = -3

DECLARATIONS = {
    # Objects/obmalloc.c: ``ref`` is a union of ``uint count`` and a block pointer
    "pool_header": (
        ("uint", "count"), ("uint", "_count_padding"), ("ptr", "freeblock"),
        ("ptr", "nextpool"), ("ptr", "prevpool"), ("uint", "arenaindex"), ("uint", "szidx"),
        ("uint", "nextoffset"), ("uint", "maxnextoffset"),
    ),
    "arena_object": (
        ("ptr", "address"), ("ptr", "pool_address"), ("uint", "nfreepools"),
        ("uint", "ntotalpools"), ("ptr", "freepools"), ("ptr", "nextarena"), ("ptr", "prevarena"),
    ),
    # Include/objimpl.h: a union padded to the size of the 2.7.3 one (with a long double),
    # 32 bytes on x86_64
    "PyGC_Head": (("ptr", "gc_next"), ("ptr", "gc_prev"), ("ssize", "gc_refs"), ("ptr", "_padding")),
    # Modules/gcmodule.c: ``generations[3]``; ``_PyGC_generation0`` points to the first head
    "gc_generation": (
        ("ptr", "gc_next"), ("ptr", "gc_prev"), ("ssize", "gc_refs"), ("ptr", "_padding"),
        ("int", "threshold"), ("int", "count"),
    ),
}
