"""What ``sys.getsizeof(obj)`` returns in the target, computed from the object's bytes.

``sys.getsizeof`` is the type's ``__sizeof__`` plus ``sizeof(PyGC_Head)`` when the object
is a GC object. Which ``__sizeof__`` applies is the first one along the type's MRO (see
types.py); each builtin one is emulated here as 2.7.18 computes it (checked against the
target's own ``sys.getsizeof`` by the tests):

- ``object.__sizeof__``: ``tp_basicsize + ob_size * tp_itemsize`` (tuple, int, float, code,
  instances of classes, everything without its own);
- str: ``offsetof(ob_sval) + 1 + ob_size`` even for a subclass; unicode:
  ``sizeof(PyUnicodeObject) + (length + 1) * sizeof(Py_UNICODE)``;
- list: ``tp_basicsize + allocated`` pointers; dict and set: ``tp_basicsize`` plus the hash
  table once it left the small table; long: ``tp_basicsize + |ob_size|`` digits;
  bytearray: ``tp_basicsize + ob_alloc``; deque: ``tp_basicsize`` plus its blocks; array:
  ``tp_basicsize + allocated * itemsize``; frame: ``sizeof(PyFrameObject)`` plus its code's
  stack, locals, cells and free variables less one; _struct.Struct: ``tp_basicsize`` plus
  one code per format item and one more; _io.BytesIO: ``tp_basicsize`` plus its buffer.

A ``__sizeof__`` written in Python, or a C one not listed (``_io.BufferedReader``...), is
sized as ``object.__sizeof__`` and the type is marked inexact.
"""

import struct
from itertools import compress
from operator import and_, ne

from ..errors import CpywalkerError, DecodeError
from ..layouts import cpython27 as c

#: tp_name of the builtin type defining ``__sizeof__`` -> formula.
FORMULA_OF_OWNER = {
    "object": "object", "str": "str", "unicode": "unicode", "list": "list", "dict": "dict",
    "set": "set", "frozenset": "set", "long": "long", "bytearray": "bytearray",
    "frame": "frame", "collections.deque": "deque", "array.array": "array",
    "Struct": "struct", "_io.BytesIO": "bytesio",
}
#: Codes and descriptors remembered (frames of one code, arrays of one typecode).
MAX_CACHED = 1 << 16
#: Formulas of objects whose items are inside the object (within its block in a pool).
INLINE = frozenset(("object", "str", "long"))
#: The most bytes an object may have when the target's mapped memory is not known.
LIMIT = 1 << 47


def _summed(values, base, scale, count, high):
    """``count * base + scale * sum(values)``, or None when a value is negative or makes an
    object bigger than ``high`` bytes."""
    values = list(values)
    if values and (min(values) < 0 or base + scale * max(values) > high):
        return None
    return base * count + scale * sum(values)


class Sizer:
    """``sizer.size(entry, buf, off, address)``: sys.getsizeof of the object at ``address``,
    whose bytes start at ``buf[off]``."""

    def __init__(self, reader):
        self.reader = reader
        layout = reader.layout
        p = reader.psize
        self.psize = p
        self.gc_head = layout.PyGC_Head.size
        self.digit = layout.model.ctype_size("digit")
        ssize = struct.Struct("<" + layout.model.ctype_format("ssize"))
        self.ssize = ssize
        self.word = struct.Struct("<" + layout.model.ctype_format("ptr"))
        self._codes = {}
        self._descrs = {}
        #: the most bytes one object may have: the target's mapped memory (see ``bound``)
        self.limit = LIMIT
        self.ob_size = layout.PyVarObject.ob_size
        self.str_base = layout.PyStringObject.ob_sval + 1
        self.unicode_base = layout.PyUnicodeObject.size
        self.frame_base = layout.PyFrameObject.size
        self.block = layout.deque_block.size
        self.functions = {
            "object": self._object, "str": self._str, "unicode": self._unicode,
            "list": self._list, "dict": self._dict, "set": self._set, "long": self._long,
            "bytearray": self._bytearray, "frame": self._frame, "deque": self._deque,
            "array": self._array, "struct": self._struct, "bytesio": self._bytesio,
        }
        self._columns = {
            "object": self._object_column, "str": self._str_column, "long": self._long_column,
            "unicode": self._unicode_column, "list": self._list_column, "dict": self._dict_column,
            "set": self._set_column,
        }

    def fixed(self, entry):
        """The size every instance of ``entry`` has, or None when it varies per object."""
        if entry.formula != "object" or entry.itemsize or entry.kind == "type":
            return None
        return entry.basicsize + (self.gc_head if entry.gc else 0)

    def size(self, entry, buf, off, address, high=None):
        """``sys.getsizeof`` of the object at ``address`` (its bytes start at ``buf[off]``);
        DecodeError when it is not above 0 and at most ``high`` (``bound``) without its GC
        header: a damaged object."""
        if entry.fixed is not None:
            return entry.fixed
        try:
            size = self.functions[entry.formula](entry, buf, off, address)
            if entry.kind == "type":
                flags = self.word.unpack_from(buf, off + self.reader.layout.PyTypeObject.tp_flags)[0]
        except (struct.error, IndexError, ValueError, OverflowError):
            raise DecodeError(address, "the size of a damaged %s cannot be read" % entry.name) from None
        if not 0 < size <= (self.limit if high is None else high):
            raise DecodeError(address, "a %s of an impossible size (%d bytes)" % (entry.name, size))
        if entry.kind == "type":
            return size + (self.gc_head if flags & c.Py_TPFLAGS_HEAPTYPE else 0)
        return size + (self.gc_head if entry.gc else 0)

    def bound(self, entry, batch):
        """The most bytes an object of ``entry`` in ``batch`` can have without its GC
        header: its block's, when its items are inside the object (tuple, str, long) and
        the batch is a run of blocks; the target's mapped memory otherwise."""
        if batch.stride > 8 and entry.formula in INLINE and entry.kind != "type":
            return batch.stride - (self.gc_head if entry.gc else 0)
        return self.limit

    def total(self, entry, batch, count=None):
        """``(bytes, damaged)``: the summed ``sys.getsizeof`` of the ``count`` objects of
        ``entry`` in a ``slots.Batch`` (columns of fields for the common formulas, one object
        at a time for the rest), and how many were left out: a size that cannot be read,
        or that is impossible (see ``size``)."""
        if count is None:
            count = batch.tally.get(entry, 0)
        if entry.fixed is not None:
            return entry.fixed * count, 0
        gc = self.gc_head if entry.gc else 0
        high = self.bound(entry, batch)
        column = self._columns.get(entry.formula)
        if column is not None and entry.kind != "type":
            try:
                total = column(entry, batch, count, high)
            except (CpywalkerError, IndexError, ValueError, struct.error):
                total = None
            if total is not None:
                return total + gc * count, 0
        total = damaged = 0
        for index in batch.indexes(entry):
            address, off = batch.offsets(index, entry)
            try:
                total += self.size(entry, batch.data, off, address, high)
            except (CpywalkerError, IndexError, ValueError, struct.error):
                damaged += 1
        return total, damaged

    # Each column function returns the summed sizes without GC headers, or None when a
    # value is out of range (then every object is sized on its own).

    def _object_column(self, entry, batch, count, high):
        if not entry.itemsize:
            return entry.basicsize * count
        return _summed(batch.column(entry, self.ob_size), entry.basicsize, entry.itemsize, count, high)

    def _str_column(self, entry, batch, count, high):
        return _summed(batch.column(entry, self.ob_size), self.str_base, 1, count, high)

    def _long_column(self, entry, batch, count, high):
        return _summed(map(abs, batch.column(entry, self.ob_size)), entry.basicsize, self.digit, count, high)

    def _unicode_column(self, entry, batch, count, high):
        lengths = batch.column(entry, self.reader.layout.PyUnicodeObject.length)
        ucs = self.reader.ucs
        return _summed(lengths, self.unicode_base + ucs, ucs, count, high)

    def _list_column(self, entry, batch, count, high):
        allocated = batch.column(entry, self.reader.layout.PyListObject.allocated)
        return _summed(allocated, entry.basicsize, self.psize, count, high)

    def _dict_column(self, entry, batch, count, high):
        layout = self.reader.layout
        return self._tables_column(entry, batch, high, layout.PyDictObject, "ma_table",
                                   "ma_smalltable", "ma_mask", layout.PyDictEntry.size)

    def _set_column(self, entry, batch, count, high):
        layout = self.reader.layout
        return self._tables_column(entry, batch, high, layout.PySetObject, "table",
                                   "smalltable", "mask", layout.setentry.size)

    def _tables_column(self, entry, batch, high, compiled, table, small, mask, entry_size):
        """A dict's or set's basic size, plus its table where it is not the small one."""
        if batch.stride < entry.basicsize:
            return None
        shift = (batch.gc_head if entry.gc else 0)
        tables = batch.column(entry, getattr(compiled, table), every=True)
        masks = batch.column(entry, getattr(compiled, mask), every=True)
        own = list(batch.selector(entry))
        outside = list(map(and_, own, map(ne, tables, batch.addresses(shift + getattr(compiled, small)))))
        big = sum(outside)
        tables = _summed(map((1).__add__, compress(masks, outside)), entry.basicsize, entry_size, big, high)
        return None if tables is None else tables + entry.basicsize * (sum(own) - big)

    def _field(self, buf, off, compiled, name):
        return self.ssize.unpack_from(buf, off + getattr(compiled, name))[0]

    def _object(self, entry, buf, off, address):
        if entry.itemsize:
            return entry.basicsize + self.ssize.unpack_from(buf, off + self.ob_size)[0] * entry.itemsize
        return entry.basicsize

    def _str(self, entry, buf, off, address):
        return self.str_base + self.ssize.unpack_from(buf, off + self.ob_size)[0]

    def _unicode(self, entry, buf, off, address):
        length = self._field(buf, off, self.reader.layout.PyUnicodeObject, "length")
        return self.unicode_base + (length + 1) * self.reader.ucs

    def _list(self, entry, buf, off, address):
        allocated = self._field(buf, off, self.reader.layout.PyListObject, "allocated")
        return entry.basicsize + allocated * self.psize

    def _dict(self, entry, buf, off, address):
        return self._hash_table(entry, buf, off, address, self.reader.layout.PyDictObject, "ma_table",
                                "ma_smalltable", "ma_mask", self.reader.layout.PyDictEntry.size)

    def _set(self, entry, buf, off, address):
        return self._hash_table(entry, buf, off, address, self.reader.layout.PySetObject, "table",
                                "smalltable", "mask", self.reader.layout.setentry.size)

    def _hash_table(self, entry, buf, off, address, compiled, table, small, mask, entry_size):
        if self.word.unpack_from(buf, off + getattr(compiled, table))[0] == address + getattr(compiled, small):
            return entry.basicsize
        return entry.basicsize + (self._field(buf, off, compiled, mask) + 1) * entry_size

    def _long(self, entry, buf, off, address):
        return entry.basicsize + abs(self.ssize.unpack_from(buf, off + self.ob_size)[0]) * self.digit

    def _bytearray(self, entry, buf, off, address):
        return entry.basicsize + self._field(buf, off, self.reader.layout.PyByteArrayObject, "ob_alloc")

    def _deque(self, entry, buf, off, address):
        deque = self.reader.layout.dequeobject
        left, right, length = (self._field(buf, off, deque, name)
                               for name in ("leftindex", "rightindex", "len"))
        blocks = (left + length - 1 - right) // c.DEQUE_BLOCKLEN + 1
        return entry.basicsize + blocks * self.block

    def _array(self, entry, buf, off, address):
        layout = self.reader.layout
        allocated = self._field(buf, off, layout.arrayobject, "allocated")
        descr = self.word.unpack_from(buf, off + layout.arrayobject.ob_descr)[0]
        itemsize = self._descrs.get(descr)
        if itemsize is None:
            itemsize = self._cached(self._descrs, descr,
                                    self.reader.unpack(layout.arraydescr, descr)[1])
        return entry.basicsize + allocated * itemsize

    def _frame(self, entry, buf, off, address):
        code = self.word.unpack_from(buf, off + self.reader.layout.PyFrameObject.f_code)[0]
        extras = self._codes.get(code)
        if extras is None:
            extras = self._cached(self._codes, code, self._frame_extras(code))
        return self.frame_base + (extras - 1) * self.psize

    def _frame_extras(self, code):
        """co_stacksize + co_nlocals + len(co_cellvars) + len(co_freevars) of a code object."""
        reader = self.reader
        fields = reader.fields(reader.layout.PyCodeObject, code)
        extras = fields["co_stacksize"] + fields["co_nlocals"]
        for name in ("co_cellvars", "co_freevars"):
            extras += reader.unpack(reader.layout.PyVarObject, fields[name])[2]
        return extras

    def _struct(self, entry, buf, off, address):
        layout = self.reader.layout
        codes = self._field(buf, off, layout.PyStructObject, "s_len") + 1
        return entry.basicsize + codes * layout.struct_formatcode.size

    def _bytesio(self, entry, buf, off, address):
        bytesio = self.reader.layout.bytesio
        has_buffer = self.word.unpack_from(buf, off + bytesio.buf)[0]
        return entry.basicsize + (self._field(buf, off, bytesio, "buf_size") if has_buffer else 0)

    @staticmethod
    def _cached(cache, key, value):
        if len(cache) >= MAX_CACHED:
            cache.clear()
        cache[key] = value
        return value

