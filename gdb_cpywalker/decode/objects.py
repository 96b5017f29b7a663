"""Decode ONE object at an address into a Node, one decoder per kind of builtin type.

``decode(reader, address, max_items)`` never raises for a bad object: the error becomes
an error node. Kinds come from ``classify`` in reader.py (tp_flags subclass bits, then the
builtin base's tp_name); a subclass of a builtin gets the builtin's value plus its
instance ``__dict__`` and ``__slots__``. Nothing in the target is ever called.
"""

import struct

from ..errors import CpywalkerError, DecodeError, ProcessGone
from ..layouts import cpython27 as c
from .dicts import dict_items, dict_lookup_str, table_words
from .graph import Node


def decode(reader, address, max_items=None):
    """The Node of the object at ``address``; an error node when it cannot be decoded.

    ProcessGone is not one object's error: it stops whoever is decoding.
    """
    try:
        refcnt, info = reader.object_header(address)
        node = Node(address, info.kind, info.name, info.address, refcnt)
        _DECODERS.get(info.kind, _generic)(reader, node, info, max_items)
        if info.is_heap and info.kind not in ("instance", "type", "exception"):
            _instance_state(reader, node, info)
        return node
    except ProcessGone:
        raise
    except CpywalkerError as error:
        return Node(address, "error", error=error)


def _limit(count, max_items):
    return count if max_items is None else min(count, max_items)


def _var_size(reader, node, offset, item_size):
    """ob_size of a str or tuple, refused when negative or when its ``item_size`` items
    from ``offset`` would run past the readable memory the object lives in."""
    size = reader.unpack(reader.layout.PyVarObject, node.address)[2]
    if size < 0:
        raise DecodeError(node.address, "implausible ob_size %d" % size)
    reader.check_span(node.address, node.address + offset, size * item_size, "ob_size", size)
    return size


def _shown(reader, size):
    """How much of a string of ``size`` bytes or characters the max-string budget shows."""
    limit = reader.string_limit
    return size if limit is None else min(size, limit)


def string_cut(node):
    """``<N more bytes not shown: max-string>`` after a string max-string cut, else ""."""
    if not node.truncated:
        return ""
    unit = "character" if node.kind == "unicode" or node.kind == "array" and \
        node.value[0] == "u" else "byte"
    return "<%d more %s%s not shown: max-string>" % (node.truncated, unit,
                                                     "" if node.truncated == 1 else "s")


# -- scalars ------------------------------------------------------------------------

def _int(reader, node, info, max_items):
    node.value = reader.unpack(reader.layout.PyIntObject, node.address)[2]


def _bool(reader, node, info, max_items):
    node.value = bool(reader.unpack(reader.layout.PyIntObject, node.address)[2])


def _long(reader, node, info, max_items):
    """_PyLong_Format of longobject.c: the value is sum(digit[i] << SHIFT*i), sign of ob_size."""
    size = reader.unpack(reader.layout.PyVarObject, node.address)[2]
    count = abs(size)
    digit = reader.layout.model.ctype_size("digit")
    shift = c.LONG_SHIFT[digit]
    start = node.address + reader.layout.PyLongObject.ob_digit
    reader.check_span(node.address, start, count * digit, "long ob_size", size)
    data = reader.read(start, count * digit)
    digits = struct.unpack("<%d%s" % (count, "I" if digit == 4 else "H"), data)
    value = _digits_value(digits, shift)
    node.value = -value if size < 0 else value
    node.size = count


def _digits_value(digits, shift):
    """sum(digit << shift * i), halving recursively so a huge long stays fast."""
    if len(digits) <= 64:
        return sum(d << (shift * i) for i, d in enumerate(digits))
    middle = len(digits) // 2
    return _digits_value(digits[:middle], shift) | \
        (_digits_value(digits[middle:], shift) << (shift * middle))


def _float(reader, node, info, max_items):
    node.value = reader.unpack(reader.layout.PyFloatObject, node.address)[2]


def _complex(reader, node, info, max_items):
    _, _, real, imag = reader.unpack(reader.layout.PyComplexObject, node.address)
    node.value = complex(real, imag)


def _singleton(reader, node, info, max_items):
    node.value = None


def _str(reader, node, info, max_items):
    offset = reader.layout.PyStringObject.ob_sval
    size = _var_size(reader, node, offset, 1)
    shown = _shown(reader, size)
    node.value = reader.read(node.address + offset, shown)
    node.size = size
    node.truncated = size - shown


def _unicode(reader, node, info, max_items):
    fields = reader.fields(reader.layout.PyUnicodeObject, node.address)
    length = fields["length"]
    if length < 0:
        raise DecodeError(node.address, "implausible unicode length %d" % length)
    reader.check_span(node.address, fields["str"], length * reader.ucs, "unicode length", length)
    shown = _shown(reader, length)
    data = reader.read(fields["str"], shown * reader.ucs) if shown else b""
    codec = "utf-32-le" if reader.ucs == 4 else "utf-16-le"
    try:
        node.value = data.decode(codec, "surrogatepass")
    except UnicodeDecodeError:
        raise DecodeError(node.address, "unicode data is not valid %s" % codec)
    node.size = length
    node.truncated = length - shown


def _bytearray(reader, node, info, max_items):
    fields = reader.fields(reader.layout.PyByteArrayObject, node.address)
    size = fields["ob_size"]
    if size < 0 or (size and size > fields["ob_alloc"]):
        raise DecodeError(node.address, "implausible bytearray ob_size %d" % size)
    if size:
        reader.check_span(node.address, fields["ob_bytes"], size, "bytearray ob_size", size)
    shown = _shown(reader, size)
    node.value = reader.read(fields["ob_bytes"], shown) if shown else b""
    node.size = size
    node.truncated = size - shown


def _buffer(reader, node, info, max_items):
    """The C repr of a buffer does not show its bytes; its value is them where the buffer
    tells where they are (get_buf of bufferobject.c), within max-string."""
    fields = reader.fields(reader.layout.PyBufferObject, node.address)
    node.info = {key: fields[key]
                 for key in ("b_base", "b_ptr", "b_size", "b_offset", "b_readonly")}
    if fields["b_base"]:
        node.edges = [fields["b_base"]]
    data = _buffer_data(reader, fields)
    if data is not None:
        pointer, size = data
        reader.check_span(node.address, pointer, size, "buffer size", size)
        shown = _shown(reader, size)
        node.value = reader.read(pointer, shown) if shown else b""
        node.size = size
        node.truncated = size - shown


#: Py_END_OF_BUFFER: a buffer that runs to the end of its base
_END_OF_BUFFER = -1


def _buffer_data(reader, fields):
    """(pointer, size) of a buffer's bytes: its own b_ptr, or the read buffer of a str,
    bytearray or unicode base; None for other bases."""
    base, size, offset = fields["b_base"], fields["b_size"], fields["b_offset"]
    if not base:
        return (fields["b_ptr"], size) if size >= 0 else None
    layout = reader.layout
    kind = reader.object_header(base)[1].kind
    if kind == "str":
        pointer = base + layout.PyStringObject.ob_sval
        count = reader.unpack(layout.PyVarObject, base)[2]
    elif kind == "bytearray":
        base_fields = reader.fields(layout.PyByteArrayObject, base)
        pointer, count = base_fields["ob_bytes"], base_fields["ob_size"]
    elif kind == "unicode":
        base_fields = reader.fields(layout.PyUnicodeObject, base)
        pointer, count = base_fields["str"], base_fields["length"] * reader.ucs
    else:
        return None
    offset = min(offset, count)
    size = count if size == _END_OF_BUFFER else size
    return pointer + offset, max(min(size, count - offset), 0)


# -- containers -----------------------------------------------------------------------

def _tuple(reader, node, info, max_items):
    size = _var_size(reader, node, reader.layout.PyTupleObject.ob_item, reader.psize)
    shown = _limit(size, max_items)
    node.edges = reader.words(node.address + reader.layout.PyTupleObject.ob_item, shown)
    node.size = size
    node.truncated = size - shown


def _list(reader, node, info, max_items):
    _, _, size, items, allocated = reader.unpack(reader.layout.PyListObject, node.address)
    if not 0 <= size <= allocated:
        raise DecodeError(node.address, "implausible list ob_size %d (allocated %d)"
                          % (size, allocated))
    reader.check_span(node.address, items, size * reader.psize, "list ob_size", size)
    shown = _limit(size, max_items)
    node.edges = reader.words(items, shown) if shown else []
    node.size = size
    node.truncated = size - shown


def _dict(reader, node, info, max_items):
    node.size, node.edges = dict_items(reader, node.address, max_items)
    node.truncated = node.size - len(node.edges) // 2


def _defaultdict(reader, node, info, max_items):
    _dict(reader, node, info, max_items)
    factory = reader.word(node.address + reader.layout.defdictobject.default_factory)
    node.info = {"labels": ["default_factory"] if factory else [], "factory": factory}
    if factory:
        node.edges.append(factory)


def _dictview(reader, node, info, max_items):
    """dict_keys/values/items of 2.7's viewkeys() & co: the entries of the dict viewed."""
    dict_address = reader.word(node.address + reader.layout.dictviewobject.dv_dict)
    node.size, node.edges = dict_items(reader, dict_address, max_items)
    node.truncated = node.size - len(node.edges) // 2
    node.info = {"view": info.name.rpartition("_")[2]}


def _deque(reader, node, info, max_items):
    """deque_iter of _collectionsmodule.c: from leftblock[leftindex], block by block."""
    fields = reader.fields(reader.layout.dequeobject, node.address)
    length = fields["len"]
    if length < 0 or not 0 <= fields["leftindex"] < c.DEQUE_BLOCKLEN:
        raise DecodeError(node.address, "implausible deque (len %d, leftindex %d)"
                          % (length, fields["leftindex"]))
    shown = _limit(length, max_items)
    items = []
    block, index = fields["leftblock"], fields["leftindex"]
    blocks = set()
    while len(items) < shown:
        if block in blocks:
            raise DecodeError(node.address, "deque blocks form a cycle")
        blocks.add(block)
        words = reader.words(block, c.DEQUE_BLOCKLEN + 1)
        items.extend(words[index:c.DEQUE_BLOCKLEN][:shown - len(items)])
        block, index = words[c.DEQUE_BLOCKLEN], 0
        if not block and len(items) < shown:
            raise DecodeError(node.address, "deque block chain ends after %d of %d items"
                              % (len(items), length))
    node.edges = items
    node.size = length
    node.truncated = length - shown
    node.info = {"maxlen": fields["maxlen"]}


def _ordereddict(reader, node, info, max_items):
    """collections.OrderedDict of 2.7: keys in the order of the linked list at
    ``self.__root`` (links are [PREV, NEXT, KEY] lists), values from the dict itself."""
    node.size, pairs = dict_items(reader, node.address)
    values = dict(zip(pairs[0::2], pairs[1::2]))
    instance_dict = reader.word(instance_dict_address(reader, node.address, info))
    root = dict_lookup_str(reader, instance_dict, b"_OrderedDict__root")
    if not root:
        raise DecodeError(node.address, "OrderedDict without _OrderedDict__root")
    list_items = reader.layout.PyListObject.ob_item
    shown = _limit(node.size, max_items)
    edges = []
    link = reader.words(reader.word(root + list_items), 3)[1]
    while link != root and len(edges) < 2 * shown:
        _, link_next, key = reader.words(reader.word(link + list_items), 3)
        if key not in values:
            raise DecodeError(node.address, "OrderedDict link %#x has a key not in the dict" % link)
        edges += [key, values[key]]
        if len(edges) > 2 * node.size:
            raise DecodeError(node.address, "OrderedDict links form a cycle")
        link = link_next
    node.edges = edges
    node.truncated = node.size - len(edges) // 2


def _counter(reader, node, info, max_items):
    """collections.Counter of 2.7: the entries in most_common() order, sorted(iteritems(),
    key=itemgetter(1), reverse=True), stable; the counts must be numbers."""
    node.size, pairs = dict_items(reader, node.address)
    counts = []
    for value in pairs[1::2]:
        count = decode(reader, value)
        if count.kind not in ("int", "bool", "long", "float"):
            raise DecodeError(node.address, "Counter with a count of kind %s" % count.kind)
        counts.append(count.value)
    order = sorted(range(len(counts)), key=counts.__getitem__, reverse=True)
    shown = _limit(node.size, max_items)
    node.edges = [pairs[2 * i + j] for i in order[:shown] for j in (0, 1)]
    node.truncated = node.size - shown


def _set(reader, node, info, max_items):
    S = reader.layout.PySetObject
    _, _, fill, used, mask, table = reader.unpack(S, node.address)[:6]
    words = table_words(reader, node.address, used, fill, mask, table, 2)
    keys = [key for key in words[1::2] if key]
    if len(keys) != used:
        keys = [key for key in keys if reader.name_of(key, None) != "<dummy key>"]
    shown = _limit(len(keys), max_items)
    node.edges = keys[:shown]
    node.size = used
    node.truncated = len(keys) - shown


# -- classes and instances ---------------------------------------------------------

def instance_dict_address(reader, address, info):
    """_PyObject_GetDictPtr of object.c: where the instance __dict__ pointer lives, or 0."""
    offset = info.dictoffset
    if offset == 0:
        return 0
    if offset < 0:
        size = abs(reader.unpack(reader.layout.PyVarObject, address)[2])
        total = info.basicsize + size * info.itemsize
        total += -total % reader.psize
        offset += total
    return address + offset


def slot_members(reader, info):
    """(name, offset) of the __slots__ of a heap type and its heap bases (tp_members)."""
    M = reader.layout.PyMemberDef
    out = []
    seen = set()
    type_address = info.address
    for _ in range(64):
        type_info = reader.type_info(type_address)
        if not type_info.is_heap:
            break
        member = type_info.members
        for _ in range(256):
            if not member:
                break
            name, kind, offset = reader.unpack(M, member)[:3]
            if not name:
                break
            if kind == c.T_OBJECT_EX and offset not in seen:
                seen.add(offset)
                out.append((reader.cstring(name, 256), offset))
            member += M.size
        type_address = type_info.base
    return out


def _instance_state(reader, node, info):
    """Append the __dict__ and __slots__ edges of an instance of a heap type.

    ``node.info["labels"]`` names the trailing edges; ``node.info["attributes"]`` counts
    those that are instance state (not part of the builtin value).
    """
    labels, edges = [], []
    dict_pointer = instance_dict_address(reader, node.address, info)
    if dict_pointer:
        instance_dict = reader.word(dict_pointer)
        if instance_dict:
            labels.append("__dict__")
            edges.append(instance_dict)
    for name, offset in slot_members(reader, info):
        value = reader.word(node.address + offset)
        if value:
            labels.append(name)
            edges.append(value)
    if not isinstance(node.info, dict):
        node.info = {}
    node.info["labels"] = node.info.get("labels", []) + labels
    node.info["attributes"] = len(edges)
    node.edges = list(node.edges) + edges


def _decimal(reader, node, info, max_items):
    """decimal.Decimal of 2.7's Lib/decimal.py: (_sign, _int, _exp, _is_special) from its
    __slots__; _exp is an int, or 'F', 'n', 'N' for Infinity, NaN, sNaN."""
    slots = {}
    for name, offset in slot_members(reader, info):
        address = reader.word(node.address + offset)
        slot = decode(reader, address)
        if slot.kind not in ("int", "long", "bool", "str"):
            raise DecodeError(node.address, "Decimal slot %s of kind %s" % (name, slot.kind))
        # every digit, whatever max-string is: the digits are the value, not a string shown
        slots[name] = reader.string(address) if slot.kind == "str" else slot.value
    try:
        node.value = tuple(slots[name] for name in ("_sign", "_int", "_exp", "_is_special"))
    except KeyError as error:
        raise DecodeError(node.address, "Decimal without its slot %s" % error)
    _sign, digits, exp, is_special = node.value
    if not isinstance(digits, str) or not (digits.isdigit() or is_special and not digits):
        raise DecodeError(node.address, "Decimal with digits %r" % (digits,))
    if exp not in ("F", "n", "N") if is_special else not isinstance(exp, int):
        raise DecodeError(node.address, "Decimal with exponent %r" % (exp,))


def _instance(reader, node, info, max_items):
    node.info = {}
    _instance_state(reader, node, info)


def _named_edges(node, pairs):
    """Edges to the non-NULL pointers of ``(label, pointer)`` pairs, labelled."""
    present = [(label, pointer) for label, pointer in pairs if pointer]
    if not isinstance(node.info, dict):
        node.info = {}
    node.info["labels"] = [label for label, _ in present]
    node.edges = [pointer for _, pointer in present]


def _type(reader, node, info, max_items):
    described = reader.type_info(node.address)
    node.value = described.qualified_name
    node.info = {"heap": described.is_heap}
    if described.is_heap:
        _named_edges(node, [("__dict__", described.dict)])


def _classobj(reader, node, info, max_items):
    fields = reader.fields(reader.layout.PyClassObject, node.address)
    module = dict_lookup_str(reader, fields["cl_dict"], b"__module__")
    node.info = {"name": reader.name_of(fields["cl_name"]),
                 "module": reader.name_of(module, None) if module else None}
    node.value = node.info["name"]
    node.edges = [fields["cl_dict"]] if fields["cl_dict"] else []


def _classic_instance(reader, node, info, max_items):
    _, _, klass, in_dict = reader.unpack(reader.layout.PyInstanceObject, node.address)[:4]
    if not in_dict:
        raise DecodeError(node.address, "classic instance with a NULL in_dict")
    class_node = decode(reader, klass)
    if class_node.kind != "classobj":
        raise DecodeError(node.address, "in_class %#x is not a class" % klass)
    node.info = dict(class_node.info)
    node.edges = [in_dict]


# -- callables and descriptors -------------------------------------------------------

def _function(reader, node, info, max_items):
    fields = reader.fields(reader.layout.PyFunctionObject, node.address)
    node.value = reader.name_of(fields["func_name"])
    _named_edges(node, [("__defaults__", fields["func_defaults"]),
                        ("__closure__", fields["func_closure"]), ("__dict__", fields["func_dict"])])


def _cfunction(reader, node, info, max_items):
    fields = reader.unpack(reader.layout.PyCFunctionObject, node.address)
    method_def, self_address = fields[2:4]
    node.value = reader.cstring(reader.word(method_def + reader.layout.PyMethodDef.ml_name))
    node.info = {"self": self_address}
    if self_address:
        node.info["self_type"] = reader.object_header(self_address)[1].name


#: kinds whose ``__name__`` is their decoded value
_NAMED_KINDS = frozenset(("function", "cfunction", "classobj", "method_wrapper",
                          "wrapper_descriptor", "method_descriptor", "member_descriptor",
                          "getset_descriptor"))


#: Most methods wrapping methods name_attr follows to a function.
MAX_METHOD_CHAIN = 32


def name_attr(reader, address):
    """``obj.__name__`` when it is a str (what instancemethod_repr and weakref_repr print),
    or None: from the object's own fields, else its instance dict, else its class's. A
    method's is its function's (MAX_METHOD_CHAIN methods deep at most: a damaged one can
    wrap itself)."""
    try:
        for _ in range(MAX_METHOD_CHAIN):
            if reader.object_header(address)[1].kind != "method":
                break
            address = reader.unpack(reader.layout.PyMethodObject, address)[2]
            if not address:
                return None
        else:
            return None
    except ProcessGone:
        raise
    except CpywalkerError:
        return None
    node = decode(reader, address, 0)
    kind = node.kind
    if kind in _NAMED_KINDS:
        return node.value
    if kind == "type":
        return reader.type_info(address).short_name
    if kind == "module":
        return node.info["name"] if node.info["name"] != "?" else None
    if kind == "error":
        return None
    if kind == "classic_instance":
        class_dict = reader.word(reader.unpack(reader.layout.PyInstanceObject, address)[2]
                                 + reader.layout.PyClassObject.cl_dict)
        dicts = [node.edges[0], class_dict]
    else:
        info = reader.type_info(node.type_address)
        dict_pointer = instance_dict_address(reader, address, info)
        dicts = [reader.word(dict_pointer) if dict_pointer else 0]
        mro = decode(reader, info.mro) if info.mro else None
        if mro is not None and mro.kind == "tuple":
            dicts += [reader.type_info(base).dict for base in mro.edges]
    for namespace in dicts:
        value = dict_lookup_str(reader, namespace, b"__name__")
        if value:
            return reader.name_of(value, None)
    return None


def _method(reader, node, info, max_items):
    _, _, func, self_address, klass = reader.unpack(reader.layout.PyMethodObject, node.address)[:5]
    func_name = name_attr(reader, func) if func else None
    class_name = name_attr(reader, klass) if klass else None
    node.info = {"func_name": func_name if func_name is not None else "?",
                 "class_name": class_name if klass and class_name is not None else "?",
                 "bound": bool(self_address)}
    node.edges = [self_address] if self_address else []


def _descriptor_common(reader, node, info, max_items):
    _, _, d_type, d_name = reader.unpack(reader.layout.PyDescrObject, node.address)[:4]
    node.value = reader.name_of(d_name)
    node.info = {"type_name": reader.type_info(d_type).name}


def _method_wrapper(reader, node, info, max_items):
    _, _, descr, self_address = reader.unpack(reader.layout.wrapperobject, node.address)[:4]
    base = reader.word(descr + reader.layout.PyWrapperDescrObject.d_base)
    node.value = reader.cstring(reader.word(base + reader.layout.wrapperbase.name))
    node.info = {"self": self_address, "self_type": reader.object_header(self_address)[1].name}


def _module(reader, node, info, max_items):
    md_dict = reader.word(node.address + reader.layout.PyModuleObject.md_dict)
    name = dict_lookup_str(reader, md_dict, b"__name__")
    filename = dict_lookup_str(reader, md_dict, b"__file__")
    node.info = {"name": reader.name_of(name) if name else "?",
                 "file": reader.name_of(filename, None) if filename else None}
    node.value = node.info["name"]
    _named_edges(node, [("__dict__", md_dict)])


def _code(reader, node, info, max_items):
    fields = reader.fields(reader.layout.PyCodeObject, node.address)
    node.value = reader.name_of(fields["co_name"], "???")
    node.info = {"file": reader.name_of(fields["co_filename"], "???"),
                 "line": fields["co_firstlineno"]}


def _frame(reader, node, info, max_items):
    fields = reader.fields(reader.layout.PyFrameObject, node.address)
    code = decode(reader, fields["f_code"])
    if code.kind != "code":
        raise DecodeError(node.address, "f_code %#x is not a code object" % fields["f_code"])
    node.value = code.value
    node.info = {"file": code.info["file"], "line": fields["f_lineno"]}
    try:
        variables = _frame_variables(reader, node.address, fields["f_code"])
    except CpywalkerError as error:
        node.info["variables_error"] = error
        variables = []
    if not variables and fields["f_locals"]:
        variables = _frame_namespaces(fields)
    _named_edges(node, variables)


def _frame_namespaces(fields):
    """(name, pointer) of a frame whose names live in dicts, not in f_localsplus: module
    level (f_locals is f_globals), class bodies and exec."""
    pairs = [] if fields["f_locals"] == fields["f_globals"] else [("f_locals", fields["f_locals"])]
    return pairs + [("f_code", fields["f_code"]), ("f_globals", fields["f_globals"]),
                    ("f_back", fields["f_back"])]


#: Most local, cell and free variables of one frame the decoder reads.
MAX_FRAME_VARIABLES = 1 << 16


def _frame_variables(reader, frame, code):
    """(name, value) of the locals, then cells and free variables, in f_localsplus."""
    fields = reader.fields(reader.layout.PyCodeObject, code)
    names = []
    for tuple_field in ("co_varnames", "co_cellvars", "co_freevars"):
        tuple_node = decode(reader, fields[tuple_field])
        if tuple_node.kind != "tuple":
            raise DecodeError(code, "%s is not a tuple" % tuple_field)
        names += [reader.name_of(name) for name in tuple_node.edges]
        if tuple_field == "co_varnames":
            names = names[:max(fields["co_nlocals"], 0)]
    names = names[:MAX_FRAME_VARIABLES]
    values = reader.words(frame + reader.layout.PyFrameObject.f_localsplus, len(names))
    return list(zip(names, values))


def _file(reader, node, info, max_items):
    fields = reader.fields(reader.layout.PyFileObject, node.address)
    node.info = {"open": bool(fields["f_fp"]), "mode": reader.name_of(fields["f_mode"])}
    node.edges = [fields["f_name"]]


def _generator(reader, node, info, max_items):
    _, _, frame, _, code = reader.unpack(reader.layout.PyGenObject, node.address)[:5]
    node.value = reader.name_of(reader.word(code + reader.layout.PyCodeObject.co_name), "???")
    _named_edges(node, [("gi_frame", frame)])


def _cell(reader, node, info, max_items):
    ref = reader.word(node.address + reader.layout.PyCellObject.ob_ref)
    node.info = {"ref": ref, "ref_type": reader.object_header(ref)[1].name if ref else None}
    node.edges = [ref] if ref else []


def _slice(reader, node, info, max_items):
    node.edges = list(reader.unpack(reader.layout.PySliceObject, node.address)[2:5])


def _xrange(reader, node, info, max_items):
    """(start, stop, step) as range_repr prints them: get_stop_for_range of rangeobject.c
    clips start + len * step to the range of a C long."""
    _, _, start, step, length = reader.unpack(reader.layout.rangeobject, node.address)
    bound = 1 << (8 * reader.psize - 1)
    stop = max(-bound, min(bound - 1, start + length * step)) if length else start
    node.value = (start, stop, step)


def _exception(reader, node, info, max_items):
    _, _, exc_dict, args = reader.unpack(reader.layout.PyBaseExceptionObject, node.address)[:4]
    node.edges = [args]
    node.info = {"labels": ["args"]}
    if exc_dict:
        node.edges.append(exc_dict)
        node.info["labels"].append("__dict__")


#: arraymodule.c's descriptors: typecode -> (C type of an item, struct code by
#: signedness); I and L items come back as longs (PyLong_FromUnsignedLong)
_ARRAY_ITEMS = {
    "b": ("char", "s"), "B": ("char", "u"), "h": ("short", "s"), "H": ("short", "u"),
    "i": ("int", "s"), "I": ("int", "u"), "l": ("long", "s"), "L": ("long", "u"),
    "f": ("float", "f"), "d": ("double", "f"), "c": ("char", "c"), "u": ("unicode", "c"),
}
_INT_CODES = {1: "b", 2: "h", 4: "i", 8: "q"}


def _array(reader, node, info, max_items):
    """array_repr of arraymodule.c: the typecode and the items (array_tolist,
    array_tostring for 'c', array_tounicode for 'u')."""
    _, _, size, items, allocated, descr = reader.unpack(reader.layout.arrayobject,
                                                         node.address)[:6]
    typecode, itemsize = reader.unpack(reader.layout.arraydescr, descr)[:2]
    code = chr(typecode) if 0 < typecode < 128 else "?"
    if code not in _ARRAY_ITEMS:
        raise DecodeError(node.address, "array with an unknown typecode %#x" % typecode)
    ctype = _ARRAY_ITEMS[code][0]
    expected = 4 if ctype == "float" else reader.layout.model.ctype_size(ctype)
    if itemsize != expected or not 0 <= size <= allocated:
        raise DecodeError(node.address, "implausible array: ob_size %d, allocated %d, itemsize %d"
                          % (size, allocated, itemsize))
    reader.check_span(node.address, items, size * itemsize, "array ob_size", size)
    # the items of a 'c' or 'u' array are characters: max-string cuts them, as a str's
    shown = _shown(reader, size) if code in "cu" else _limit(size, max_items)
    data = reader.read(items, shown * itemsize) if shown else b""
    node.size = size
    node.value = (code, _array_values(code, itemsize, shown, data))
    node.truncated = size - shown


def _array_values(code, itemsize, size, data):
    """The items of an array: bytes for 'c', text for 'u', else a list of numbers."""
    kind = _ARRAY_ITEMS[code][1]
    if code == "c":
        return data
    if code == "u":
        return data.decode("utf-32-le" if itemsize == 4 else "utf-16-le", "surrogatepass")
    if kind == "f":
        fmt = "f" if itemsize == 4 else "d"
    else:
        fmt = _INT_CODES[itemsize]
        fmt = fmt.upper() if kind == "u" else fmt
    return list(struct.unpack("<%d%s" % (size, fmt), data))


def _timedelta(reader, node, info, max_items):
    """PyDateTime_Delta of datetime.h: days, seconds, microseconds."""
    node.value = reader.unpack(reader.layout.PyDateTime_Delta, node.address)[3:6]


def _date(reader, node, info, max_items):
    """PyDateTime_Date of datetime.h: GET_YEAR, GET_MONTH, GET_DAY of its data bytes."""
    data = reader.read(node.address + reader.layout.PyDateTime_Date.data, 4)
    node.value = (data[0] << 8 | data[1], data[2], data[3])


def _time(reader, node, info, max_items):
    """PyDateTime_Time of datetime.h: hour, minute, second, microsecond, and tzinfo."""
    data = _tzinfo_data(reader, node, reader.layout.PyDateTime_Time, 6)
    node.value = (data[0], data[1], data[2], data[3] << 16 | data[4] << 8 | data[5])


def _datetime(reader, node, info, max_items):
    """PyDateTime_DateTime of datetime.h: the date's fields, then the time's, and tzinfo."""
    data = _tzinfo_data(reader, node, reader.layout.PyDateTime_DateTime, 10)
    node.value = (data[0] << 8 | data[1], data[2], data[3], data[4], data[5], data[6],
                  data[7] << 16 | data[8] << 8 | data[9])


def _tzinfo_data(reader, node, compiled, size):
    """The data bytes of a time or datetime; its tzinfo (HASTZINFO and not None) as the
    one edge."""
    data = reader.read(node.address + compiled.hastzinfo, compiled.data - compiled.hastzinfo
                       + size)
    node.edges = []
    if data[0]:
        tzinfo = reader.word(node.address + compiled.tzinfo)
        if reader.object_header(tzinfo)[1].kind != "none":
            node.edges = [tzinfo]
    return data[compiled.data - compiled.hastzinfo:]


def _one_pointer(compiled_name, field):
    def decoder(reader, node, info, max_items):
        pointer = reader.word(node.address + getattr(getattr(reader.layout, compiled_name), field))
        node.edges = [pointer] if pointer else []
    return decoder


def _weakref(reader, node, info, max_items):
    referent = reader.word(node.address + reader.layout.PyWeakReference.wr_object)
    refcnt, referent_info = reader.object_header(referent)
    if referent_info.kind == "none":
        node.info = {"dead": True}
        return
    node.info = {"dead": False, "referent": referent, "referent_type": referent_info.name,
                 "referent_name": name_attr(reader, referent)}


def _generic(reader, node, info, max_items):
    pass


_DECODERS = {
    "int": _int, "bool": _bool, "long": _long, "float": _float, "complex": _complex,
    "none": _singleton, "ellipsis": _singleton, "notimplemented": _singleton,
    "str": _str, "unicode": _unicode, "bytearray": _bytearray, "buffer": _buffer,
    "tuple": _tuple, "list": _list, "dict": _dict, "set": _set, "frozenset": _set,
    "defaultdict": _defaultdict, "file": _file, "deque": _deque, "dictview": _dictview,
    "ordereddict": _ordereddict, "counter": _counter, "decimal": _decimal,
    "instance": _instance, "type": _type, "classobj": _classobj,
    "classic_instance": _classic_instance, "function": _function, "cfunction": _cfunction,
    "method": _method, "method_wrapper": _method_wrapper,
    "wrapper_descriptor": _descriptor_common, "method_descriptor": _descriptor_common,
    "member_descriptor": _descriptor_common, "getset_descriptor": _descriptor_common,
    "module": _module, "code": _code, "frame": _frame, "generator": _generator,
    "cell": _cell, "slice": _slice, "xrange": _xrange, "exception": _exception,
    "property": _one_pointer("propertyobject", "prop_get"),
    "staticmethod": _one_pointer("staticmethod", "sm_callable"),
    "classmethod": _one_pointer("classmethod", "cm_callable"),
    "dictproxy": _one_pointer("proxyobject", "dict"),
    "weakref": _weakref, "array": _array, "timedelta": _timedelta, "date": _date,
    "time": _time, "datetime": _datetime,
}

#: kinds whose value is a plain Python scalar (rendered inline by tree and repr)
SCALAR_KINDS = frozenset(("int", "bool", "long", "float", "complex", "none", "ellipsis",
                          "notimplemented", "str", "unicode", "bytearray"))
#: kinds whose value is cut by max-string (``truncated`` counts what is left out)
STRING_KINDS = frozenset(("str", "unicode", "bytearray", "buffer"))


def cut_by_max_string(node):
    """Whether what ``node.truncated`` counts is what max-string left out (not items):
    strings, buffers, and arrays of characters ('c' and 'u')."""
    return node.kind in STRING_KINDS or node.kind == "array" and node.value[0] in "cu"

from .extension_types import DECODERS as _EXTENSION_DECODERS  # noqa: E402 (imports this module)

_DECODERS.update(_EXTENSION_DECODERS)

__all__ = ["cut_by_max_string", "decode", "dict_items", "dict_lookup_str", "name_attr", "string_cut",
           "SCALAR_KINDS", "STRING_KINDS"]
