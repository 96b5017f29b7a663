"""A synthetic CPython 2.7 heap for the interp tests: objects laid out as 2.7 does on x86-64."""

import struct

from gdb_cpywalker.interp.objects import DICT_SUBCLASS, INT_SUBCLASS, STRING_SUBCLASS, TUPLE_SUBCLASS
from gdb_cpywalker.layouts import layout_for
from gdb_cpywalker.memory import ImageMemory

LAYOUT = layout_for(8, 4)
HEAP = 0x7F0000000000
HEAP_SIZE = 1 << 20


class Heap:
    """Allocates objects in one mapped segment; ``memory`` reads them back."""

    def __init__(self):
        self.memory = ImageMemory([(HEAP, HEAP_SIZE)])
        self.top = HEAP
        self.type_type = self.type_object("type", 1 << 31)
        self.types = {name: self.type_object(name, flag) for name, flag in (
            ("dict", DICT_SUBCLASS), ("str", STRING_SUBCLASS), ("tuple", TUPLE_SUBCLASS),
            ("int", INT_SUBCLASS), ("frame", 0), ("code", 0), ("cell", 0), ("module", 0))}

    def alloc(self, size):
        address = self.top
        self.top += (size + 15) // 16 * 16
        return address

    def put(self, address, fmt, *values):
        self.memory.write(address, struct.pack("<" + fmt, *values))

    def cstring(self, text):
        address = self.alloc(len(text) + 1)
        self.memory.write(address, text.encode() + b"\0")
        return address

    def object(self, struct_layout, type_address, extra=0, **fields):
        """A new object of ``struct_layout`` with refcount 1 and the given scalar fields."""
        address = self.alloc(struct_layout.size + extra)
        self.put(address, "qQ", 1, type_address)
        offsets = sorted(getattr(struct_layout, name) for name in struct_layout.fields) + [struct_layout.size]
        for name, value in fields.items():
            offset = getattr(struct_layout, name)
            width = min(8, offsets[offsets.index(offset) + 1] - offset)
            self.put(address + offset, "q" if width == 8 else "i", value)
        return address

    def type_object(self, name, flags):
        address = self.alloc(LAYOUT.PyTypeObject.size)
        self.put(address, "qQ", 1, getattr(self, "type_type", address))
        self.put(address + LAYOUT.PyTypeObject.tp_name, "Q", self.cstring(name))
        self.put(address + LAYOUT.PyTypeObject.tp_flags, "Q", flags)
        return address

    def string(self, text):
        data = text.encode("latin-1")
        address = self.object(LAYOUT.PyStringObject, self.types["str"], len(data), ob_size=len(data))
        self.memory.write(address + LAYOUT.PyStringObject.ob_sval, data + b"\0")
        return address

    def bytes_object(self, data):
        address = self.object(LAYOUT.PyStringObject, self.types["str"], len(data), ob_size=len(data))
        self.memory.write(address + LAYOUT.PyStringObject.ob_sval, data + b"\0")
        return address

    def int_object(self, value):
        return self.object(LAYOUT.PyIntObject, self.types["int"], ob_ival=value)

    def tuple_object(self, items):
        address = self.object(LAYOUT.PyTupleObject, self.types["tuple"], 8 * len(items), ob_size=len(items))
        for index, item in enumerate(items):
            self.put(address + LAYOUT.PyTupleObject.ob_item + 8 * index, "Q", item)
        return address

    def dict_object(self, entries, type_address=None):
        """A dict of ``{key address: value address}`` in its small table (at most 5 entries)."""
        dict_layout = LAYOUT.PyDictObject
        address = self.object(dict_layout, type_address or self.types["dict"], ma_mask=7,
                              ma_used=len(entries), ma_fill=len(entries))
        table = address + dict_layout.ma_smalltable
        self.put(address + dict_layout.ma_table, "Q", table)
        for slot, (key, value) in enumerate(entries.items()):
            entry = table + slot * LAYOUT.PyDictEntry.size
            self.put(entry + LAYOUT.PyDictEntry.me_key, "Q", key)
            self.put(entry + LAYOUT.PyDictEntry.me_value, "Q", value)
        return address

    def str_dict(self, mapping):
        return self.dict_object({self.string(name): value for name, value in mapping.items()})

    def interpreter(self, modules=None, sysdict=None, builtins=None, back_pointer=True):
        """A PyInterpreterState with one thread state; dicts default to empty real dicts."""
        interp_layout, tstate_layout = LAYOUT.PyInterpreterState, LAYOUT.PyThreadState
        interp = self.alloc(interp_layout.size)
        tstate = self.alloc(tstate_layout.size)
        self.put(interp + interp_layout.tstate_head, "Q", tstate)
        for name, value in (("modules", modules), ("sysdict", sysdict), ("builtins", builtins)):
            self.put(interp + getattr(interp_layout, name), "Q",
                     value if value is not None else self.dict_object({}))
        self.put(tstate + tstate_layout.interp, "Q", interp if back_pointer else tstate)
        return interp
