"""Checked reads of object headers, words and strings, and what each type object says.

``ObjectReader`` is the one place objects are read from target memory: through a
``PageCache`` (built here when the caller gives a bare backend). A size read from the
target is believed only when what it describes ends inside the readable memory it
starts in (``check_span``): a real 500 MB str passes, a bit-flipped ob_size does not.
``TypeInfo`` is what the decoder needs from one type object; it is read once per type
address and cached.
"""

import struct

from ..errors import CpywalkerError, DecodeError, MemoryReadError
from ..layouts import cpython27 as c
from ..layouts import layout_for
from ..memory.cache import PageCache
from .dicts import dict_lookup_str

#: Words read per chunk of a large array: a lying size fails at the first unmapped chunk.
CHUNK_WORDS = 1 << 20
#: Up to this many words, ``words`` lets the read itself fail on unreadable memory.
SMALL_WORDS = 512
#: Longest tp_base chain / tp_mro the decoder follows.
MAX_BASES = 64
#: Most type objects read one inside another (a heap type's ``__module__`` key has a type,
#: whose ``__module__`` key has a type...): 2 in a sound heap, unbounded in a corrupt one.
MAX_TYPE_NESTING = 8


class TypeInfo:
    """One type object: names, flags, sizes and the decoder kind of its instances."""

    __slots__ = ("address", "name", "flags", "basicsize", "itemsize", "dictoffset",
                 "base", "mro", "dict", "members", "is_heap", "kind", "builtin", "module",
                 "detail")

    @property
    def short_name(self):
        """``__name__``: the tp_name after its last dot."""
        return self.name.rpartition(".")[2]

    @property
    def qualified_name(self):
        """``module.name`` as type_repr and object_repr print it (no ``__builtin__.``)."""
        if self.module and self.module != "__builtin__":
            return "%s.%s" % (self.module, self.short_name)
        return self.short_name


class ObjectReader:
    """Reads objects of one target; caches pages and type information."""

    def __init__(self, memory, layout=None, string_limit=None):
        #: bytes of a str, bytearray or buffer (characters of a unicode) read, None: all
        #: (the rest is ``node.truncated``): the max-string budget
        self.string_limit = string_limit
        self.cache = memory if isinstance(memory, PageCache) else PageCache(memory)
        self.layout = layout or layout_for(8, 4)
        model = self.layout.model
        self.psize = model.pointer_size
        self.ucs = model.unicode_width
        p = "Q" if self.psize == 8 else "I"
        s = p.lower()
        self.word_format = p
        #: (ob_refcnt, ob_type)
        self.head = struct.Struct("<" + s + p)
        #: (ob_refcnt, ob_type, first word after the header)
        self.header = struct.Struct("<" + s + p + s)
        self.types = {}
        self._reading_types = []

    # -- raw reads -------------------------------------------------------------------

    def read(self, address, size):
        """Exactly ``size`` bytes at ``address`` or MemoryReadError."""
        if address <= 0 or address + size > 1 << (8 * self.psize):
            raise MemoryReadError(address, size, "outside the address space")
        data = self.cache.read_partial(address, size)
        if len(data) != size:
            raise self.cache.read_error(address, size, data)
        return data

    def word(self, address):
        return struct.unpack("<" + self.word_format, self.read(address, self.psize))[0]

    def check_span(self, owner, start, size, field, value):
        """DecodeError (about the object at ``owner``) unless ``size`` bytes from ``start``
        lie in the readable memory ``start`` is in; the size came from ``field`` (a name,
        as ``ob_size``) holding ``value`` (shown with ``%s``)."""
        end = start + size
        if size < 0 or end > 1 << (8 * self.psize):
            raise DecodeError(owner, "implausible %s %s" % (field, value))
        if not size:
            return
        limit = self.cache.readable_end(start)
        if limit is None:  # regions unknown: the last byte must at least be readable
            if not self.cache.read_partial(end - 1, 1):
                raise DecodeError(owner, "implausible %s %s (its end is not readable)"
                                  % (field, value))
        elif end > limit:
            raise DecodeError(owner, "implausible %s %s (past the readable memory ending at %#x)"
                              % (field, value, limit))

    def words(self, address, count):
        """``count`` pointer-sized words at ``address``, read in chunks; more than a page
        of them only within readable memory."""
        if count > SMALL_WORDS:
            self.check_span(address, address, count * self.psize, "word count", count)
        out = []
        fmt = self.word_format
        for start in range(0, count, CHUNK_WORDS):
            n = min(CHUNK_WORDS, count - start)
            data = self.read(address + start * self.psize, n * self.psize)
            out.extend(struct.unpack("<%d%s" % (n, fmt), data))
        return out

    def unpack(self, compiled, address):
        """Every scalar field of struct ``compiled`` at ``address``, in declaration order."""
        return compiled.unpack_from(self.read(address, compiled.unpacked_size))

    def fields(self, compiled, address):
        """Every scalar field of struct ``compiled`` at ``address``, in one read: {name: value}."""
        return dict(zip(compiled.fields, self.unpack(compiled, address)))

    def cstring(self, address, limit=1024):
        """A NUL-terminated C string as text (latin-1), or DecodeError."""
        if not address:
            raise DecodeError(address, "NULL char pointer")
        data = b""
        while len(data) < limit:
            chunk = self.cache.read_partial(address + len(data), min(256, limit - len(data)))
            if not chunk:
                raise MemoryReadError(address + len(data), 1)
            end = chunk.find(b"\0")
            if end >= 0:
                return (data + chunk[:end]).decode("latin-1")
            data += chunk
        raise DecodeError(address, "C string longer than %d bytes" % limit)

    # -- objects ---------------------------------------------------------------------

    def object_header(self, address):
        """(refcnt, TypeInfo) of the object at ``address``; errors are typed."""
        if address & (self.psize - 1):
            raise DecodeError(address, "misaligned object address")
        refcnt, type_address = self.head.unpack(self.read(address, self.head.size))
        if refcnt <= 0 or refcnt > 1 << 48:
            raise DecodeError(address, "implausible ob_refcnt %d" % refcnt)
        try:
            return refcnt, self.type_info(type_address)
        except DecodeError as error:
            raise DecodeError(address, "bad ob_type %#x: %s" % (type_address, error.message))

    def type_info(self, address):
        info = self.types.get(address)
        if info is None:
            if address in self._reading_types or len(self._reading_types) >= MAX_TYPE_NESTING:
                raise DecodeError(address, "type object reached again while reading it (%s)"
                                  % " -> ".join("%#x" % entry for entry in self._reading_types))
            self._reading_types.append(address)
            try:
                info = self._read_type(address)
            finally:
                self._reading_types.pop()
            self.types[address] = info
        return info

    def _read_type(self, address):
        if not address or address & (self.psize - 1):
            raise DecodeError(address, "NULL or misaligned type pointer")
        T = self.layout.PyTypeObject
        try:
            data = self.read(address, T.size)
        except MemoryReadError as error:
            raise DecodeError(address, "type object not readable (%s)" % error)
        fields = dict(zip(T.fields, T.unpack_from(data)))
        info = TypeInfo()
        info.address = address
        info.flags = fields["tp_flags"]
        if not info.flags:
            raise DecodeError(address, "type has tp_flags 0")
        if not fields["tp_name"]:
            raise DecodeError(address, "type has a NULL tp_name")
        info.name = self.cstring(fields["tp_name"], 256)
        info.basicsize = fields["tp_basicsize"]
        info.itemsize = fields["tp_itemsize"]
        info.dictoffset = fields["tp_dictoffset"]
        info.base = fields["tp_base"]
        info.mro = fields["tp_mro"]
        info.dict = fields["tp_dict"]
        info.members = fields["tp_members"]
        info.is_heap = bool(info.flags & c.Py_TPFLAGS_HEAPTYPE)
        info.builtin = self._static_base(info)
        info.kind = classify(info)
        info.module = self._type_module(info)
        info.detail = None
        from .extension_types import refine_kind  # it decodes through objects.py

        self.types[address] = info  # its MRO starts with itself
        info.kind = refine_kind(self, info)
        return info

    def _static_base(self, info):
        """tp_name of the first non-heap type on the tp_base chain (the builtin it extends)."""
        if not info.is_heap:
            return info.name
        base = info.base
        for _ in range(MAX_BASES):
            if not base:
                break
            try:
                base_info = self.type_info(base)
            except CpywalkerError:
                break
            if not base_info.is_heap:
                return base_info.name
            base = base_info.base
        return "object"

    def _type_module(self, info):
        """type_module() of typeobject.c: ``__module__`` of a heap type, else tp_name's prefix."""
        if not info.is_heap:
            module, dot, _ = info.name.rpartition(".")
            return module if dot else "__builtin__"
        try:
            value = dict_lookup_str(self, info.dict, b"__module__")
            return self.string(value) if value else None
        except CpywalkerError:
            return None

    def str_value(self, address):
        """bytes of the str object at ``address`` (DecodeError for any other kind)."""
        _, info = self.object_header(address)
        if info.kind != "str":
            raise DecodeError(address, "expected a str, found %s" % info.name)
        start = address + self.layout.PyStringObject.ob_sval
        size = self.unpack(self.layout.PyVarObject, address)[2]
        self.check_span(address, start, size, "str ob_size", size)
        return self.read(start, size)

    def string(self, address):
        """The text of a ``str`` object (latin-1 decoded), or DecodeError."""
        return self.str_value(address).decode("latin-1")

    def name_of(self, address, default="?"):
        """Text of a str object used as a name; ``default`` when it is not one."""
        try:
            return self.string(address)
        except CpywalkerError:
            return default


#: tp_flags subclass bits, checked first (Include/object.h)
_FLAG_KINDS = (
    (c.Py_TPFLAGS_INT_SUBCLASS, "int"), (c.Py_TPFLAGS_LONG_SUBCLASS, "long"),
    (c.Py_TPFLAGS_LIST_SUBCLASS, "list"), (c.Py_TPFLAGS_TUPLE_SUBCLASS, "tuple"),
    (c.Py_TPFLAGS_STRING_SUBCLASS, "str"), (c.Py_TPFLAGS_UNICODE_SUBCLASS, "unicode"),
    (c.Py_TPFLAGS_DICT_SUBCLASS, "dict"), (c.Py_TPFLAGS_BASE_EXC_SUBCLASS, "exception"),
    (c.Py_TPFLAGS_TYPE_SUBCLASS, "type"),
)

#: tp_name of a builtin type -> decoder kind, for types without a subclass bit
_NAME_KINDS = {
    "bool": "bool", "float": "float", "complex": "complex", "NoneType": "none",
    "ellipsis": "ellipsis", "NotImplementedType": "notimplemented",
    "bytearray": "bytearray", "buffer": "buffer", "set": "set", "frozenset": "frozenset",
    "classobj": "classobj", "instance": "classic_instance", "function": "function",
    "builtin_function_or_method": "cfunction", "instancemethod": "method",
    "method-wrapper": "method_wrapper", "wrapper_descriptor": "wrapper_descriptor",
    "method_descriptor": "method_descriptor",
    "classmethod_descriptor": "method_descriptor", "member_descriptor": "member_descriptor",
    "getset_descriptor": "getset_descriptor", "module": "module", "code": "code",
    "frame": "frame", "cell": "cell", "slice": "slice", "xrange": "xrange",
    "property": "property", "staticmethod": "staticmethod", "classmethod": "classmethod",
    "dictproxy": "dictproxy", "weakref": "weakref", "generator": "generator", "file": "file",
    "collections.deque": "deque", "dict_keys": "dictview", "dict_values": "dictview",
    "dict_items": "dictview", "array.array": "array",
    "datetime.date": "date", "datetime.time": "time", "datetime.datetime": "datetime",
    "datetime.timedelta": "timedelta",
    "object": "instance",
}


#: builtin subclasses of builtins, with their own repr
_STATIC_SUBCLASS_KINDS = {"bool": "bool", "collections.defaultdict": "defaultdict"}


#: kinds decoded for the stdlib type itself only: a subclass may define its own __repr__
_EXACT_TYPE_KINDS = frozenset(("date", "time", "datetime", "timedelta"))


def classify(info):
    """Decoder kind of a type: its tp_flags subclass bit, else its builtin base's tp_name."""
    if info.builtin in _STATIC_SUBCLASS_KINDS:
        return _STATIC_SUBCLASS_KINDS[info.builtin]
    for bit, kind in _FLAG_KINDS:
        if info.flags & bit:
            return kind
    kind = _NAME_KINDS.get(info.builtin, "generic")
    if kind == "instance" and not info.is_heap or kind in _EXACT_TYPE_KINDS and info.is_heap:
        return "generic"
    return kind
