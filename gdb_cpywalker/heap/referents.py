"""The references one object holds, by kind, as 2.7's ``tp_traverse`` functions list them
and then some: a non-GC object's too (code objects), the reference an instance holds to
its class, a frame's locals and value stack.

``Referents(reader, table).of(entry, buf, off, address)`` returns the addresses the object
at ``address`` (its bytes from ``buf[off]``) refers to; ``labelled=True`` returns
``(label, address)`` pairs instead, a label being a field name (``func_globals``), an index
(``[3]``), ``key``, a ``("value", key address)`` pair for a mapping's value, or ``?`` for a
word of a type this module does not know, which is taken when it points to an object
(conservative: the caller validates). Borrowed pointers (a weakref's referent, weak
reference lists, a frame's thread state) are left out. Arrays outside the object (list
items, hash tables, deque blocks) are read through the reader.
"""

import struct

from ..decode.objects import instance_dict_address, slot_members
from ..errors import CpywalkerError
from ..layouts import cpython27 as c

#: Most references taken from one object (a bigger size is a lie: the rest is dropped).
MAX_REFS = 1 << 26

#: kind -> (layout struct, fields that are owned references), for fixed-shape kinds
FIELDS = {
    "classobj": ("PyClassObject", ("cl_bases", "cl_dict", "cl_name", "cl_getattr", "cl_setattr",
                                   "cl_delattr")),
    "classic_instance": ("PyInstanceObject", ("in_class", "in_dict")),
    "function": ("PyFunctionObject", ("func_code", "func_globals", "func_defaults", "func_closure",
                                      "func_doc", "func_name", "func_dict", "func_module")),
    "cfunction": ("PyCFunctionObject", ("m_self", "m_module")),
    "method": ("PyMethodObject", ("im_func", "im_self", "im_class")),
    "method_wrapper": ("wrapperobject", ("descr", "self")),
    "wrapper_descriptor": ("PyDescrObject", ("d_type", "d_name")),
    "method_descriptor": ("PyDescrObject", ("d_type", "d_name")),
    "member_descriptor": ("PyDescrObject", ("d_type", "d_name")),
    "getset_descriptor": ("PyDescrObject", ("d_type", "d_name")),
    "module": ("PyModuleObject", ("md_dict",)),
    "code": ("PyCodeObject", ("co_code", "co_consts", "co_names", "co_varnames", "co_freevars",
                              "co_cellvars", "co_filename", "co_name", "co_lnotab")),
    "cell": ("PyCellObject", ("ob_ref",)),
    "slice": ("PySliceObject", ("start", "stop", "step")),
    "property": ("propertyobject", ("prop_get", "prop_set", "prop_del", "prop_doc")),
    "staticmethod": ("staticmethod", ("sm_callable",)),
    "classmethod": ("classmethod", ("cm_callable",)),
    "dictproxy": ("proxyobject", ("dict",)),
    "weakref": ("PyWeakReference", ("wr_callback",)),
    "generator": ("PyGenObject", ("gi_frame", "gi_code")),
    "file": ("PyFileObject", ("f_name", "f_mode", "f_encoding", "f_errors")),
    "dictview": ("dictviewobject", ("dv_dict",)),
    "exception": ("PyBaseExceptionObject", ("dict", "args", "message")),
    "buffer": ("PyBufferObject", ("b_base",)),
    "unicode": ("PyUnicodeObject", ("defenc",)),
    "type": ("PyHeapTypeObject", ("tp_dict", "tp_bases", "tp_mro", "tp_base", "tp_cache",
                                  "tp_subclasses")),
    "frame": ("PyFrameObject", ("f_back", "f_code", "f_builtins", "f_globals", "f_locals",
                                "f_trace", "f_exc_type", "f_exc_value", "f_exc_traceback")),
    "defaultdict": ("defdictobject", ("default_factory",)),
}
#: kinds holding no reference but to their type
LEAVES = frozenset(("int", "bool", "long", "float", "complex", "none", "ellipsis",
                    "notimplemented", "str", "bytearray", "xrange", "array", "date",
                    "timedelta"))
#: kinds whose base struct is a dict (their own fields come after it)
DICT_KINDS = frozenset(("dict", "defaultdict", "ordereddict", "counter"))


class Referents:
    """References of objects of one target (see the module docstring)."""

    def __init__(self, reader, table, running_stacks=True):
        #: whether a running frame's whole value stack counts (its top is only known to
        #: the C code running it: slots above it hold stale pointers)
        self.running_stacks = running_stacks
        self.reader = reader
        self.table = table
        layout = reader.layout
        self.layout = layout
        self.psize = reader.psize
        fmt = layout.model.ctype_format("ptr")
        self.word = struct.Struct("<" + fmt)
        self.ssize = struct.Struct("<" + layout.model.ctype_format("ssize"))
        self.fmt = fmt
        self.fields = {kind: tuple((name, getattr(getattr(layout, struct_name), name))
                                   for name in names)
                       for kind, (struct_name, names) in FIELDS.items()}
        self._names = {}
        heap_type = layout.PyHeapTypeObject
        self.heap_type_fields = (("ht_name", heap_type.ht_name), ("ht_slots", heap_type.ht_slots))

    def of(self, entry, buf, off, address, labelled=False):
        """What the object at ``address`` refers to (see the module docstring)."""
        out = []
        add = out.append if labelled else (lambda pair: out.append(pair[1]))
        if entry.heap:
            add(("__class__", entry.address))
        kind = entry.kind
        if kind in self.fields:
            self._fields(kind, buf, off, add)
        extra = getattr(self, "_" + kind, None)
        if extra is not None:
            extra(entry, buf, off, address, add)
        elif kind == "generic" or (kind == "exception" and not entry.heap):
            self._conservative(entry, buf, off, address, add)
        if entry.state_words or (entry.heap and entry.dictoffset < 0):
            self._state(entry, buf, off, address, add)
        return [pair for pair in out if pair[1]] if labelled else [a for a in out if a]

    # -- helpers -------------------------------------------------------------------

    def _fields(self, kind, buf, off, add):
        unpack = self.word.unpack_from
        for name, offset in self.fields[kind]:
            add((name, unpack(buf, off + offset)[0]))

    def _words(self, address, count):
        if not 0 <= count <= MAX_REFS:
            raise CpywalkerError("implausible item count %d at %#x" % (count, address))
        return self.reader.words(address, count) if count else []

    def _ssize(self, buf, off, compiled, name):
        return self.ssize.unpack_from(buf, off + getattr(compiled, name))[0]

    def _items(self, items, add):
        for index, item in enumerate(items):
            add(("[%d]" % index, item))

    def _state(self, entry, buf, off, address, add):
        """A Python class's ``__slots__`` and ``__dict__`` words."""
        unpack = self.word.unpack_from
        names = self._state_names(entry)
        for offset in entry.state_words:
            add((names.get(offset, "?"), unpack(buf, off + offset)[0]))
        if entry.dictoffset < 0 and entry.info is not None:
            slot = instance_dict_address(self.reader, address, entry.info)
            add(("__dict__", self.reader.word(slot)))

    def _state_names(self, entry):
        """{offset: slot name or ``__dict__``} of a Python class's instance words."""
        names = self._names.get(entry.address)
        if names is None:
            names = {}
            if entry.info is not None and entry.dictoffset > 0:
                names[entry.dictoffset] = "__dict__"
            try:
                names.update((offset, name) for name, offset in slot_members(self.reader, entry.info))
            except (CpywalkerError, AttributeError):
                pass
            self._names[entry.address] = names
        return names

    def _conservative(self, entry, buf, off, address, add):
        """Every pointer-aligned word of an unknown object, but its header and weak list."""
        first = self.layout.PyBaseExceptionObject.size if entry.kind == "exception" else \
            self.layout.PyObject.size
        end = entry.basicsize - entry.basicsize % self.psize
        if end > len(buf) - off:
            return
        words = struct.unpack_from("<%d%s" % ((end - first) // self.psize, self.fmt), buf, off + first)
        for index, word in enumerate(words):
            if first + index * self.psize != entry.weaklistoffset:
                add(("?", word))

    # -- kinds with arrays ---------------------------------------------------------

    def _tuple(self, entry, buf, off, address, add):
        size = self.ssize.unpack_from(buf, off + self.layout.PyVarObject.ob_size)[0]
        start = off + self.layout.PyTupleObject.ob_item
        if 0 <= size and start + size * self.psize <= len(buf):
            self._items(struct.unpack_from("<%d%s" % (size, self.fmt), buf, start), add)
        else:
            self._items(self._words(address + self.layout.PyTupleObject.ob_item, size), add)

    def _list(self, entry, buf, off, address, add):
        L = self.layout.PyListObject
        size = self._ssize(buf, off, L, "ob_size")
        self._items(self._words(self.word.unpack_from(buf, off + L.ob_item)[0], size), add)

    def _dict(self, entry, buf, off, address, add):
        D = self.layout.PyDictObject
        mask = self._ssize(buf, off, D, "ma_mask")
        table = self.word.unpack_from(buf, off + D.ma_table)[0]
        words = self._table(buf, off, address, D.ma_smalltable, table, mask, 3)
        for key, value in zip(words[1::3], words[2::3]):
            if key:
                add(("key", key))
            if value:
                add((("value", key), value))

    _defaultdict = _ordereddict = _counter = _dict

    def _set(self, entry, buf, off, address, add):
        S = self.layout.PySetObject
        mask = self._ssize(buf, off, S, "mask")
        table = self.word.unpack_from(buf, off + S.table)[0]
        for key in self._table(buf, off, address, S.smalltable, table, mask, 2)[1::2]:
            if key:
                add(("item", key))

    _frozenset = _set

    def _table(self, buf, off, address, small, table, mask, entry_words):
        slots = mask + 1
        if slots & mask or not 0 < slots <= MAX_REFS:
            raise CpywalkerError("implausible hash table mask %#x at %#x" % (mask, address))
        if table == address + small and off + small + slots * entry_words * self.psize <= len(buf):
            return struct.unpack_from("<%d%s" % (slots * entry_words, self.fmt), buf, off + small)
        return self._words(table, slots * entry_words)

    def _deque(self, entry, buf, off, address, add):
        deque = self.layout.dequeobject
        block = self.word.unpack_from(buf, off + deque.leftblock)[0]
        index = self._ssize(buf, off, deque, "leftindex")
        length = self._ssize(buf, off, deque, "len")
        if not 0 <= length <= MAX_REFS or not 0 <= index < c.DEQUE_BLOCKLEN:
            raise CpywalkerError("implausible deque at %#x" % address)
        items = []
        while len(items) < length and block:
            words = self.reader.words(block, c.DEQUE_BLOCKLEN + 1)
            items.extend(words[index:c.DEQUE_BLOCKLEN][:length - len(items)])
            block, index = words[c.DEQUE_BLOCKLEN], 0
        self._items(items, add)

    def _frame(self, entry, buf, off, address, add):
        """The locals, cells and free variables, then the value stack up to its top (while
        the frame runs: the whole stack, or none of it without ``running_stacks``)."""
        F = self.layout.PyFrameObject
        code = self.word.unpack_from(buf, off + F.f_code)[0]
        reader = self.reader
        fields = reader.fields(self.layout.PyCodeObject, code)
        count = fields["co_nlocals"]
        for name in ("co_cellvars", "co_freevars"):
            count += reader.unpack(self.layout.PyVarObject, fields[name])[2]
        stack = self.word.unpack_from(buf, off + F.f_valuestack)[0]
        top = self.word.unpack_from(buf, off + F.f_stacktop)[0]
        if top:
            depth = (top - stack) // self.psize
        else:
            depth = fields["co_stacksize"] if self.running_stacks else 0
        base = address + F.f_localsplus
        words = self._words(base, count + max(0, min(depth, fields["co_stacksize"])))
        for index, word in enumerate(words):
            add(("f_localsplus[%d]" % index if index < count else "stack[%d]" % (index - count), word))

    def _type(self, entry, buf, off, address, add):
        flags = self.word.unpack_from(buf, off + self.layout.PyTypeObject.tp_flags)[0]
        if flags & c.Py_TPFLAGS_HEAPTYPE:
            unpack = self.word.unpack_from
            for name, offset in self.heap_type_fields:
                add((name, unpack(buf, off + offset)[0]))

    def _time(self, entry, buf, off, address, add):
        self._tzinfo(self.layout.PyDateTime_Time, buf, off, add)

    def _datetime(self, entry, buf, off, address, add):
        self._tzinfo(self.layout.PyDateTime_DateTime, buf, off, add)

    def _tzinfo(self, compiled, buf, off, add):
        if buf[off + compiled.hastzinfo]:
            add(("tzinfo", self.word.unpack_from(buf, off + compiled.tzinfo)[0]))

    def _decimal(self, entry, buf, off, address, add):
        pass

    def _instance(self, entry, buf, off, address, add):
        pass
