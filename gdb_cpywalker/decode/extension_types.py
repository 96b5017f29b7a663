"""Decoders for the long tail: C types of extension modules and builtins whose repr is
computable from memory, and Python-level reprs that depend only on fields.

Which types: ``itertools.count`` and ``repeat``, ``super``, weak proxies, structseq
types (``sys.flags``, ``time.struct_time``, ``posix.stat_result``, ...), ``memoryview``,
capsules, ctypes function pointers, fields and simple values, cElementTree's Element, ``zipimport.zipimporter``, the ``_io``
files, ``_socket.socket`` and SQLAlchemy's C ``immutabledict`` and ``tuplegetter``; among Python classes,
subclasses of ``collections.Counter``, ``OrderedDict`` and ``decimal.Decimal``, and
classes whose ``__repr__`` only formats fields (python_reprs.py: namedtuple's
``'Name(a=%r)' % self``, ``'<%s %r>' % (self.__class__.__name__, self.x)``...). The
texts are in render/extension_repr.py.

``refine_kind`` is called once per type object (reader.py): a heap type prints what the
first class of its MRO defining ``__repr__`` prints (typeobject.c's slot_tp_repr looks
it up there; a class without one inherits its base's C tp_repr).
"""

import struct
from fractions import Fraction

from ..errors import CpywalkerError, DecodeError
from .objects import decode, dict_lookup_str, instance_dict_address
from .python_reprs import DECODERS as PYTHON_REPR_DECODERS
from .python_reprs import format_program, plain_attributes

#: tp_name of a static type -> its kind here
NAME_KINDS = {
    "itertools.count": "count", "itertools.repeat": "repeat", "super": "super",
    "weakproxy": "weakproxy", "weakcallableproxy": "weakproxy", "memoryview": "memoryview",
    "PyCapsule": "capsule", "zipimport.zipimporter": "zipimporter", "_io.FileIO": "fileio",
    "_io.BufferedReader": "buffered", "_io.BufferedWriter": "buffered",
    "_io.BufferedRandom": "buffered", "_io.TextIOWrapper": "textio",
    "_socket.socket": "socket", "_ctypes.PyCFuncPtr": "cfuncptr", "_ctypes.CField": "cfield",
    "sqlalchemy.cimmutabledict.immutabledict": "immutabledict",
    "sqlalchemy.engine.util.tuplegetter": "tuplegetter", "Element": "element",
}
#: static types whose C repr prints the tp_name of a heap subclass (kind by static name)
SUBCLASS_REPR_KINDS = {
    "datetime.date": "date", "datetime.time": "time", "datetime.datetime": "datetime",
    "datetime.timedelta": "timedelta", "_ctypes.PyCFuncPtr": "cfuncptr",
    "_ctypes._SimpleCData": "ctypes_simple",
}
#: Python classes whose __repr__ py-walk emulates -> kind
PYTHON_REPR_KINDS = {"collections.Counter": "counter", "decimal.Decimal": "decimal",
                     "collections.OrderedDict": "ordereddict"}
#: Longest tp_mro read
MAX_MRO = 64


def refine_kind(reader, info):
    """The kind of ``info`` once the long tail is known (``info.detail`` gets what a kind
    needs from the type); the classified kind when nothing here applies."""
    kind = info.kind
    try:
        if not info.is_heap:
            if kind == "generic":
                kind = NAME_KINDS.get(info.name) or _structseq_kind(reader, info) or kind
            return kind
        owner = _repr_owner(reader, info)
        if owner is None:
            return kind
        if not owner.is_heap:
            return SUBCLASS_REPR_KINDS.get(owner.name, kind)
        python_kind = PYTHON_REPR_KINDS.get(owner.qualified_name)
        if python_kind == "decimal" and _owner(reader, info, b"__str__") is not owner:
            return _default_repr(info, kind)  # Decimal.__repr__ calls str(self)
        if python_kind is not None:
            return python_kind
        inherited = _slot_wrapper_kind(reader, owner, info, kind)
        if inherited is not None:
            return inherited
        program = format_program(reader, owner)
        if program is not None and (program[1] != [("self",)] or kind == "tuple") and \
                plain_attributes(reader, info, program[1]):
            info.detail = program
            return "python_format"
        return _default_repr(info, kind)
    except CpywalkerError:
        pass
    return kind


#: ``TypeInfo.detail`` of a subclass of a builtin whose instances print CPython's
#: default ``<module.Name object at 0x...>`` (object_repr), not the builtin's repr: its
#: ``__repr__`` is Python code py-walk does not emulate (or object's). Its instances are
#: still decoded as the builtin's kind: tree and json show their value.
DEFAULT_REPR = "object_repr"


def _default_repr(info, kind):
    if kind not in ("instance", "generic"):
        info.detail = DEFAULT_REPR
    return kind


def _slot_wrapper_kind(reader, owner, info, kind):
    """The kind of a class whose ``__repr__`` is a C type's (``__repr__ =
    dict.__repr__``): its builtin kind for its builtin base's (or object's, then with
    DEFAULT_REPR); None for anything else."""
    repr_address = dict_lookup_str(reader, owner.dict, b"__repr__")
    if reader.object_header(repr_address)[1].kind != "wrapper_descriptor":
        return None
    wrapped = reader.type_info(reader.word(repr_address + reader.layout.PyDescrObject.d_type))
    if wrapped.is_heap:
        return None
    if wrapped.name == info.builtin:
        return kind
    return _default_repr(info, kind) if wrapped.name == "object" else None


def _structseq_kind(reader, info):
    """PyStructSequence_InitType puts n_sequence_fields in the type's dict."""
    return "structseq" if dict_lookup_str(reader, info.dict, b"n_sequence_fields") else None


def _owner(reader, info, name):
    """TypeInfo of the first class of ``info``'s MRO whose dict has ``name``, or None."""
    mro = decode(reader, info.mro)
    if mro.kind != "tuple":
        return None
    for address in mro.edges[:MAX_MRO]:
        candidate = reader.type_info(address)
        if dict_lookup_str(reader, candidate.dict, name):
            return candidate
    return None


def _repr_owner(reader, info):
    return _owner(reader, info, b"__repr__")


# -- decoders -------------------------------------------------------------------------

def _count(reader, node, info, max_items):
    """countobject of itertoolsmodule.c: cnt, or PY_SSIZE_T_MAX and long_cnt/long_step."""
    _, _, cnt, long_cnt, long_step = reader.unpack(reader.layout.countobject, node.address)
    node.value = cnt
    fast = cnt != (1 << (8 * reader.psize - 1)) - 1
    step_is_one = False
    if long_step:
        step = decode(reader, long_step)
        step_is_one = step.kind in ("int", "bool") and step.value == 1
    node.info = {"fast": fast, "long_cnt": bool(long_cnt), "step_shown": not step_is_one,
                 "labels": []}
    pairs = [] if fast else [("long_cnt", long_cnt), ("long_step", long_step)]
    if not fast and not step_is_one and not long_step:
        raise DecodeError(node.address, "count with a NULL long_step")
    _edges(node, pairs)


def _repeat(reader, node, info, max_items):
    _, _, element, cnt = reader.unpack(reader.layout.repeatobject, node.address)
    node.value = cnt
    node.info = {}
    _edges(node, [("element", element)])


def _edges(node, pairs):
    """Labelled edges to the non-NULL pointers of ``(label, pointer)`` pairs."""
    present = [(label, pointer) for label, pointer in pairs if pointer]
    node.info["labels"] = [label for label, _ in present]
    node.edges = [pointer for _, pointer in present]


def _super(reader, node, info, max_items):
    _, _, type_address, obj, obj_type = reader.unpack(reader.layout.superobject, node.address)
    node.info = {"type": reader.type_info(type_address).name if type_address else None,
                 "obj_type": reader.type_info(obj_type).name if obj_type else None,
                 "labels": []}
    _edges(node, [("__self__", obj)])


def _weakproxy(reader, node, info, max_items):
    """proxy_repr of weakrefobject.c does not check that the referent is alive: a dead
    proxy's referent is None."""
    referent = reader.word(node.address + reader.layout.PyWeakReference.wr_object)
    node.info = {"referent": referent, "referent_type": reader.object_header(referent)[1].name}


def _memoryview(reader, node, info, max_items):
    node.info = {}


def _capsule(reader, node, info, max_items):
    name = reader.word(node.address + reader.layout.PyCapsule.name)
    node.value = reader.cstring(name) if name else None


def _structseq(reader, node, info, max_items):
    """structseq.c: the visible fields are ob_size items, named by tp_members."""
    size = reader.unpack(reader.layout.PyVarObject, node.address)[2]
    if not 0 <= size <= 1024:
        raise DecodeError(node.address, "implausible structseq ob_size %d" % size)
    node.edges = reader.words(node.address + reader.layout.PyStructSequence.ob_item, size)
    member = reader.layout.PyMemberDef
    names = []
    for index in range(size):
        name = reader.word(info.members + index * member.size + member.name)
        names.append(reader.cstring(name, 256) if name else None)
    node.size = size
    node.info = {"names": names}


def _zipimporter(reader, node, info, max_items):
    _, _, archive, prefix = reader.unpack(reader.layout.ZipImporter, node.address)[:4]
    node.info = {"archive": _str_or(reader, archive, "???"), "prefix": _str_or(reader, prefix, "")}


def _str_or(reader, address, default):
    """Text of a str object (``PyString_Check`` passes), else ``default``."""
    if not address:
        return default
    try:
        return reader.string(address)
    except CpywalkerError:
        return default


def _fileio(reader, node, info, max_items):
    """fileio_repr of _io/fileio.c: fd, mode_string() of the flag bits, and the name
    attribute from the instance dict."""
    _, _, fd, flags, _, instance_dict = reader.unpack(reader.layout.fileio, node.address)
    readable, writable, appending = flags & 1, flags & 2, flags & 4
    if appending:
        mode = "ab+" if readable else "ab"
    elif readable:
        mode = "rb+" if writable else "rb"
    else:
        mode = "wb"
    node.info = {"fd": fd, "mode": mode, "labels": []}
    _edges(node, [("name", dict_lookup_str(reader, instance_dict, b"name") if fd >= 0 else 0)])


def _raw_name(reader, raw):
    """``raw.name`` of the raw file under a buffered object: a FileIO's dict entry."""
    if not raw:
        return 0
    raw_info = reader.object_header(raw)[1]
    dict_pointer = instance_dict_address(reader, raw, raw_info)
    return dict_lookup_str(reader, reader.word(dict_pointer), b"name") if dict_pointer else 0


def _buffered(reader, node, info, max_items):
    """buffered_repr of _io/bufferedio.c: ``name`` is the raw file's name."""
    raw = reader.word(node.address + reader.layout.buffered.raw)
    node.info = {"labels": []}
    _edges(node, [("name", _raw_name(reader, raw))])


def _textio(reader, node, info, max_items):
    """textiowrapper_repr of _io/textio.c: the buffer's raw name, then the encoding."""
    fields = reader.fields(reader.layout.textio, node.address)
    buffer = fields["buffer"]
    name = 0
    if buffer and reader.object_header(buffer)[1].kind == "buffered":
        name = _raw_name(reader, reader.word(buffer + reader.layout.buffered.raw))
    node.info = {"labels": []}
    _edges(node, [("name", name), ("encoding", fields["encoding"])])
    node.info["named"] = bool(name)


def _socket(reader, node, info, max_items):
    node.value = reader.unpack(reader.layout.PySocketSockObject, node.address)[2:6]


def _cfield(reader, node, info, max_items):
    """CFieldObject of _ctypes/ctypes.h: offset, size (bit count in its high 16 bits)
    and the field's ctypes type."""
    _, _, offset, size, _, proto = reader.unpack(reader.layout.CFieldObject, node.address)[:6]
    node.value = (offset, size & 0xFFFF, size >> 16)
    node.info = {"type": reader.type_info(proto).name}


def _immutabledict(reader, node, info, max_items):
    node.info = {}
    _edges(node, [("dict", reader.word(node.address + reader.layout.ImmutableDict.dict))])


def _tuplegetter(reader, node, info, max_items):
    node.info = {}
    _edges(node, [("item", reader.word(node.address + reader.layout.tuplegetterobject.item))])


def _element(reader, node, info, max_items):
    node.info = {}
    _edges(node, [("tag", reader.word(node.address + reader.layout.ElementObject.tag))])


#: _ctypes/cfield.c's getfuncs by the class's _type_: (struct code or C type, L suffix)
_SIMPLE_INTS = {"b": ("b", ""), "B": ("B", ""), "h": ("h", ""), "H": ("H", ""),
                "i": ("i", ""), "I": ("I", "L"), "l": ("long", ""), "L": ("ulong", "L"),
                "q": ("q", "L"), "Q": ("Q", "L")}


def _ctypes_simple(reader, node, info, max_items):
    """Simple_repr of _ctypes.c: ``c_int(5)`` (``%s(%r)`` of tp_name and the value the
    type code's getfunc returns) for a direct subclass of _SimpleCData, else
    ``<%s object at %p>``."""
    node.info = {"direct": not reader.type_info(info.base).is_heap}
    if not node.info["direct"]:
        return
    code = reader.name_of(dict_lookup_str(reader, info.dict, b"_type_"), "")
    pointer = reader.word(node.address + reader.layout.CDataObject.b_ptr)
    model = reader.layout.model
    if code in _SIMPLE_INTS:
        fmt, suffix = _SIMPLE_INTS[code]
        if fmt in ("long", "ulong"):
            fmt = model.ctype_format(fmt)
        value = struct.unpack("<" + fmt, reader.read(pointer, struct.calcsize(fmt)))[0]
        node.value = "%d%s" % (value, suffix)
    elif code in ("d", "f"):
        fmt = code
        node.value = repr(struct.unpack("<" + fmt, reader.read(pointer, struct.calcsize(fmt)))[0])
    elif code == "g":
        node.value = repr(_long_double(reader.read(pointer, 10)))
    elif code == "?":
        node.value = "True" if reader.read(pointer, 1) != b"\0" else "False"
    elif code == "c":
        node.value = ("str", reader.read(pointer, 1))
    elif code == "u":
        node.value = ("unicode", _wchars(reader, pointer, 1))
    elif code == "P":
        address = reader.word(pointer)
        node.value = "None" if not address else \
            "%d%s" % (address, "L" if address >> (8 * reader.psize - 1) else "")
    elif code == "Z":
        address = reader.word(pointer)
        node.value = "None" if not address else ("unicode", _wchars(reader, address, None))
    elif code == "O":
        node.value = None
        _edges(node, [("value", reader.word(pointer))])
    else:
        raise DecodeError(node.address, "ctypes type code %r" % code)


def _long_double(data):
    """An x87 80-bit long double as the double PyFloat_FromDouble makes of it."""
    mantissa = int.from_bytes(data[:8], "little")
    exponent = int.from_bytes(data[8:10], "little")
    sign = -1 if exponent & 0x8000 else 1
    exponent &= 0x7FFF
    if exponent == 0x7FFF:
        return sign * float("inf") if mantissa << 1 == 0 else float("nan")
    return sign * float(Fraction(mantissa) * Fraction(2) ** (exponent - 16383 - 63))


#: longest c_wchar_p string read
MAX_WCHARS = 1 << 16


def _wchars(reader, address, count):
    """``count`` wchar_t (UCS4 on Linux) at ``address``, or up to the first NUL."""
    if count is None:
        count = 0
        while reader.read(address + 4 * count, 4) != b"\0\0\0\0":
            count += 1
            if count > MAX_WCHARS:
                raise DecodeError(address, "c_wchar_p string longer than %d characters"
                                  % MAX_WCHARS)
    try:
        return reader.read(address, 4 * count).decode("utf-32-le", "surrogatepass")
    except UnicodeDecodeError:
        raise DecodeError(address, "wchar_t string is not valid UTF-32")


def _type_name_only(reader, node, info, max_items):
    node.info = {}


DECODERS = dict(PYTHON_REPR_DECODERS, **{
    "count": _count, "repeat": _repeat, "super": _super, "weakproxy": _weakproxy,
    "memoryview": _memoryview, "capsule": _capsule, "structseq": _structseq,
    "zipimporter": _zipimporter, "fileio": _fileio, "buffered": _buffered,
    "textio": _textio, "socket": _socket, "cfuncptr": _type_name_only,
    "cfield": _cfield, "immutabledict": _immutabledict,
    "tuplegetter": _tuplegetter, "element": _element, "ctypes_simple": _ctypes_simple,
})

__all__ = ["DECODERS", "DEFAULT_REPR", "NAME_KINDS", "refine_kind"]
