"""A synthetic CPython 2.7 heap on ImageMemory: objects laid out exactly as 2.7 does.

``ImageBuilder`` bump-allocates objects in one segment using the compiled layout
tables, creates the builtin type objects it needs on first use, and ``image()`` returns
the ImageMemory. ``obj(value)`` converts Python values (int, float, bytes, str, list,
tuple, dict, set, frozenset, None, True, ...) into target objects.
"""

import struct

from gdb_cpywalker.layouts import cpython27 as c
from gdb_cpywalker.layouts import layout_for
from gdb_cpywalker.memory.image import ImageMemory

BASE = 0x7F0000000000
#: Py_TPFLAGS_DEFAULT of 2.7 plus Py_TPFLAGS_READY
STATIC_FLAGS = 0x000201EB | (1 << 12)

#: builtin type name -> (layout struct of its instances, extra tp_flags)
BUILTIN_TYPES = {
    "type": ("PyHeapTypeObject", c.Py_TPFLAGS_TYPE_SUBCLASS),
    "object": ("PyObject", 0),
    "int": ("PyIntObject", c.Py_TPFLAGS_INT_SUBCLASS),
    "bool": ("PyIntObject", c.Py_TPFLAGS_INT_SUBCLASS),
    "long": ("PyLongObject", c.Py_TPFLAGS_LONG_SUBCLASS),
    "float": ("PyFloatObject", 0),
    "complex": ("PyComplexObject", 0),
    "NoneType": ("PyObject", 0),
    "ellipsis": ("PyObject", 0),
    "NotImplementedType": ("PyObject", 0),
    "str": ("PyStringObject", c.Py_TPFLAGS_STRING_SUBCLASS),
    "unicode": ("PyUnicodeObject", c.Py_TPFLAGS_UNICODE_SUBCLASS),
    "bytearray": ("PyByteArrayObject", 0),
    "buffer": ("PyBufferObject", 0),
    "tuple": ("PyTupleObject", c.Py_TPFLAGS_TUPLE_SUBCLASS),
    "list": ("PyListObject", c.Py_TPFLAGS_LIST_SUBCLASS),
    "dict": ("PyDictObject", c.Py_TPFLAGS_DICT_SUBCLASS),
    "set": ("PySetObject", 0),
    "frozenset": ("PySetObject", 0),
    "classobj": ("PyClassObject", 0),
    "instance": ("PyInstanceObject", 0),
    "function": ("PyFunctionObject", 0),
    "builtin_function_or_method": ("PyCFunctionObject", 0),
    "instancemethod": ("PyMethodObject", 0),
    "method-wrapper": ("wrapperobject", 0),
    "wrapper_descriptor": ("PyWrapperDescrObject", 0),
    "method_descriptor": ("PyMethodDescrObject", 0),
    "member_descriptor": ("PyMemberDescrObject", 0),
    "getset_descriptor": ("PyGetSetDescrObject", 0),
    "module": ("PyModuleObject", 0),
    "code": ("PyCodeObject", 0),
    "frame": ("PyFrameObject", 0),
    "generator": ("PyGenObject", 0),
    "cell": ("PyCellObject", 0),
    "slice": ("PySliceObject", 0),
    "xrange": ("rangeobject", 0),
    "exceptions.BaseException": ("PyBaseExceptionObject", c.Py_TPFLAGS_BASE_EXC_SUBCLASS),
    "property": ("propertyobject", 0),
    "staticmethod": ("staticmethod", 0),
    "classmethod": ("classmethod", 0),
    "dictproxy": ("proxyobject", 0),
    "weakref": ("PyWeakReference", 0),
    "file": ("PyFileObject", 0),
    "collections.deque": ("dequeobject", 0),
    "collections.defaultdict": ("defdictobject", c.Py_TPFLAGS_DICT_SUBCLASS),
    "dict_keys": ("dictviewobject", 0),
    "dict_values": ("dictviewobject", 0),
    "dict_items": ("dictviewobject", 0),
    "array.array": ("arrayobject", 0),
    "datetime.date": ("PyDateTime_Date", 0),
    "datetime.time": ("PyDateTime_Time", 0),
    "datetime.datetime": ("PyDateTime_DateTime", 0),
    "datetime.timedelta": ("PyDateTime_Delta", 0),
}


class ImageBuilder:
    """Lays out CPython 2.7 objects in one synthetic segment starting at ``BASE``."""

    def __init__(self, pointer_size=8, unicode_width=4, base=BASE):
        self.layout = layout_for(pointer_size, unicode_width)
        self.model = self.layout.model
        self.psize = pointer_size
        self.base = base
        self.buf = bytearray()
        self.types = {}
        #: heap type address -> tp_basicsize
        self.heap_types = {}
        self.singletons = {}
        self.dummy = None

    # -- raw layout --------------------------------------------------------------

    def alloc(self, size, align=16):
        self.buf.extend(bytes(-len(self.buf) % align))
        address = self.base + len(self.buf)
        self.buf.extend(bytes(max(size, 1)))
        return address

    def pack(self, address, fmt, *values):
        struct.pack_into("<" + fmt, self.buf, address - self.base, *values)

    def get_word(self, address):
        return struct.unpack_from("<Q" if self.psize == 8 else "<I", self.buf,
                                  address - self.base)[0]

    def word(self, address, value):
        self.pack(address, "Q" if self.psize == 8 else "I", value)

    def words(self, address, values):
        for i, value in enumerate(values):
            self.word(address + i * self.psize, value)

    def set_fields(self, struct_name, address, /, **fields):
        """Write named fields of ``struct_name`` at ``address`` with their C types."""
        compiled = getattr(self.layout, struct_name)
        for ctype, name in c.DECLARATIONS[struct_name]:
            if name in fields:
                fmt = self.model.ctype_format(ctype.split("[")[0])
                value = fields[name]
                bits = 8 * struct.calcsize(fmt)
                if fmt in "bhiq" and isinstance(value, int) and value >= 1 << (bits - 1):
                    value -= 1 << bits  # a C long holding tp_flags bit 31 on a 32-bit build
                self.pack(address + getattr(compiled, name), fmt, value)

    def new(self, struct_name, type_address, /, extra=0, refcnt=1, **fields):
        """A new object of ``struct_name`` (+ ``extra`` bytes) with its header set.

        Instances of heap types get their type's tp_basicsize (room for __dict__, slots).
        """
        size = getattr(self.layout, struct_name).size
        if type_address in self.heap_types:
            size = max(size, self.heap_types[type_address])
        size += extra
        address = self.alloc(size + -size % self.psize)
        self.set_fields("PyObject", address, ob_refcnt=refcnt, ob_type=type_address)
        self.set_fields(struct_name, address, **fields)
        return address

    def cstring(self, text):
        data = text.encode("latin-1") if isinstance(text, str) else text
        address = self.alloc(len(data) + 1, 8)
        self.buf[address - self.base:address - self.base + len(data)] = data
        return address

    def image(self):
        return ImageMemory([(self.base, bytes(self.buf))])

    # -- types ------------------------------------------------------------------

    def builtin(self, name):
        """Address of the static builtin type ``name`` (created on first use)."""
        if name not in self.types:
            flag = BUILTIN_TYPES[name][1]
            base = 0 if name in ("object", "type") else self.builtin("object")
            if name in ("bool", "collections.defaultdict"):
                base = self.builtin("int" if name == "bool" else "dict")
            self.types[name] = self.make_type(name, self.basicsize(name), self.itemsize(name),
                                              flag, base=base)
        return self.types[name]

    def basicsize(self, name):
        """tp_basicsize of builtin type ``name``: offsetof the items of var-sized objects."""
        compiled = getattr(self.layout, BUILTIN_TYPES[name][0])
        if name == "str":
            return compiled.ob_sval + 1
        if name in ("tuple", "long"):
            return compiled.size - self.itemsize(name)
        return compiled.size

    def itemsize(self, name):
        return {"str": 1, "tuple": self.psize, "frame": self.psize,
                "long": self.model.ctype_size("digit"),
                "type": self.layout.PyMemberDef.size}.get(name, 0)

    def make_type(self, name, basicsize, itemsize=0, flags=0, base=0, heap=False,
                  dictoffset=0, module=None, members=(), metatype=None, defines=()):
        """A type object; heap types get a tp_dict with __module__ (and the names in
        ``defines``, bound to None), a tp_mro and tp_members after it."""
        T = self.layout.PyHeapTypeObject
        member_def = self.layout.PyMemberDef
        address = self.alloc(T.size + member_def.size * (len(members) + 1))
        if name == "type":
            metatype = address
        self.set_fields("PyTypeObject", address, ob_refcnt=1,
                        ob_type=metatype or self.builtin("type"),
                        tp_name=self.cstring(name), tp_basicsize=basicsize,
                        tp_itemsize=itemsize, tp_base=base, tp_dictoffset=dictoffset,
                        tp_flags=STATIC_FLAGS | flags | (c.Py_TPFLAGS_HEAPTYPE if heap else 0))
        if heap:
            self.heap_types[address] = basicsize
            namespace = dict.fromkeys(defines)
            namespace[b"__module__"] = module or b"__main__"
            mro = [Ref(address)]
            while base:
                mro.append(Ref(base))
                base = self.get_word(base + self.layout.PyTypeObject.tp_base)
            self.set_fields("PyTypeObject", address, tp_dict=self.dict_(namespace),
                            tp_members=address + T.size, tp_mro=self.tuple_(mro))
            self.set_fields("PyHeapTypeObject", address, ht_name=self.str_(name.encode()))
            for i, (member_name, offset) in enumerate(members):
                self.set_fields("PyMemberDef", address + T.size + i * member_def.size,
                                name=self.cstring(member_name), type=c.T_OBJECT_EX,
                                offset=offset)
        return address

    def heap_type(self, name, base_name="object", slots=(), with_dict=True, module=b"__main__",
                  defines=()):
        """``class name(base): __slots__ = slots``, as type_new lays it out."""
        base = self.builtin(base_name)
        flag = BUILTIN_TYPES[base_name][1]
        itemsize = self.itemsize(base_name)
        basicsize = self.basicsize(base_name)
        members = [(slot, basicsize + i * self.psize) for i, slot in enumerate(slots)]
        basicsize += self.psize * len(slots)
        dictoffset = 0
        if with_dict:
            dictoffset = -self.psize if itemsize else basicsize
            basicsize += self.psize
        return self.make_type(name, basicsize, itemsize, flag, base=base, heap=True,
                              dictoffset=dictoffset, module=module, members=members,
                              defines=defines)

    # -- scalars ----------------------------------------------------------------

    def singleton(self, type_name):
        if type_name not in self.singletons:
            self.singletons[type_name] = self.new("PyObject", self.builtin(type_name), refcnt=1000)
        return self.singletons[type_name]

    def int_(self, value, type_address=None):
        return self.new("PyIntObject", type_address or self.builtin("int"), ob_ival=value)

    def ints(self, values):
        """Many int objects packed back to back (as 2.7's PyIntBlock does): their addresses."""
        I = self.layout.PyIntObject
        start = self.alloc(I.size * len(values))
        fmt = "<" + self.model.ctype_format("ssize") * 2 + self.model.ctype_format("long")
        packer = struct.Struct(fmt)
        int_type = self.builtin("int")
        offset = start - self.base
        for i, value in enumerate(values):
            packer.pack_into(self.buf, offset + i * I.size, 1, int_type, value)
        return [start + i * I.size for i in range(len(values))]

    def bool_(self, value):
        key = "True" if value else "False"
        if key not in self.singletons:
            self.singletons[key] = self.new("PyIntObject", self.builtin("bool"),
                                            refcnt=100, ob_ival=int(value))
        return self.singletons[key]

    def long_(self, value):
        digit = self.model.ctype_size("digit")
        shift = c.LONG_SHIFT[digit]
        digits = []
        magnitude = abs(value)
        while magnitude:
            digits.append(magnitude & ((1 << shift) - 1))
            magnitude >>= shift
        size = len(digits) if value >= 0 else -len(digits)
        address = self.new("PyLongObject", self.builtin("long"), extra=digit * len(digits),
                           ob_size=size)
        offset = self.layout.PyLongObject.ob_digit
        for i, d in enumerate(digits):
            self.pack(address + offset + i * digit, "I" if digit == 4 else "H", d)
        return address

    def float_(self, value):
        return self.new("PyFloatObject", self.builtin("float"), ob_fval=value)

    def complex_(self, value):
        return self.new("PyComplexObject", self.builtin("complex"),
                        real=value.real, imag=value.imag)

    def str_(self, data, type_address=None):
        S = self.layout.PyStringObject
        address = self.new("PyStringObject", type_address or self.builtin("str"),
                           extra=len(data), ob_size=len(data), ob_shash=-1)
        start = address - self.base + S.ob_sval
        self.buf[start:start + len(data)] = data
        return address

    def unicode_(self, text):
        width = self.model.unicode_width
        codec = "utf-32-le" if width == 4 else "utf-16-le"
        data = text.encode(codec, "surrogatepass")
        storage = self.alloc(len(data) + width, 8)
        self.buf[storage - self.base:storage - self.base + len(data)] = data
        return self.new("PyUnicodeObject", self.builtin("unicode"), length=len(data) // width,
                        str=storage, hash=-1)

    def bytearray_(self, data):
        storage = self.alloc(len(data) + 1, 8)
        self.buf[storage - self.base:storage - self.base + len(data)] = data
        return self.new("PyByteArrayObject", self.builtin("bytearray"), ob_size=len(data),
                        ob_alloc=len(data) + 1, ob_bytes=storage)

    # -- containers -------------------------------------------------------------

    def tuple_(self, items, type_address=None):
        items = [self.obj(item) for item in items]
        address = self.new("PyTupleObject", type_address or self.builtin("tuple"),
                           extra=self.psize * max(len(items) - 1, 0), ob_size=len(items))
        self.words(address + self.layout.PyTupleObject.ob_item, items)
        return address

    def list_(self, items, type_address=None):
        items = [self.obj(item) for item in items]
        storage = self.alloc(self.psize * len(items), 8) if items else 0
        self.words(storage, items)
        return self.new("PyListObject", type_address or self.builtin("list"),
                        ob_size=len(items), ob_item=storage, allocated=len(items))

    def dummy_key(self):
        if self.dummy is None:
            self.dummy = self.str_(b"<dummy key>")
        return self.dummy

    def _table_size(self, count):
        size = 8
        while size * 2 <= count * 3:
            size *= 2
        return size

    def dict_(self, pairs, deleted=0, type_address=None):
        """A dict with ``pairs`` in table order, after ``deleted`` dummy slots."""
        pairs = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
        D = self.layout.PyDictObject
        E = self.layout.PyDictEntry
        size = self._table_size(len(pairs) + deleted)
        address = self.new("PyDictObject", type_address or self.builtin("dict"),
                           ma_fill=len(pairs) + deleted, ma_used=len(pairs), ma_mask=size - 1)
        table = address + D.ma_smalltable if size == 8 else self.alloc(E.size * size, 8)
        self.set_fields("PyDictObject", address, ma_table=table)
        for slot in range(deleted):
            self.set_fields("PyDictEntry", table + slot * E.size, me_hash=slot,
                            me_key=self.dummy_key(), me_value=0)
        for slot, (key, value) in enumerate(pairs, deleted):
            self.set_fields("PyDictEntry", table + slot * E.size, me_hash=slot,
                            me_key=self.obj(key), me_value=self.obj(value))
        return address

    def set_(self, items, frozen=False, deleted=0, type_address=None):
        items = list(items)
        S = self.layout.PySetObject
        entry = self.layout.setentry
        size = self._table_size(len(items) + deleted)
        type_address = type_address or self.builtin("frozenset" if frozen else "set")
        address = self.new("PySetObject", type_address, fill=len(items) + deleted,
                           used=len(items), mask=size - 1, hash=-1)
        table = address + S.smalltable if size == 8 else self.alloc(entry.size * size, 8)
        self.set_fields("PySetObject", address, table=table)
        slots = [self.dummy_key()] * deleted + [self.obj(item) for item in items]
        for slot, key in enumerate(slots):
            self.set_fields("setentry", table + slot * entry.size, hash=slot, key=key)
        return address

    def obj(self, value):
        """Target object for a Python value; ints pass through when they are ``Ref``s."""
        if isinstance(value, Ref):
            return value.address
        if value is None:
            return self.singleton("NoneType")
        if value is Ellipsis:
            return self.singleton("ellipsis")
        if value is NotImplemented:
            return self.singleton("NotImplementedType")
        if isinstance(value, bool):
            return self.bool_(value)
        if isinstance(value, int):
            bits = 8 * self.model.ctype_size("long")
            return self.int_(value) if -2 ** (bits - 1) <= value < 2 ** (bits - 1) \
                else self.long_(value)
        if isinstance(value, float):
            return self.float_(value)
        if isinstance(value, complex):
            return self.complex_(value)
        if isinstance(value, bytes):
            return self.str_(value)
        if isinstance(value, str):
            return self.unicode_(value)
        if isinstance(value, bytearray):
            return self.bytearray_(bytes(value))
        if isinstance(value, list):
            return self.list_(value)
        if isinstance(value, tuple):
            return self.tuple_(value)
        if isinstance(value, dict):
            return self.dict_(value)
        if isinstance(value, frozenset):
            return self.set_(value, frozen=True)
        if isinstance(value, set):
            return self.set_(value)
        raise TypeError("no target layout for %r" % (value,))

    # -- classes, callables and the rest ------------------------------------------

    def instance(self, type_address, attributes=None, slots=None):
        """A new-style instance of heap type ``type_address``: __dict__ and slot values."""
        T = self.layout.PyTypeObject
        fmt = "<" + self.model.ctype_format("ssize")
        basicsize = struct.unpack_from(fmt, self.buf, type_address - self.base + T.tp_basicsize)[0]
        dictoffset = struct.unpack_from(fmt, self.buf, type_address - self.base + T.tp_dictoffset)[0]
        address = self.alloc(basicsize)
        self.set_fields("PyObject", address, ob_refcnt=1, ob_type=type_address)
        if attributes is not None:
            self.word(address + dictoffset, self.dict_(attributes))
        for offset, value in (slots or {}).items():
            self.word(address + offset, self.obj(value))
        return address

    def classobj(self, name, module=b"__main__", attributes=None):
        cl_dict = dict(attributes or {})
        cl_dict[b"__module__"] = module
        return self.new("PyClassObject", self.builtin("classobj"), cl_bases=self.tuple_(()),
                        cl_dict=self.dict_(cl_dict), cl_name=self.str_(name))

    def classic_instance(self, klass, attributes=None):
        return self.new("PyInstanceObject", self.builtin("instance"), in_class=klass,
                        in_dict=self.dict_(attributes or {}))

    def code(self, name, filename=b"x.py", line=1, varnames=(), cellvars=(), freevars=()):
        return self.new("PyCodeObject", self.builtin("code"), co_name=self.str_(name),
                        co_filename=self.str_(filename), co_firstlineno=line,
                        co_nlocals=len(varnames), co_varnames=self.tuple_(varnames),
                        co_cellvars=self.tuple_(cellvars), co_freevars=self.tuple_(freevars))

    def frame(self, code, line, variables):
        """A frame of ``code`` whose f_localsplus holds ``variables`` (addresses or 0)."""
        address = self.new("PyFrameObject", self.builtin("frame"),
                           extra=self.psize * len(variables), f_code=code, f_lineno=line,
                           ob_size=len(variables))
        self.words(address + self.layout.PyFrameObject.f_localsplus, variables)
        return address

    def function(self, name):
        return self.new("PyFunctionObject", self.builtin("function"), func_name=self.str_(name),
                        func_code=self.code(name))

    def bind_method(self, klass, name, co_code, consts, names=()):
        """Bind ``klass.name`` (declared with ``defines``) to a function ``(self)`` of that
        2.7 bytecode, constants and names."""
        function = self.function(name)
        code = self.get_word(function + self.layout.PyFunctionObject.func_code)
        self.set_fields("PyCodeObject", code, co_code=self.str_(co_code),
                        co_consts=self.tuple_(consts), co_names=self.tuple_(names), co_argcount=1)
        namespace = self.get_word(klass + self.layout.PyTypeObject.tp_dict)
        entries = self.get_word(namespace + self.layout.PyDictObject.ma_table)
        mask = self.get_word(namespace + self.layout.PyDictObject.ma_mask)
        for slot in range(mask + 1):
            entry = entries + slot * self.layout.PyDictEntry.size
            key = self.get_word(entry + self.layout.PyDictEntry.me_key)
            if key and self.image().read(key + self.layout.PyStringObject.ob_sval,
                                         len(name) + 1) == name + b"\0":
                self.word(entry + self.layout.PyDictEntry.me_value, function)
        return function

    def method_def(self, name):
        address = self.alloc(self.layout.PyMethodDef.size, 8)
        self.set_fields("PyMethodDef", address, ml_name=self.cstring(name))
        return address

    def cfunction(self, name, self_address=0):
        return self.new("PyCFunctionObject", self.builtin("builtin_function_or_method"),
                        m_ml=self.method_def(name), m_self=self_address)

    def method(self, func, self_address, klass):
        return self.new("PyMethodObject", self.builtin("instancemethod"), im_func=func,
                        im_self=self_address, im_class=klass)

    def wrapper_descriptor(self, name, type_address):
        base = self.alloc(self.layout.wrapperbase.size, 8)
        self.set_fields("wrapperbase", base, name=self.cstring(name))
        return self.new("PyWrapperDescrObject", self.builtin("wrapper_descriptor"),
                        d_type=type_address, d_name=self.str_(name.encode()), d_base=base)

    def method_wrapper(self, descr, self_address):
        return self.new("wrapperobject", self.builtin("method-wrapper"), descr=descr,
                        self=self_address)

    def descriptor(self, kind, name, type_address):
        return self.new(BUILTIN_TYPES[kind][0], self.builtin(kind), d_type=type_address,
                        d_name=self.str_(name))

    def module(self, name, filename=None):
        md_dict = {b"__name__": name}
        if filename is not None:
            md_dict[b"__file__"] = filename
        return self.new("PyModuleObject", self.builtin("module"), md_dict=self.dict_(md_dict))

    def deque(self, items, leftindex=31, maxlen=-1):
        """A deque whose first item sits at ``leftindex`` of its first 62-slot block."""
        blocklen = c.DEQUE_BLOCKLEN
        slots = [0] * leftindex + [self.obj(item) for item in items]
        blocks = [self.alloc(self.layout.deque_block.size, 8)
                  for _ in range(max(1, -(-len(slots) // blocklen)))]
        for i, block in enumerate(blocks):
            self.words(block, slots[i * blocklen:(i + 1) * blocklen])
            self.set_fields("deque_block", block, rightlink=blocks[i + 1] if i + 1 < len(blocks) else 0,
                            leftlink=blocks[i - 1] if i else 0)
        return self.new("dequeobject", self.builtin("collections.deque"), leftblock=blocks[0],
                        rightblock=blocks[-1], leftindex=leftindex,
                        rightindex=(len(slots) - 1) % blocklen, len=len(items), maxlen=maxlen)

    def ordered_dict(self, pairs):
        """collections.OrderedDict(pairs) of 2.7: a dict subclass with a linked list."""
        klass = self.types.get("OrderedDict") or self.heap_type(
            "OrderedDict", "dict", module=b"collections", defines=[b"__repr__"])
        self.types["OrderedDict"] = klass
        keys = [self.obj(key) for key, _ in pairs]
        address = self.dict_(list(zip(map(Ref, keys), [value for _, value in pairs])),
                             type_address=klass)
        root = self.list_([None, None, None])
        links = [self.list_([None, None, Ref(key)]) for key in keys]
        chain = [root] + links
        for i, link in enumerate(chain):
            items = self._list_items(link)
            self.words(items, [chain[i - 1], chain[(i + 1) % len(chain)]])
        self.word(address + self.layout.PyDictObject.size,
                  self.dict_({b"_OrderedDict__root": Ref(root)}))
        return address

    def array(self, typecode, data, itemsize):
        """array.array(typecode) holding the packed item bytes ``data``."""
        descr = self.alloc(self.layout.arraydescr.size, 8)
        self.set_fields("arraydescr", descr, typecode=ord(typecode), itemsize=itemsize)
        items = self.alloc(max(len(data), 1), 8)
        self.buf[items - self.base:items - self.base + len(data)] = data
        return self.new("arrayobject", self.builtin("array.array"), ob_size=len(data) // itemsize,
                        ob_item=items, allocated=len(data) // itemsize, ob_descr=descr)

    def datetime_(self, name, data, tzinfo=None, type_address=None):
        """A datetime.date/time/datetime with its packed ``data`` bytes (datetime.h)."""
        struct_name = BUILTIN_TYPES[name][0]
        address = self.new(struct_name, type_address or self.builtin(name),
                           hastzinfo=int(tzinfo is not None), hashcode=-1)
        if tzinfo is not None:
            self.set_fields(struct_name, address, tzinfo=self.obj(tzinfo))
        offset = address - self.base + getattr(self.layout, struct_name).data
        self.buf[offset:offset + len(data)] = data
        return address

    def counter(self, pairs, name="Counter", module=b"collections"):
        """collections.Counter(dict(pairs)) of 2.7: a dict subclass; pairs in table order."""
        klass = self.types.get((module, name)) or self.heap_type(name, "dict", module=module,
                                                                 defines=[b"__repr__"])
        self.types[(module, name)] = klass
        return self.dict_(pairs, type_address=klass)

    def decimal_(self, sign, digits, exp, is_special=False):
        """decimal.Decimal of 2.7's Lib/decimal.py: an instance with its four __slots__."""
        klass = self.types.get("decimal.Decimal") or self.heap_type(
            "Decimal", slots=("_exp", "_int", "_sign", "_is_special"), with_dict=False,
            module=b"decimal", defines=[b"__repr__", b"__str__"])
        self.types["decimal.Decimal"] = klass
        first = self.basicsize("object")
        values = (exp, digits, sign, is_special)
        return self.instance(klass, slots={first + i * self.psize: value
                                           for i, value in enumerate(values)})

    def _list_items(self, list_address):
        offset = list_address - self.base + self.layout.PyListObject.ob_item
        return struct.unpack_from("<" + self.model.ctype_format("ptr"), self.buf, offset)[0]

    def exception(self, name, args, flags=0):
        type_address = self.types.get(name) or self.make_type(
            name, self.layout.PyBaseExceptionObject.size,
            flags=c.Py_TPFLAGS_BASE_EXC_SUBCLASS, base=self.builtin("exceptions.BaseException"))
        self.types[name] = type_address
        return self.new("PyBaseExceptionObject", type_address, args=self.tuple_(args),
                        message=self.obj(b""))


class Ref:
    """An already built object, usable inside Python values given to ``obj``."""

    def __init__(self, address):
        self.address = address
