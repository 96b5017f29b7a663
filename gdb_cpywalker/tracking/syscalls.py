"""The five memory-mapping system calls of x86_64 Linux, as strace writes them and back.

``format_call("mmap", args, result, path)`` gives
``mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3a1c000000``
and ``parse_call`` reads exactly that text back. Arguments are kept normalized
(``normalize_args``): unused registers dropped, a file descriptor as a signed int.
"""

import errno
import os
import re

#: x86_64 system call numbers of the calls we track.
NUMBERS = {"mmap": 9, "mprotect": 10, "munmap": 11, "brk": 12, "mremap": 25}
NAMES = {number: name for name, number in NUMBERS.items()}

PROT_FLAGS = (("PROT_READ", 0x1), ("PROT_WRITE", 0x2), ("PROT_EXEC", 0x4), ("PROT_SEM", 0x8),
              ("PROT_GROWSDOWN", 0x01000000), ("PROT_GROWSUP", 0x02000000))
MAP_TYPES = (("MAP_SHARED", 0x1), ("MAP_PRIVATE", 0x2), ("MAP_SHARED_VALIDATE", 0x3))
MAP_TYPE_MASK = 0xf
MAP_FLAGS = (("MAP_FIXED", 0x10), ("MAP_ANONYMOUS", 0x20), ("MAP_32BIT", 0x40),
             ("MAP_GROWSDOWN", 0x100), ("MAP_DENYWRITE", 0x800), ("MAP_EXECUTABLE", 0x1000),
             ("MAP_LOCKED", 0x2000), ("MAP_NORESERVE", 0x4000), ("MAP_POPULATE", 0x8000),
             ("MAP_NONBLOCK", 0x10000), ("MAP_STACK", 0x20000), ("MAP_HUGETLB", 0x40000),
             ("MAP_SYNC", 0x80000), ("MAP_FIXED_NOREPLACE", 0x100000),
             ("MAP_UNINITIALIZED", 0x4000000))
MREMAP_FLAGS = (("MREMAP_MAYMOVE", 0x1), ("MREMAP_FIXED", 0x2), ("MREMAP_DONTUNMAP", 0x4))
MAP_ANONYMOUS = 0x20
_ZERO_FLAGS = {PROT_FLAGS: "PROT_NONE", MAP_FLAGS: "MAP_FILE"}
MREMAP_FIXED = 0x2
MREMAP_DONTUNMAP = 0x4

#: How each argument is written: an address, a size, flags of a table, a descriptor, an offset.
_ARGUMENTS = {
    "mmap": ("addr", "size", "prot", "map", "fd", "offset"),
    "munmap": ("addr", "size"),
    "mprotect": ("addr", "size", "prot"),
    "mremap": ("addr", "size", "size", "mremap", "addr"),
    "brk": ("addr",),
}
_ADDRESS_RESULT = ("mmap", "mremap", "brk")
_MASK64 = (1 << 64) - 1
_CALL = re.compile(r"^(\w+)\((.*)\) = (.+)$")
_ERROR_RESULT = re.compile(r"^-1 ([A-Z0-9]+)(?: \(.*\))?$")
_FD = re.compile(r"^(-?\d+)(?:<(.*)>)?$")
_PATH_ESCAPE = re.compile(rb"\\x([0-9a-f]{2})")
_PLAIN_PATH_BYTES = frozenset(range(0x20, 0x7f)) - frozenset(b"\\>,")


def arity(name):
    return len(_ARGUMENTS[name])


def takes_fd(name, args):
    """Whether the call maps a file: ``mmap`` with a descriptor and without MAP_ANONYMOUS."""
    return name == "mmap" and args[4] >= 0 and not args[3] & MAP_ANONYMOUS


def normalize_args(name, registers):
    """The call's arguments from its six argument registers (unsigned 64-bit values)."""
    args = [value & _MASK64 for value in registers[:arity(name)]]
    if name == "mmap":
        args[4] = _signed32(args[4])
    elif name == "mremap" and not args[3] & MREMAP_FIXED:
        args[4] = 0
    return tuple(args)


def signed_result(value):
    """rax as the kernel meant it: negative errno values come back negative."""
    value &= _MASK64
    return value - (1 << 64) if value >> 63 else value


def failed(name, result):
    """brk never fails with an errno (it returns the old break); the others return -errno."""
    return name != "brk" and -4095 <= result < 0


def format_call(name, args, result, path=""):
    """One strace-style call with its result; ``path`` names the file a descriptor refers to."""
    text = ", ".join(_format_argument(kind, value, path)
                     for kind, value in zip(_ARGUMENTS[name], _shown_args(name, args)))
    return "%s(%s) = %s" % (name, text, _format_result(name, result))


def parse_call(text):
    """``mmap(...) = 0x...`` -> (name, args, result, path); ValueError if it is not one."""
    match = _CALL.match(text)
    if not match or match.group(1) not in _ARGUMENTS:
        raise ValueError("not a tracked call: %r" % text)
    name, arguments, result = match.groups()
    parsed = _parsed_arguments.get((name, arguments))
    if parsed is None:
        parsed = _parse_arguments(name, arguments, text)
        if len(_parsed_arguments) < 65536:
            _parsed_arguments[(name, arguments)] = parsed
    return name, parsed[0], _parse_result(result), parsed[1]


#: (name, argument text) -> (args, path): mmap's arguments repeat from call to call.
_parsed_arguments = {}


def _parse_arguments(name, arguments, text):
    kinds = _ARGUMENTS[name]
    words = arguments.split(", ")
    if name == "mremap" and len(words) == 4:
        words.append("NULL")
    if len(words) != len(kinds):
        raise ValueError("%s takes %d arguments: %r" % (name, len(kinds), text))
    args, path = [], ""
    for kind, word in zip(kinds, words):
        value, word_path = _parse_argument(kind, word)
        args.append(value)
        path = path or word_path
    return tuple(args), path


def format_flags(value, table, type_table=()):
    """``PROT_READ|PROT_WRITE``; bits no name covers are kept as hex; 0 is ``PROT_NONE``,
    ``MAP_FILE`` (as strace writes mmap flags 0) or ``0``."""
    names = []
    rest = value
    if type_table:
        kind = value & MAP_TYPE_MASK
        for name, bits in type_table:
            if kind == bits:
                names.append(name)
                rest &= ~MAP_TYPE_MASK
    for name, bits in table:
        if rest & bits == bits:
            names.append(name)
            rest &= ~bits
    if rest:
        names.append("%#x" % rest)
    if not names:
        return _ZERO_FLAGS.get(table, "0")
    return "|".join(names)


def parse_flags(text, table, type_table=()):
    """``format_flags``'s inverse (each distinct text is parsed once)."""
    key = (text, table, type_table)
    value = _parsed_flags.get(key)
    if value is None:
        known = dict(table + tuple(type_table))
        known.update({name: 0 for name in _ZERO_FLAGS.values()})
        value = 0
        for word in text.split("|"):
            value |= known[word] if word in known else _word(int(word, 0))
        if len(_parsed_flags) < 4096:
            _parsed_flags[key] = value
    return value


_parsed_flags = {}


def escape_path(path):
    """Bytes a log line cannot hold plainly (controls, non-ASCII, ``\\``, ``>``, ``,``) as ``\\xHH``."""
    return "".join(chr(byte) if byte in _PLAIN_PATH_BYTES else "\\x%02x" % byte
                   for byte in os.fsencode(path))


def unescape_path(text):
    return os.fsdecode(_PATH_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode()))


def _signed32(value):
    value &= 0xffffffff
    return value - (1 << 32) if value >> 31 else value


def _shown_args(name, args):
    if name == "mremap" and not args[3] & MREMAP_FIXED:
        return args[:4]
    return args


def _format_argument(kind, value, path):
    if kind == "addr":
        return "%#x" % value if value else "NULL"
    if kind == "size":
        return "%d" % value
    if kind == "prot":
        return format_flags(value, PROT_FLAGS)
    if kind == "map":
        return format_flags(value, MAP_FLAGS, MAP_TYPES)
    if kind == "mremap":
        return format_flags(value, MREMAP_FLAGS)
    if kind == "fd":
        return "%d<%s>" % (value, escape_path(path)) if value >= 0 and path else "%d" % value
    return "%#x" % value if value else "0"


def _word(value):
    """A register's value: 0 <= value < 2**64, else ValueError (a log holds no other)."""
    if not 0 <= value <= _MASK64:
        raise ValueError("%d does not fit in 64 bits" % value)
    return value


def _parse_argument(kind, word):
    if kind == "addr":
        return (0 if word == "NULL" else _word(int(word, 16))), ""
    if kind == "size":
        return _word(int(word)), ""
    if kind == "prot":
        return parse_flags(word, PROT_FLAGS), ""
    if kind == "map":
        return parse_flags(word, MAP_FLAGS, MAP_TYPES), ""
    if kind == "mremap":
        return parse_flags(word, MREMAP_FLAGS), ""
    if kind == "fd":
        match = _FD.match(word)
        if not match:
            raise ValueError("not a file descriptor: %r" % word)
        return int(match.group(1)), unescape_path(match.group(2) or "")
    return _word(int(word, 0)), ""


def _format_result(name, result):
    if failed(name, result):
        code = -result
        return "-1 %s (%s)" % (errno.errorcode.get(code, "E%d" % code), os.strerror(code))
    return "%#x" % result if name in _ADDRESS_RESULT else "%d" % result


def _parse_result(text):
    match = _ERROR_RESULT.match(text)
    if match:
        code = match.group(1)
        number = getattr(errno, code, None)
        return -(number if number is not None else int(code[1:]))
    return _word(int(text, 0))
