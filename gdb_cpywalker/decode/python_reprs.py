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
"""

import re
import struct

from ..errors import DecodeError
from .objects import (SCALAR_KINDS, decode, dict_lookup_str, instance_dict_address,
                      slot_members)

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
    """(format, items) of the ``__repr__`` that ``owner``'s dict holds, or None when it is
    not ``return CONST % OPERAND`` as described above."""
    function = decode(reader, dict_lookup_str(reader, owner.dict, b"__repr__"))
    if function.kind != "function":
        return None
    F = reader.layout.PyFunctionObject
    code = reader.fields(reader.layout.PyCodeObject, reader.word(function.address + F.func_code))
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
    fmt = decode(reader, consts.edges[1]) if consts.kind == "tuple" and len(consts.edges) > 1 \
        else None
    if fmt is None or fmt.kind != "str":
        return None
    text = fmt.value.decode("latin-1")
    specs = [spec for spec in FORMAT_SPEC.findall(text)]
    if any(spec not in CONVERSIONS for spec in specs):
        return None
    if items == [("self",)]:
        return text, items  # a tuple formatting its own items
    if ("self",) in items or sum(spec != "%" for spec in specs) != len(items):
        return None
    return text, items


def _attribute(reader, address, info, name):
    """The address of ``self.NAME`` as PyObject_GenericGetAttr finds it, when no
    descriptor of the class can intervene; else DecodeError."""
    mro = decode(reader, info.mro)
    class_value = None
    for base in mro.edges if mro.kind == "tuple" else []:
        value = dict_lookup_str(reader, reader.type_info(base).dict, name.encode("latin-1"))
        if value:
            class_value = decode(reader, value)
            break
    if class_value is not None and class_value.kind == "member_descriptor":
        for slot_name, offset in slot_members(reader, info):
            if slot_name == name:
                slot = reader.word(address + offset)
                if not slot:
                    raise DecodeError(address, "slot %s is empty" % name)
                return slot
    if class_value is not None and class_value.kind not in PLAIN_CLASS_VALUES:
        raise DecodeError(address, "attribute %s is a %s of the class" % (name, class_value.kind))
    dict_pointer = instance_dict_address(reader, address, info)
    value = dict_lookup_str(reader, reader.word(dict_pointer), name.encode("latin-1")) \
        if dict_pointer else 0
    if value:
        return value
    if class_value is not None:
        return class_value.address
    raise DecodeError(address, "no attribute %s" % name)


def _str_owner(reader, node):
    """tp_name of the first class of the object's MRO whose dict defines __str__."""
    mro = decode(reader, reader.type_info(node.type_address).mro)
    for base in mro.edges if mro.kind == "tuple" else []:
        base_info = reader.type_info(base)
        if dict_lookup_str(reader, base_info.dict, b"__str__"):
            return base_info.name
    return None


def _str_text(reader, address):
    """str() of the object at ``address`` for the kinds whose str() is known."""
    node = decode(reader, address)
    if node.kind in ("instance", "generic") and _str_owner(reader, node) == "object":
        return None  # object_str is repr(): streamed as a child
    if node.kind not in STR_KINDS:
        raise DecodeError(address, "%%s of a %s" % node.kind)
    if node.kind == "str":
        return node.value.decode("latin-1")
    if node.kind == "unicode":
        if not node.value.isascii():
            raise DecodeError(address, "%s of a non-ASCII unicode")
        return node.value
    if node.kind == "type":
        return None  # str(type) is repr(type): streamed as a child
    if node.kind == "none":
        return "None"
    return str(node.value)


def _python_format(reader, node, info, max_items):
    """The parts of ``FORMAT % OPERAND``: text, and child addresses for %r (and %s of a
    type)."""
    fmt, items = info.detail
    if items == [("self",)]:
        size = reader.unpack(reader.layout.PyVarObject, node.address)[2]
        if not 0 <= size <= 4096:
            raise DecodeError(node.address, "implausible tuple ob_size %d" % size)
        values = reader.words(node.address + reader.layout.PyTupleObject.ob_item, size)
    else:
        values = [_item_value(reader, node.address, info, item) for item in items]
        if len(items) == 1 and values[0].__class__ is int and \
                decode(reader, values[0]).kind == "tuple":
            raise DecodeError(node.address, "%r % a tuple formats its items" % fmt)
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
            raise DecodeError(node.address, "%r needs more than %d values" % (fmt, len(values)))
        parts.append(_converted(reader, spec, value, edges))
    if next(arguments, None) is not None:
        raise DecodeError(node.address, "not all %d values formatted by %r" % (len(values), fmt))
    parts.append(fmt[position:])
    node.value = parts
    node.edges = edges
    node.info = {"labels": []}


def _item_value(reader, address, info, item):
    """An operand: an object address, or ("text", str) for a value computed here."""
    if item[0] == "id":
        return ("int", address)
    if item[0] == "class":
        return ("text", info.short_name if item[1] == "__name__" else info.module or "")
    return _attribute(reader, address, info, item[1])


def _converted(reader, spec, value, edges):
    """One conversion: text, or the index of a child address in ``edges``."""
    if value.__class__ is tuple:
        kind, value = value
        if kind == "text" and spec == "s":
            return value
        if kind == "text" and spec == "r":
            return "'%s'" % value if "'" not in value else repr(value)
        if kind == "int" and spec in "sdi":
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
    node = decode(reader, value)
    if node.kind not in ("int", "long", "bool"):
        raise DecodeError(value, "%%%s of a %s" % (spec, node.kind))
    return ("%x" if spec == "x" else "%d") % node.value


DECODERS = {"python_format": _python_format}

__all__ = ["DECODERS", "format_program"]
