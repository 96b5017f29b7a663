"""The type objects of a heap: which addresses are real types, and what the scanner needs of each.

A word is a real type when it points to a ready type object (``Py_TPFLAGS_READY``, sane
sizes, a readable name) whose own type is ``type`` or a subclass of it. ``TypeEntry`` is
one type as the census sees it: its name as repr names it, whether its instances carry a
GC header, how ``sys.getsizeof`` sizes them (``sizeof.formula_of``), and where an
instance of a Python class keeps its ``__dict__`` and ``__slots__``. Entries are built once
per type address and cached; a classic instance is filed under an entry of its class.
"""

from ..decode.objects import dict_lookup_str
from ..errors import CpywalkerError, MemoryAccessError
from ..layouts import cpython27 as c
from . import sizeof

Py_TPFLAGS_READY = 1 << 12
Py_TPFLAGS_HAVE_GC = 1 << 14
#: Largest tp_basicsize / tp_itemsize a real type has.
MAX_BASICSIZE = 1 << 20
MAX_ITEMSIZE = 1 << 16
#: Longest metatype chain (``type(type(type(x)))``) followed.
MAX_META = 8
#: A live object's refcount is below this: a pointer is bigger, and so are two UCS4
#: characters read as one word (every object would need 512 GB of references).
MAX_REFCNT = 1 << 36
#: Rejected addresses remembered; the set starts over when it is full.
MAX_BAD = 1 << 16


class TypeEntry:
    """One type as the heap scan uses it (see the module docstring)."""

    __slots__ = ("address", "name", "kind", "gc", "heap", "basicsize", "itemsize", "flags",
                 "weaklistoffset", "dictoffset", "state_words", "formula", "exact", "fixed",
                 "info", "unreadable")

    def __repr__(self):
        return "<TypeEntry %s %#x>" % (self.name, self.address)


class TypeTable:
    """``table.get(address)``: the TypeEntry of a real type at ``address``, else None."""

    def __init__(self, reader, mapped=None):
        self.reader = reader
        self.mapped = mapped
        self.entries = {}
        #: the same entries split by where an instance's header is: at its start (non-GC
        #: types) or after a GC header
        self.nongc = {}
        self.gc = {}
        #: the entry of ``instance`` (classic instances are filed under their class)
        self.instance = None
        #: the entries of int and float (2.7 keeps them in blocks of their own)
        self.numbers = {}
        self._bad = set()
        #: type words whose memory could not be read at all (a core without it), once each
        self.unreadable = 0
        self._classes = {}
        self._defines_sizeof = {}
        self._mro_names = {}
        self._checking = set()
        self.sizer = sizeof.Sizer(reader)

    def get(self, address):
        entry = self.entries.get(address)
        if entry is not None or address in self._bad:
            return entry
        entry = self._build(address)
        if entry is None:
            if len(self._bad) >= MAX_BAD:
                self._bad.clear()
            self._bad.add(address)
        else:
            self.entries[address] = entry
            (self.gc if entry.gc else self.nongc)[address] = entry
            if entry.kind == "classic_instance" and entry.name == "instance":
                self.instance = entry
            if entry.name in ("int", "float") and not entry.heap:
                self.numbers[address] = entry
            entry.state_words = self._state_words(entry)
            entry.formula, entry.exact = self._formula(entry)
            entry.fixed = self.sizer.fixed(entry)
        return entry

    def is_type_of_types(self, address):
        """Whether ``address`` is ``type`` or a subclass of it (a metatype)."""
        entry = self.get(address)
        return entry is not None and bool(entry.flags & c.Py_TPFLAGS_TYPE_SUBCLASS)

    def _build(self, address):
        reader = self.reader
        if not address or address % reader.psize or (self.mapped is not None and address not in self.mapped):
            return None
        if address in self._checking or len(self._checking) > MAX_META:
            return None
        self._checking.add(address)
        try:
            return self._checked(address)
        except MemoryAccessError:
            if len(reader.cache.read_partial(address, reader.head.size)) < reader.head.size:
                self.unreadable += 1
            return None
        except CpywalkerError:
            return None
        finally:
            self._checking.discard(address)

    def _checked(self, address):
        reader = self.reader
        T = reader.layout.PyTypeObject
        fields = reader.fields(T, address)
        flags = fields["tp_flags"] & (1 << 64) - 1
        basicsize, itemsize = fields["tp_basicsize"], fields["tp_itemsize"]
        if not flags & Py_TPFLAGS_READY or not reader.head.size <= basicsize <= MAX_BASICSIZE \
                or not 0 <= itemsize <= MAX_ITEMSIZE:
            return None
        metatype = fields["ob_type"]
        if metatype == address:
            if not flags & c.Py_TPFLAGS_TYPE_SUBCLASS:
                return None
        elif not self.is_type_of_types(metatype):
            return None
        entry = TypeEntry()
        entry.address = address
        entry.flags = flags
        entry.basicsize, entry.itemsize = basicsize, itemsize
        entry.weaklistoffset = fields["tp_weaklistoffset"]
        entry.dictoffset = fields["tp_dictoffset"]
        entry.heap = bool(flags & c.Py_TPFLAGS_HEAPTYPE)
        entry.gc = bool(flags & Py_TPFLAGS_HAVE_GC)
        try:
            entry.info = reader.type_info(address)
        except CpywalkerError:
            entry.info = None
        if entry.info is None or not _printable(entry.info.name):
            entry.name = "<type at %#x with an unreadable tp_name>" % address
            entry.kind = "generic"
            entry.unreadable = True
        else:
            entry.name = entry.info.qualified_name
            entry.kind = entry.info.kind
            entry.unreadable = False
        return entry

    def _state_words(self, entry):
        """Offsets of the pointer words a Python class adds to its builtin base (its
        ``__slots__`` and ``__dict__``), the weak reference list left out."""
        if not entry.heap or entry.info is None:
            return ()
        base = self._static_base(entry)
        if base is None or base.itemsize:
            return ()
        psize = self.reader.psize
        start = base.basicsize + -base.basicsize % psize
        return tuple(offset for offset in range(start, entry.basicsize - psize + 1, psize)
                     if offset != entry.weaklistoffset)

    def _static_base(self, entry):
        base = entry.info.base
        for _ in range(64):
            base_entry = self.get(base) if base else None
            if base_entry is None:
                return None
            if not base_entry.heap:
                return base_entry
            base = base_entry.info.base
        return None

    def _formula(self, entry):
        """(sizeof formula name, exact) from the type that defines ``__sizeof__`` for it."""
        owner = self._sizeof_owner(entry)
        if owner is None or owner.heap or owner.info is None:
            return "object", False
        formula = sizeof.FORMULA_OF_OWNER.get(owner.info.name)
        return (formula, True) if formula else ("object", False)

    def _sizeof_owner(self, entry):
        """The first type of ``entry``'s MRO whose own dict holds ``__sizeof__``."""
        reader = self.reader
        try:
            mro = reader.tuple_items(entry.info.mro) if entry.info and entry.info.mro else ()
        except CpywalkerError:
            mro = ()
        for address in mro or (entry.address,):
            if address not in self._defines_sizeof:
                candidate = entry if address == entry.address else self.get(address)
                try:
                    found = bool(candidate and candidate.info and
                                 dict_lookup_str(reader, candidate.info.dict, b"__sizeof__"))
                except CpywalkerError:
                    found = False
                self._defines_sizeof[address] = found
            if self._defines_sizeof[address]:
                return entry if address == entry.address else self.get(address)
        return None

    def read_object(self, address, max_body=1 << 20):
        """``(bytes, entry)`` of a live object at ``address`` (positive refcount, a real
        type), its bytes from its start: the fixed part and up to ``max_body`` of its items;
        None when there is no such object, or its items would run past its mapping."""
        reader = self.reader
        if address <= 0 or address % reader.psize:
            return None
        header = reader.cache.read_partial(address, 3 * reader.psize)
        if len(header) < reader.head.size:
            return None
        refcnt, type_address = reader.head.unpack_from(header)
        if not 0 < refcnt < MAX_REFCNT:
            return None
        entry = self.get(type_address)
        if entry is None:
            return None
        needed = size = entry.basicsize
        if entry.kind == "type":
            needed = reader.layout.PyTypeObject.size
        elif entry.itemsize and len(header) == reader.header.size:
            items = abs(reader.header.unpack_from(header)[2]) * entry.itemsize
            end = self.mapped.end(address) if self.mapped is not None else None
            if end is not None and address + size + items > end:
                return None
            size += min(items, max_body)
        body = reader.cache.read_partial(address, size)
        return (body, entry) if len(body) >= needed else None

    def mro_names(self, entry):
        """tp_name and census name of every type of ``entry``'s MRO (cached per type)."""
        names = self._mro_names.get(entry.address)
        if names is None:
            names = set()
            try:
                mro = self.reader.tuple_items(entry.info.mro) if entry.info and entry.info.mro else ()
            except CpywalkerError:
                mro = ()
            for address in mro or (entry.address,):
                found = entry if address == entry.address else self.get(address)
                if found is not None:
                    names.add(found.name)
                    if found.info is not None:
                        names.add(found.info.name)
            self._mro_names[entry.address] = names = frozenset(names)
        return names

    def classic(self, instance_entry, klass):
        """The entry a classic instance of class ``klass`` is counted under: the
        ``instance`` type's, named ``module.Class`` (None when ``klass`` is no class)."""
        entry = self._classes.get(klass)
        if entry is not None:
            return entry
        if klass not in self._classes:
            entry = self._classic(instance_entry, klass)
            self._classes[klass] = entry
        return entry

    def _classic(self, instance_entry, klass):
        reader = self.reader
        try:
            _, info = reader.object_header(klass)
            if info.kind != "classobj":
                return None
            fields = reader.fields(reader.layout.PyClassObject, klass)
            name = reader.string(fields["cl_name"])
            module = dict_lookup_str(reader, fields["cl_dict"], b"__module__")
            module = reader.name_of(module, None) if module else None
        except CpywalkerError:
            return None
        entry = TypeEntry()
        for slot in TypeEntry.__slots__:
            setattr(entry, slot, getattr(instance_entry, slot))
        entry.name = "%s.%s" % (module, name) if module else name
        return entry


def _printable(name):
    return bool(name) and all(" " <= ch <= "~" for ch in name)
