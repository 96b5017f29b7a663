"""Python ``__repr__`` methods that only format fields, recognized by their bytecode.

A class's ``__repr__`` is emulated when its 2.7 bytecode is exactly
``return CONST % OPERAND``, OPERAND one of these, or a tuple of them:

- ``self`` (only for a tuple: namedtuple's ``'Point(x=%r, y=%r)' % self``),
- ``self.NAME``: the instance's ``__dict__`` entry or ``__slots__`` value (no property or
  other descriptor of the class in the way),
- ``self.__class__.__name__``, ``self.__class__.__module__``, ``type(self).__name__``,
- ``id(self)``;

and CONST uses only ``%r``, ``%s`` (of a str, int, long, bool, None, type, ASCII
unicode, or an instance whose str() is object's: where str() is repr() or the text itself), ``%d``/``%i``/``%x`` (of an int) and
``%%``: e.g. ``'<WeakKeyDictionary at %s>' % id(self)``, ``'<%s %r>' %
(self.__class__.__name__, self._mapping)``, ``'<PreparedRequest [%s]>' % (self.method)``.
``id`` and ``type`` must not be rebound in the method's module. Nothing is called.

Whatever this cannot compute exactly (an attribute behind a descriptor, ``%s`` of an
object with its own ``__str__``, ``%`` of a single tuple, damaged fields...) makes the
object print CPython's default ``<module.Name object at 0x...>``, never a guess.
"""

import re
import struct

from ..errors import CpywalkerError, DecodeError, ProcessGone
from ..layouts import cpython27 as c
from .objects import (SCALAR_KINDS, decode, dict_lookup_str, instance_dict_address,
                      slot_members, string_cut)

# Include/opcode.h of 2.7
LOAD_CONST, LOAD_FAST, LOAD_GLOBAL, LOAD_ATTR = 100, 124, 116, 106
CALL_FUNCTION, BUILD_TUPLE, BINARY_MODULO, RETURN_VALUE = 131, 102, 22, 83
HAVE_ARGUMENT = 90

FORMAT_SPEC = re.compile(r"%(.)")
#: conversions emulated, and the kinds ``%s`` accepts (str() of them is known)
CONVERSIONS = frozenset("rsdix%")
STR_KINDS = frozenset(("str", "int", "long", "bool", "none", "type", "unicode"))
#: class attribute values that are not descriptors (an instance value may shadow them)
PLAIN_CLASS_VALUES = SCALAR_KINDS | frozenset(("tuple", "list", "dict", "set", "frozenset"))


def _instructions(code):
    """[(opcode, argument)] of 2.7 bytecode."""
    out = []
    index = 0
    while index < len(code):
        opcode = code[index]
        if opcode >= HAVE_ARGUMENT:
            if index + 3 > len(code):
                return None
            out.append((opcode, struct.unpack_from("<H", code, index + 1)[0]))
            index += 3
        else:
            out.append((opcode, None))
            index += 1
    return out


def _operand(instructions, names):
    """(item, instructions left) of one operand at the start of ``instructions``."""
    head = instructions[:4]
    if head[:3] == [(LOAD_GLOBAL, names.get("id")), (LOAD_FAST, 0), (CALL_FUNCTION, 1)] \
            and "id" in names:
        return ("id",), instructions[3:]
    if head[:3] == [(LOAD_GLOBAL, names.get("type")), (LOAD_FAST, 0), (CALL_FUNCTION, 1)] \
            and "type" in names and head[3:] == [(LOAD_ATTR, names.get("__name__"))]:
        return ("class", "__name__"), instructions[4:]
    if head[:1] != [(LOAD_FAST, 0)]:
        return None, instructions
    if len(head) > 1 and head[1][0] == LOAD_ATTR:
        name = _name(names, head[1][1])
        if name == "__class__" and len(head) > 2 and head[2][0] == LOAD_ATTR and \
                _name(names, head[2][1]) in ("__name__", "__module__"):
            return ("class", _name(names, head[2][1])), instructions[3:]
        if name is not None and not name.startswith("__"):
            return ("attr", name), instructions[2:]
        return None, instructions
    return ("self",), instructions[1:]


def _name(names, index):
    for name, position in names.items():
        if position == index:
            return name
    return None


def format_program(reader, owner):
    """(format, items, tupled, class attributes) of the ``__repr__`` that ``owner``'s
    dict holds, or None when it is not ``return CONST % OPERAND`` as described above;
    ``tupled``: OPERAND is a tuple display ``(a, b)``, not one value; the last, empty, is
    where each attribute's lookup in the classes is kept once per type."""
    function = decode(reader, dict_lookup_str(reader, owner.dict, b"__repr__"))
    if function.kind != "function":
        return None
    F = reader.layout.PyFunctionObject
    code = reader.fields(reader.layout.PyCodeObject, reader.word(function.address + F.func_code))
    if code["co_argcount"] < 1:  # LOAD_FAST 0 is not self
        return None
    instructions = _instructions(reader.str_value(code["co_code"]))
    if not instructions or instructions[0] != (LOAD_CONST, 1) or \
            instructions[-2:] != [(BINARY_MODULO, None), (RETURN_VALUE, None)]:
        return None
    names_tuple = decode(reader, code["co_names"])
    if names_tuple.kind != "tuple":
        return None
    names = {reader.name_of(address): index for index, address in enumerate(names_tuple.edges)}
    globals_dict = reader.word(function.address + F.func_globals)
    if any(dict_lookup_str(reader, globals_dict, name) for name in (b"id", b"type")):
        return None
    body = instructions[1:-2]
    items = []
    while body and body[0][0] != BUILD_TUPLE:
        item, body = _operand(body, names)
        if item is None:
            return None
        items.append(item)
    if body and body != [(BUILD_TUPLE, len(items))] or not items or \
            not body and len(items) != 1:
        return None
    consts = decode(reader, code["co_consts"])
    if consts.kind != "tuple" or len(consts.edges) < 2:
        return None
    try:  # the whole format, whatever max-string is
        text = reader.string(consts.edges[1])
    except DecodeError:
        return None
    specs = [spec for spec in FORMAT_SPEC.findall(text)]
    if any(spec not in CONVERSIONS for spec in specs):
        return None
    tupled = bool(body)
    if items == [("self",)] and not tupled:
        return text, items, tupled, {}  # a tuple formatting its own items
    if ("self",) in items or sum(spec != "%" for spec in specs) != len(items):
        return None
    return text, items, tupled, {}


def plain_attributes(reader, info, items):
    """Whether the ``items`` of a format (decode/python_reprs.py) read from an instance of
    ``info`` are what PyObject_GenericGetAttr finds: no heap class of its MRO defines
    ``__getattribute__`` or ``__class__`` and its C bases get attributes as ``object``
    does; ``__name__`` and ``__module__`` of the class are type's own when a metaclass is
    in the way. A metaclass's own ``__module__`` string is no descriptor: the class's
    ``__module__`` comes first (type_getattro), as it does for dateutil's tzutc."""
    if not _generic_getattr(reader, info.address, (b"__getattribute__", b"__class__")):
        return False
    if any(item[0] == "class" for item in items):
        metatype = reader.object_header(info.address)[1]
        return _generic_getattr(reader, metatype.address, (b"__getattribute__", b"__name__",
                                                            b"__module__"), heap_only=True,
                                plain_strings=(b"__module__",))
    return True


def _generic_getattr(reader, type_address, names, heap_only=False, plain_strings=()):
    """No heap class of the MRO of ``type_address`` defines one of ``names`` (a str under
    one of ``plain_strings`` excepted), and (unless ``heap_only``) every
    ``__getattribute__`` of its C classes wraps the same function as object's."""
    mro = decode(reader, reader.type_info(type_address).mro)
    if mro.kind != "tuple":
        return False
    wrapped = set()
    for base in mro.edges:
        base_info = reader.type_info(base)
        if base_info.is_heap:
            for name in names:
                value = dict_lookup_str(reader, base_info.dict, name)
                value_info = reader.object_header(value)[1] if value else None
                if value and not (name in plain_strings and value_info.kind == "str"
                                  and not value_info.is_heap):
                    return False
            continue
        getattribute = dict_lookup_str(reader, base_info.dict, b"__getattribute__")
        if getattribute and not heap_only:
            wrapped.add(reader.word(getattribute + reader.layout.PyWrapperDescrObject.d_wrapped))
    return len(wrapped) <= 1


def _class_attribute(reader, info, name):
    """(value, kind, slot offset) of NAME in the classes of ``info``: the first value
    of its MRO's dicts and its kind (None, None when none has it), and the offset of the
    slot its member descriptor reads (else None)."""
    mro = decode(reader, info.mro)
    class_value = class_kind = slot_offset = None
    for base in mro.edges if mro.kind == "tuple" else []:
        value = dict_lookup_str(reader, reader.type_info(base).dict, name.encode("latin-1"))
        if value:
            value_info = reader.object_header(value)[1]
            # an instance of a class may be a descriptor (__get__)
            class_value, class_kind = value, "heap" if value_info.is_heap else value_info.kind
            break
    if class_kind == "member_descriptor":
        slot_offset = next((offset for slot_name, offset in slot_members(reader, info)
                            if slot_name == name), None)
    return class_value, class_kind, slot_offset


def _attribute(reader, address, info, name, class_attributes):
    """The address of ``self.NAME`` as PyObject_GenericGetAttr finds it, when no
    descriptor of the class can intervene; else DecodeError. ``class_attributes`` keeps
    ``_class_attribute`` of each NAME for ``info``."""
    found = class_attributes.get(name)
    if found is None:
        found = class_attributes[name] = _class_attribute(reader, info, name)
    class_value, class_kind, slot_offset = found
    if slot_offset is not None:
        slot = reader.word(address + slot_offset)
        if not slot:
            raise DecodeError(address, "slot %s is empty" % name)
        return slot
    if class_value is not None and class_kind not in PLAIN_CLASS_VALUES:
        raise DecodeError(address, "attribute %s is a %s of the class" % (name, class_kind))
    dict_pointer = instance_dict_address(reader, address, info)
    value = dict_lookup_str(reader, reader.word(dict_pointer), name.encode("latin-1")) \
        if dict_pointer else 0
    if value:
        return value
    if class_value is not None:
        return class_value
    raise DecodeError(address, "no attribute %s" % name)


def _str_owner(reader, info):
    """TypeInfo of the first class of ``info``'s MRO whose dict defines __str__."""
    mro = decode(reader, info.mro)
    for base in mro.edges if mro.kind == "tuple" else []:
        base_info = reader.type_info(base)
        if dict_lookup_str(reader, base_info.dict, b"__str__"):
            return base_info
    raise DecodeError(info.address, "no __str__ in the MRO of %s" % info.name)


def _float_str(value):
    """float_str of 2.7's floatobject.c: 12 significant digits, ``.0`` added to an integer."""
    text = "%.12g" % value
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def _str_text(reader, address):
    """str() of the object at ``address`` (_PyObject_Str) when it is known without running
    code; None when it is the object's repr (object_str), streamed as a child."""
    info = reader.object_header(address)[1]
    owner = _str_owner(reader, info)
    if owner.is_heap:
        raise DecodeError(address, "%%s of a %s, whose __str__ is Python code" % info.name)
    if owner.name == "object":
        return None
    kind = info.kind
    if kind not in STR_KINDS and not (kind == "float" and not info.is_heap):
        raise DecodeError(address, "%%s of a %s" % kind)
    node = decode(reader, address)
    if kind == "float":
        return _float_str(node.value)
    if kind == "str":
        return node.value.decode("latin-1") + string_cut(node)
    if kind == "unicode":
        if not node.value.isascii():
            raise DecodeError(address, "%s of a non-ASCII unicode")
        return node.value + string_cut(node)
    if kind == "none":
        return "None"
    return str(node.value)


def _python_format(reader, node, info, max_items):
    """The parts of ``FORMAT % OPERAND``: text, and child addresses for %r (and %s of an
    object whose str() is its repr). What cannot be computed exactly makes the node an
    ``instance``: CPython's default repr."""
    try:
        node.value, node.edges = _format_parts(reader, node, info)
    except ProcessGone:
        raise
    except CpywalkerError as error:
        node.kind = "instance"
        node.value = None
        node.edges = []
        node.info = {"labels": [], "repr_error": str(error)}
        return
    node.info = {"labels": []}


def _format_parts(reader, node, info):
    fmt, items, tupled, class_attributes = info.detail
    if items == [("self",)]:
        size = reader.unpack(reader.layout.PyVarObject, node.address)[2]
        if not 0 <= size <= 4096:
            raise DecodeError(node.address, "implausible tuple ob_size %d" % size)
        values = reader.words(node.address + reader.layout.PyTupleObject.ob_item, size)
    else:
        values = [_item_value(reader, node.address, info, item, class_attributes)
                  for item in items]
        if not tupled and values[0].__class__ is int and \
                reader.object_header(values[0])[1].flags & c.Py_TPFLAGS_TUPLE_SUBCLASS:
            raise DecodeError(node.address, "%%r of a single tuple formats its items")
    parts, edges = [], []
    position = 0
    arguments = iter(values)
    for match in FORMAT_SPEC.finditer(fmt):
        parts.append(fmt[position:match.start()])
        position = match.end()
        spec = match.group(1)
        if spec == "%":
            parts.append("%")
            continue
        value = next(arguments, None)
        if value is None:
            raise DecodeError(node.address, "the format needs more than %d values" % len(values))
        parts.append(_converted(reader, spec, value, edges))
    if next(arguments, None) is not None:
        raise DecodeError(node.address, "not all %d values formatted" % len(values))
    parts.append(fmt[position:])
    return parts, edges


def _item_value(reader, address, info, item, class_attributes):
    """An operand: an object address, or ("text", str) for a value computed here."""
    if item[0] == "id":
        return ("int", address)
    if item[0] == "class":
        if item[1] == "__name__":
            return ("text", info.short_name)
        if info.module is None:  # type_module of a heap type: __module__ is not a str
            raise DecodeError(address, "__module__ of %s is not a str" % info.name)
        return ("text", info.module)
    return _attribute(reader, address, info, item[1], class_attributes)


def _converted(reader, spec, value, edges):
    """One conversion: text, or the index of a child address in ``edges``."""
    if value.__class__ is tuple:
        kind, value = value
        if kind == "text" and spec == "s":
            return value
        if kind == "text" and spec == "r":  # PyString_Repr of the latin-1 text
            return ascii(value)
        if kind == "int" and spec in "rsdi":
            return str(value)
        if kind == "int" and spec == "x":
            return "%x" % value
        raise DecodeError(0, "%%%s of %s" % (spec, kind))
    if spec == "r":
        edges.append(value)
        return len(edges) - 1
    if spec == "s":
        text = _str_text(reader, value)
        if text is None:
            edges.append(value)
            return len(edges) - 1
        return text
    return _integer_text(reader, spec, value)


def _integer_text(reader, spec, address):
    """%d, %i, %x of PyString_Format: an int (or int subclass: formatint reads the value),
    an exact long or bool, or an exact float (PyNumber_Int truncates it); a long subclass
    goes through its own tp_str, not computed here."""
    info = reader.object_header(address)[1]
    kind = info.kind
    if kind not in ("int", "long", "bool", "float") or info.is_heap and kind != "int":
        raise DecodeError(address, "%%%s of a %s" % (spec, info.name))
    value = decode(reader, address).value
    if kind == "float":
        if value != value or value in (float("inf"), float("-inf")):
            raise DecodeError(address, "%%%s of %r" % (spec, value))
        value = int(value)
    return ("%x" if spec == "x" else "%d") % value


DECODERS = {"python_format": _python_format}

__all__ = ["DECODERS", "format_program"]
