"""The few object reads interp needs to find its way: type checks, names, dict entries.

Values users see are rendered by ``decode``; these readers only follow the interpreter's
own structures (str names, tuples of names, dicts keyed by str or int).
"""

import struct

from ..errors import DecodeError

#: Py_TPFLAGS_*_SUBCLASS bits of tp_flags (Include/object.h).
INT_SUBCLASS = 1 << 23
TUPLE_SUBCLASS = 1 << 26
STRING_SUBCLASS = 1 << 27
DICT_SUBCLASS = 1 << 29
#: Refuse dict tables and tuples larger than this (a corrupt size must not read gigabytes).
MAX_ITEMS = 1 << 20


class ObjectReader:
    """Reads interpreter-structure objects of one target through ``memory`` and ``layout``."""

    def __init__(self, memory, layout):
        self.memory = memory
        self.layout = layout
        self._type_names = {}

    def fields(self, struct, address):
        """Every scalar field of the compiled ``struct`` at ``address``, in one read: {name: value}."""
        return dict(zip(struct.fields, struct.unpack_from(self.memory.read(address, struct.unpacked_size))))

    def type_of(self, address):
        return self.memory.pointer(address + self.layout.PyObject.ob_type)

    def type_name(self, type_address):
        """``tp_name`` of a type object (cached: types do not move while the target is stopped)."""
        name = self._type_names.get(type_address)
        if name is None:
            pointer = self.memory.pointer(type_address + self.layout.PyTypeObject.tp_name)
            name = self.memory.cstring(pointer, 256).decode("latin-1")
            self._type_names[type_address] = name
        return name

    def type_flags(self, type_address):
        return self.memory.u64(type_address + self.layout.PyTypeObject.tp_flags)

    def is_exact(self, address, flag, name):
        """True when the object's type has subclass bit ``flag`` and is called ``name``.

        Both are needed: ``&PyType_Type`` and friends pass a test on readable fields alone.
        """
        type_address = self.type_of(address)
        return bool(self.type_flags(type_address) & flag) and self.type_name(type_address) == name

    def is_dict(self, address):
        return self.is_exact(address, DICT_SUBCLASS, "dict")

    def sized(self, address, flag, name):
        """``ob_size`` of a variable-size object of exact type ``name``, or DecodeError."""
        if not self.is_exact(address, flag, name):
            raise DecodeError(address, "expected a %s" % name)
        size = self.memory.i64(address + self.layout.PyVarObject.ob_size)
        if not 0 <= size <= MAX_ITEMS:
            raise DecodeError(address, "absurd %s size %d" % (name, size))
        return size

    def string(self, address):
        """The text of a ``str`` object (latin-1 decoded), or DecodeError."""
        size = self.sized(address, STRING_SUBCLASS, "str")
        return self.memory.read(address + self.layout.PyStringObject.ob_sval, size).decode("latin-1")

    def bytes_of(self, address):
        """The raw bytes of a ``str`` object (``co_lnotab``)."""
        return self.string(address).encode("latin-1")

    def tuple_items(self, address):
        """Item addresses of a ``tuple``."""
        size = self.sized(address, TUPLE_SUBCLASS, "tuple")
        data = self.memory.read(address + self.layout.PyTupleObject.ob_item, 8 * size)
        return list(struct.unpack("<%dQ" % size, data))

    def int_value(self, address):
        if not self.is_exact(address, INT_SUBCLASS, "int"):
            raise DecodeError(address, "expected an int")
        return self.memory.i64(address + self.layout.PyIntObject.ob_ival)

    def dict_entries(self, address):
        """``[(key address, value address)]`` of a dict, in table order."""
        if not self.is_dict(address):
            raise DecodeError(address, "expected a dict")
        dict_layout = self.layout.PyDictObject
        mask = self.memory.i64(address + dict_layout.ma_mask)
        if not 0 <= mask < MAX_ITEMS:
            raise DecodeError(address, "absurd dict mask %d" % mask)
        table = self.memory.pointer(address + dict_layout.ma_table)
        entry = self.layout.PyDictEntry
        data = self.memory.read(table, (mask + 1) * entry.size)
        entries = []
        for offset in range(0, len(data), entry.size):
            (key,) = struct.unpack_from("<Q", data, offset + entry.me_key)
            (value,) = struct.unpack_from("<Q", data, offset + entry.me_value)
            if key and value:
                entries.append((key, value))
        return entries

    def str_keyed(self, address):
        """``{name: value address}`` of a dict's str keys (other keys are skipped)."""
        return self.keyed(address, self.string)

    def keyed(self, address, key_of):
        """``{key_of(key): value address}`` of a dict, skipping keys ``key_of`` refuses."""
        out = {}
        for key, value in self.dict_entries(address):
            try:
                out[key_of(key)] = value
            except DecodeError:
                continue
        return out

    def instance_dict(self, address):
        """The ``__dict__`` of a new-style instance (positive ``tp_dictoffset`` only), or None."""
        offset = self.memory.i64(self.type_of(address) + self.layout.PyTypeObject.tp_dictoffset)
        if offset <= 0:
            return None
        return self.memory.pointer(address + offset) or None
