"""Python frames: the ``f_back`` chain from a thread state, code names and line numbers."""

import weakref
from collections import namedtuple

from ..errors import DecodeError, MemoryReadError

#: A frame chain longer than this is cut (a corrupt ``f_back`` cycle is caught separately).
MAX_FRAMES = 10000

#: reader -> {code object address: what ``_code`` decoded}
_CODES = weakref.WeakKeyDictionary()

Frame = namedtuple("Frame", "address back code filename name line lasti "
                            "globals builtins locals code_fields")


def addr2line(lnotab, firstlineno, lasti):
    """The line of bytecode offset ``lasti``, as ``PyCode_Addr2Line`` computes it (2.7:
    ``co_lnotab`` is pairs of unsigned (address increment, line increment))."""
    line = firstlineno
    address = 0
    for index in range(0, len(lnotab) // 2 * 2, 2):
        address += lnotab[index]
        if address > lasti:
            break
        line += lnotab[index + 1]
    return line


def read_frame(reader, address):
    """The ``Frame`` at ``address``; DecodeError when it is not a frame object or its code
    is not a code object. The file and function names are decoration: ``?`` when damaged."""
    layout = reader.layout
    if not reader.is_exact(address, "frame"):
        reader.read(address, reader.head.size)  # an unreadable frame says so
        raise DecodeError(address, "not a frame object")
    frame = reader.fields(layout.PyFrameObject, address)
    code, filename, name, lnotab = _code(reader, frame["f_code"])
    lasti = frame["f_lasti"]
    if frame["f_trace"]:
        line = frame["f_lineno"]  # PyFrame_GetLineNumber: a traced frame keeps it current
    else:
        line = addr2line(lnotab, code["co_firstlineno"], lasti)
    return Frame(address, frame["f_back"], frame["f_code"], filename, name, line, lasti,
                 frame["f_globals"], frame["f_builtins"], frame["f_locals"], code)


def _code(reader, address):
    """``(fields, filename, name, co_lnotab bytes)`` of the code object at ``address``, decoded
    once per reader (one command's view: a code object does not change): a thousand
    greenlets or threads parked in the same functions share them."""
    known = _CODES.setdefault(reader, {})
    if address not in known:
        reader.expect(address, "code")
        code = reader.fields(reader.layout.PyCodeObject, address)
        known[address] = (code, reader.name_of(code["co_filename"]), reader.name_of(code["co_name"]),
                          reader.str_value(code["co_lnotab"]))
    return known[address]


def frame_chain(reader, address, limit=MAX_FRAMES):
    """``(frames, problem)``: frames from ``address`` along ``f_back``, innermost first;
    ``problem`` says why the chain stopped early (unreadable frame, cycle, limit), or None."""
    frames = []
    seen = set()
    while address:
        if address in seen:
            return frames, "f_back cycle at %#x" % address
        if len(frames) >= limit:
            return frames, "stopped after %d frames" % limit
        seen.add(address)
        try:
            frame = read_frame(reader, address)
        except (DecodeError, MemoryReadError) as error:
            return frames, "unreadable frame at %#x: %s" % (address, error)
        frames.append(frame)
        address = frame.back
    return frames, None

