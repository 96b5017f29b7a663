"""The references one object holds, by kind, as 2.7's ``tp_traverse`` functions list them
and then some: a non-GC object's too (code objects), the reference an instance holds to
its class, a frame's locals and value stack.

``Referents(reader, table).of(entry, buf, off, address)`` returns the addresses the object
at ``address`` (its bytes from ``buf[off]``) refers to; ``labelled=True`` returns
``(label, address)`` pairs instead, a label being a field name (``func_globals``), an index
(``[3]``), ``key``, a ``("value", key address)`` pair for a mapping's value, a frame's
``local 'x'``, or ``word +0x18`` for a word of a type this module does not know, taken when
it points into a mapping (conservative: the caller validates). Borrowed pointers (a weakref's referent, weak
reference lists, a frame's thread state) are left out. Arrays outside the object (list
items, hash tables, deque blocks) are read through the reader.

Each kind's reader returns ``(labels, values)``: ``labels`` a list, or a function of the
number of values (only called when labels are asked for).
"""

import struct

from ..decode.objects import instance_dict_address, slot_members
from ..errors import CpywalkerError, DecodeError
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
    "type": ("PyTypeObject", ("tp_dict", "tp_bases", "tp_mro", "tp_base", "tp_cache",
                              "tp_subclasses")),
    "frame": ("PyFrameObject", ("f_back", "f_code", "f_builtins", "f_globals", "f_locals",
                                "f_trace", "f_exc_type", "f_exc_value", "f_exc_traceback")),
    "defaultdict": ("defdictobject", ("default_factory",)),
}


def _indexes(prefix):
    def labels(count):
        return ["%s[%d]" % (prefix, index) for index in range(count)]
    return labels


_ITEMS = _indexes("")


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
        self.fmt = fmt
        self.word = struct.Struct("<" + fmt)
        self.ssize = struct.Struct("<" + layout.model.ctype_format("ssize"))
        self.fields = {kind: self._fields_struct(getattr(layout, struct_name), names)
                       for kind, (struct_name, names) in FIELDS.items()}
        heap_type = layout.PyHeapTypeObject
        self.heap_type_fields = self._fields_struct(heap_type, ("ht_name", "ht_slots"))
        self._names = {}
        self._kinds = {}

    def _fields_struct(self, compiled, names):
        """(names, struct reading their words in one unpack at the object's start)."""
        offsets = sorted((getattr(compiled, name), name) for name in names)
        fmt, position = "<", 0
        for offset, _ in offsets:
            fmt += "%dx%s" % (offset - position, self.fmt)
            position = offset + self.psize
        return [name for _, name in offsets], struct.Struct(fmt)

    def holds_references(self, entry):
        """Whether objects of ``entry`` can refer to anything (a str cannot)."""
        parts = self._kinds.get(entry)
        if parts is None:
            parts = self._kinds[entry] = self._readers(entry)
        return bool(parts)

    def of(self, entry, buf, off, address, labelled=False):
        """What the object at ``address`` refers to (see the module docstring); DecodeError
        when its bytes do not hold what its type says (a damaged object)."""
        try:
            return self._of(entry, buf, off, address, labelled)
        except (struct.error, IndexError, ValueError, OverflowError):
            raise DecodeError(address, "the references of a damaged %s cannot be read" % entry.name) from None

    def _of(self, entry, buf, off, address, labelled):
        parts = self._kinds.get(entry)
        if parts is None:
            parts = self._kinds[entry] = self._readers(entry)
        if not labelled:
            out = []
            for part in parts:
                out += part(entry, buf, off, address)[1]
            return [value for value in out if value]
        pairs = []
        for part in parts:
            labels, values = part(entry, buf, off, address)
            if callable(labels):
                labels = labels(len(values))
            pairs += zip(labels, values)
        return [pair for pair in pairs if pair[1]]

    def _readers(self, entry):
        """The part readers of one type, in order."""
        kind = entry.kind
        parts = []
        if entry.heap:
            parts.append(self._class)
        if kind in self.fields:
            parts.append(self._fields)
        extra = getattr(self, "_" + kind, None)
        if extra is not None:
            parts.append(extra)
        elif kind == "generic" or (kind == "exception" and not entry.heap):
            parts.append(self._conservative)
        if entry.state_words or (entry.heap and entry.dictoffset < 0):
            parts.append(self._state)
        return parts

    # -- parts ---------------------------------------------------------------------

    def _class(self, entry, buf, off, address):
        return ["__class__"], [entry.address]

    def _fields(self, entry, buf, off, address):
        names, compiled = self.fields[entry.kind]
        return names, compiled.unpack_from(buf, off)

    def _words(self, address, count):
        if not 0 <= count <= MAX_REFS:
            raise CpywalkerError("implausible item count %d at %#x" % (count, address))
        return self.reader.words(address, count) if count else []

    def _ssize_at(self, buf, off, compiled, name):
        return self.ssize.unpack_from(buf, off + getattr(compiled, name))[0]

    def _state(self, entry, buf, off, address):
        """A Python class's ``__slots__`` and ``__dict__`` words."""
        unpack = self.word.unpack_from
        names = self._state_names(entry)
        labels = [names.get(offset, "?") for offset in entry.state_words]
        values = [unpack(buf, off + offset)[0] for offset in entry.state_words]
        if entry.dictoffset < 0 and entry.info is not None:
            labels.append("__dict__")
            values.append(self.reader.word(instance_dict_address(self.reader, address, entry.info)))
        return labels, values

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

    def _conservative(self, entry, buf, off, address):
        """Every pointer-aligned word of an unknown object, but its header and weak list."""
        first = self.layout.PyBaseExceptionObject.size if entry.kind == "exception" else \
            self.layout.PyObject.size
        end = entry.basicsize - entry.basicsize % self.psize
        if end > len(buf) - off or end <= first:
            return [], []
        words = struct.unpack_from("<%d%s" % ((end - first) // self.psize, self.fmt), buf, off + first)
        weak = (entry.weaklistoffset - first) // self.psize if entry.weaklistoffset >= first else -1
        mapped = self.table.mapped
        kept = [(first + index * self.psize, word) for index, word in enumerate(words)
                if index != weak and not word & 7 and word and (mapped is None or word in mapped)]
        return ["word +%#x" % offset for offset, _ in kept], [word for _, word in kept]

    # -- kinds with arrays ---------------------------------------------------------

    def _tuple(self, entry, buf, off, address):
        size = self.ssize.unpack_from(buf, off + self.layout.PyVarObject.ob_size)[0]
        start = off + self.layout.PyTupleObject.ob_item
        if 0 <= size and start + size * self.psize <= len(buf):
            return _ITEMS, struct.unpack_from("<%d%s" % (size, self.fmt), buf, start)
        return _ITEMS, self._words(address + self.layout.PyTupleObject.ob_item, size)

    def _list(self, entry, buf, off, address):
        L = self.layout.PyListObject
        size = self._ssize_at(buf, off, L, "ob_size")
        return _ITEMS, self._words(self.word.unpack_from(buf, off + L.ob_item)[0], size)

    def _dict(self, entry, buf, off, address):
        D = self.layout.PyDictObject
        mask = self._ssize_at(buf, off, D, "ma_mask")
        table = self.word.unpack_from(buf, off + D.ma_table)[0]
        words = self._table(buf, off, address, D.ma_smalltable, table, mask, 3)
        keys, values = words[1::3], words[2::3]
        out = []
        for key, value in zip(keys, values):
            if key:
                out.append(key)
                if value:
                    out.append(value)
        return (lambda count: self._dict_labels(keys, values)), out

    @staticmethod
    def _dict_labels(keys, values):
        labels = []
        for key, value in zip(keys, values):
            if key:
                labels.append("key")
                if value:
                    labels.append(("value", key))
        return labels

    _defaultdict = _ordereddict = _counter = _dict

    def _set(self, entry, buf, off, address):
        S = self.layout.PySetObject
        mask = self._ssize_at(buf, off, S, "mask")
        table = self.word.unpack_from(buf, off + S.table)[0]
        keys = [key for key in self._table(buf, off, address, S.smalltable, table, mask, 2)[1::2] if key]
        return ["item"] * len(keys), keys

    _frozenset = _set

    def _table(self, buf, off, address, small, table, mask, entry_words):
        slots = mask + 1
        if slots & mask or not 0 < slots <= MAX_REFS:
            raise CpywalkerError("implausible hash table mask %#x at %#x" % (mask, address))
        if table == address + small and off + small + slots * entry_words * self.psize <= len(buf):
            return struct.unpack_from("<%d%s" % (slots * entry_words, self.fmt), buf, off + small)
        return self._words(table, slots * entry_words)

    def _deque(self, entry, buf, off, address):
        deque = self.layout.dequeobject
        block = self.word.unpack_from(buf, off + deque.leftblock)[0]
        index = self._ssize_at(buf, off, deque, "leftindex")
        length = self._ssize_at(buf, off, deque, "len")
        if not 0 <= length <= MAX_REFS or not 0 <= index < c.DEQUE_BLOCKLEN:
            raise CpywalkerError("implausible deque at %#x" % address)
        items = []
        while len(items) < length and block:
            words = self.reader.words(block, c.DEQUE_BLOCKLEN + 1)
            items.extend(words[index:c.DEQUE_BLOCKLEN][:length - len(items)])
            block, index = words[c.DEQUE_BLOCKLEN], 0
        return _ITEMS, items

    def _frame(self, entry, buf, off, address):
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
        words = self._words(address + F.f_localsplus, count + max(0, min(depth, fields["co_stacksize"])))

        def labels(total):
            names = self._variable_names(fields)
            return [names[index] if index < len(names) else
                    "f_localsplus[%d]" % index if index < count else "stack[%d]" % (index - count)
                    for index in range(total)]
        return labels, words

    def _variable_names(self, code):
        """``local 'x'``, ``cell 'y'``, ``free 'z'``: the f_localsplus slots' names, in order."""
        names = []
        reader = self.reader
        try:
            for field, kind in (("co_varnames", "local"), ("co_cellvars", "cell"),
                                ("co_freevars", "free")):
                found = reader.tuple_items(code[field])
                if field == "co_varnames":
                    found = found[:max(code["co_nlocals"], 0)]
                names += ["%s '%s'" % (kind, reader.name_of(name)) for name in found]
        except CpywalkerError:
            pass
        return names

    def _type(self, entry, buf, off, address):
        flags = self.word.unpack_from(buf, off + self.layout.PyTypeObject.tp_flags)[0]
        if flags & c.Py_TPFLAGS_HEAPTYPE and len(buf) - off >= self.layout.PyHeapTypeObject.size:
            names, compiled = self.heap_type_fields
            return names, compiled.unpack_from(buf, off)
        return [], []

    def _time(self, entry, buf, off, address):
        return self._tzinfo(self.layout.PyDateTime_Time, buf, off)

    def _datetime(self, entry, buf, off, address):
        return self._tzinfo(self.layout.PyDateTime_DateTime, buf, off)

    def _tzinfo(self, compiled, buf, off):
        if buf[off + compiled.hastzinfo]:
            return ["tzinfo"], [self.word.unpack_from(buf, off + compiled.tzinfo)[0]]
        return [], []
