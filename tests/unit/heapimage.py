"""A synthetic 2.7 heap for the heap scanner: type objects from builder.py, then an arena of
pymalloc pools, a brk heap of glibc chunks and a static section laid out by hand, with the
regions and symbols a target would have."""

import struct

from builder import ImageBuilder, Ref

from gdb_cpywalker.layouts import cpython27 as c
from gdb_cpywalker.procfs import Region
from gdb_cpywalker.target.symbols import Symbols

HAVE_GC = 1 << 14
ARENA = 0x7E0000000000
ARENA_SIZE = 512 << 10
HEAP = 0x560000000000
HEAP_SIZE = 64 << 10
LIBRARY = "/synthetic/libpython2.7.so.1.0"
#: Builtin types whose instances carry a GC header, and which define their own __sizeof__.
GC_TYPES = ("tuple", "list", "dict")
OWN_SIZEOF = ("object", "str", "list", "dict")


class FakeSymbols(Symbols):
    """Symbols of the synthetic target: a few names, one object file with a .data section."""

    def __init__(self, names=None, data=None):
        super().__init__()
        self.names = dict(names or {})
        self.data = data

    def objfiles(self):
        return [(LIBRARY, 0)]

    def address(self, name):
        return self.names.get(name)

    def section(self, objfile, name):
        return self.data if name == ".data" else None


class HeapImage:
    """``image.pool(...)``, ``image.chunk(...)``, then ``image.target()`` for a HeapScan."""

    def __init__(self, alignment=16):
        self.builder = builder = ImageBuilder()
        self.alignment = alignment
        self.psize = 8
        self.types = {}
        for name in ("object", "str", "tuple", "list", "dict", "int", "float", "NoneType"):
            self.types[name] = builder.builtin(name)
        for name in GC_TYPES:
            self.add_flags(self.types[name], HAVE_GC)
        for name, address in self.types.items():
            chain = [Ref(address)] + ([Ref(self.types["object"])] if name != "object" else [])
            builder.set_fields("PyTypeObject", address, tp_mro=builder.tuple_(chain))
            if name in OWN_SIZEOF:
                builder.set_fields("PyTypeObject", address,
                                   tp_dict=builder.dict_({b"__sizeof__": b"method"}))
        self.types["Widget"] = builder.heap_type("Widget")
        self.add_flags(self.types["Widget"], HAVE_GC)
        builder.set_fields("PyTypeObject", self.types["Widget"], tp_mro=builder.tuple_(
            [Ref(self.types["Widget"]), Ref(self.types["object"])]))
        self.types["Plain"] = builder.heap_type("Plain", with_dict=False)
        builder.set_fields("PyTypeObject", self.types["Plain"], tp_mro=builder.tuple_(
            [Ref(self.types["Plain"]), Ref(self.types["object"])]))
        self.none = builder.singleton("NoneType")
        self.arena = bytearray(ARENA_SIZE)
        self.heap = bytearray(HEAP_SIZE)
        self.heap_used = 0
        self.names = {"_PyGC_generation0": None}

    def add_flags(self, type_address, flags):
        T = self.builder.layout.PyTypeObject
        old = struct.unpack_from("<Q", self.builder.buf, type_address - self.builder.base + T.tp_flags)[0]
        self.builder.set_fields("PyTypeObject", type_address, tp_flags=old | flags)

    # -- pymalloc ------------------------------------------------------------------

    def pool(self, index, size, blocks, free=(), nblocks=None, count=None, arenaindex=0,
             freeblock=None):
        """Pool ``index`` of the arena, blocks of ``size`` bytes: ``blocks`` maps a block
        index to ``(type name, refcnt)``; ``free`` lists blocks chained on the free list.
        Returns the pool's address."""
        address = ARENA + index * 4096
        offset = index * 4096
        used = max(list(blocks) + list(free) + [0]) + 1 if nblocks is None else nblocks
        overhead = 48
        chain = list(free)
        first_free = address + overhead + chain[0] * size if chain else 0
        struct.pack_into("<IIQQQIIII", self.arena, offset,
                         len(blocks) if count is None else count, 0,
                         first_free if freeblock is None else freeblock, 0, 0, arenaindex,
                         size // self.alignment - 1, overhead + used * size, 4096 - size)
        for position, block in enumerate(chain):
            link = address + overhead + chain[position + 1] * size if position + 1 < len(chain) else 0
            type_address = self.types["str"]
            struct.pack_into("<QQ", self.arena, offset + overhead + block * size, link, type_address)
        for block, (name, refcnt) in blocks.items():
            start = offset + overhead + block * size
            type_address = self.types[name]
            if name in GC_TYPES or name == "Widget":
                struct.pack_into("<QQq8xqQ", self.arena, start, 0, 0, -2, refcnt, type_address)
                start += 32
            else:
                struct.pack_into("<qQ", self.arena, start, refcnt, type_address)
            if name == "str":
                struct.pack_into("<q", self.arena, start + 16, 5)
            if name == "tuple":
                struct.pack_into("<q", self.arena, start + 16, 0)
        return address

    def block_address(self, pool, size, block, gc=False):
        return pool + 48 + block * size + (32 if gc else 0)

    # -- malloc --------------------------------------------------------------------

    def chunk(self, request, fill=None):
        """A chunk in use for a ``request``-byte malloc; ``fill(user_offset)`` writes its data.
        Returns the user address."""
        size = max(32, (request + 8 + 15) & ~15)
        offset = self.heap_used
        struct.pack_into("<QQ", self.heap, offset, 0, size | 1)
        self.heap_used += size
        if fill is not None:
            fill(offset + 16)
        return HEAP + offset + 16

    def bad_chunk(self):
        """A chunk header with an impossible size: the walk stops there."""
        struct.pack_into("<QQ", self.heap, self.heap_used, 0, 0x13)
        self.heap_used += 4096

    def int_block(self, values, free=()):
        """A 2.7 int block (41 slots): ``values`` in the first slots; ``free`` slots linked."""
        def fill(user):
            for index, value in enumerate(values):
                start = user + 8 + index * 24
                if index in free:
                    struct.pack_into("<qQq", self.heap, start, 0, HEAP + user + 8, 0)
                else:
                    struct.pack_into("<qQq", self.heap, start, 1, self.types["int"], value)
        return self.chunk(992, fill) + 8

    def string_chunk(self, length, type_name="str"):
        """A str object of ``length`` bytes alone in its chunk (bigger than pymalloc serves)."""
        def fill(user):
            struct.pack_into("<qQq", self.heap, user, 1, self.types[type_name], length)
        return self.chunk(37 + length, fill)

    # -- the target ----------------------------------------------------------------

    def target(self):
        """(memory, layout, symbols, regions) of the image (the brk heap ends in a top chunk)."""
        top = HEAP_SIZE - self.heap_used
        if top >= 32:
            struct.pack_into("<QQ", self.heap, self.heap_used, 0, top | 1)
        memory = self.builder.image()
        memory.map(ARENA, bytes(self.arena))
        memory.map(HEAP, bytes(self.heap))
        base, size = self.builder.base, len(self.builder.buf)
        symbols = FakeSymbols({k: v for k, v in self.names.items() if v is not None},
                              (self.none, self.none + 16))
        regions = [Region(HEAP, HEAP + HEAP_SIZE, "rw-p", path="[heap]"),
                   Region(ARENA, ARENA + ARENA_SIZE, "rw-p"),
                   Region(base, base + size + 4096 - size % 4096, "rw-p", path=LIBRARY)]
        return memory, self.builder.layout, symbols, sorted(regions, key=lambda r: r.start)


__all__ = ["HeapImage", "ARENA", "HEAP", "c"]
