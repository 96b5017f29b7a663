"""One logged call (``Event``) and the text of its log record.

A record is the strace-style call line (with the seconds since tracking began), the
Python stack of the thread when it runs Python code (outermost call first, as a
traceback), then the native backtrace one frame a line::

    #17 tid=4242 t=0.512003 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3a1c000000
        py  File "app.py", line 40, in <module>
        py  File "app.py", line 12, in load
        #0  0x00007f3a1d2e69b3 in __GI___mmap64 () at ../sysdeps/unix/sysv/linux/mmap64.c:58
        #1  0x0000555555555189 in make_map () at maps.c:12
        #2  0x00007f3a1d1f718a in ?? () from /lib/x86_64-linux-gnu/libc.so.6+0x2718a

A thread of a Python program without a Python stack says why in one ``py  (...)`` line
(``PY_NOTES``); records of programs with no Python in them have no ``py`` line.
"""

import math
import re
from dataclasses import dataclass

from . import syscalls

FRAME_INDENT = "    "
PY_PREFIX = "py  "
#: Why an event of a Python program has no Python stack.
PY_NOTES = {
    "not-started": "no Python stack: the interpreter is not running yet",
    "finalized": "no Python stack: the interpreter is gone (finalized)",
    "native-thread": "no Python stack: a native thread (no Python thread state)",
    "no-frame": "no Python stack: the thread runs no Python code now",
}
_CALL_LINE = re.compile(r"^#(\d+) tid=(\d+)(?: t=(\d+\.\d+))? (.*)$")
_PY_FRAME = re.compile(r'^File "(.*)", line (-?\d+), in (.*)$')
#: What a ``py`` line writes as ``\xHH``: control characters, the backslash, the double quote
#: (so that no name can end the file name early), and the bytes of a name that are not UTF-8
#: (surrogate escapes U+DC80-U+DCFF, see ``interp.pystacks``).
_UNSAFE = re.compile('[\x00-\x1f\x7f"\\\\\udc80-\udcff]')
_ESCAPED = re.compile(r"\\x([0-9a-f]{2})")


@dataclass(frozen=True)
class PyFrame:
    """One Python frame of an event's stack."""

    file: str
    line: int
    function: str

    def text(self):
        """``app.py:12 in load``: how reports name a frame."""
        return "%s:%d in %s" % (self.file, self.line, self.function)

    def log_line(self):
        return 'File "%s", line %d, in %s' % (_escape(self.file), self.line, _escape(self.function))


def parse_py_line(text):
    """The text after ``py  ``: a PyFrame, or the note (str) of an event without a stack."""
    match = _PY_FRAME.match(text)
    if match:
        return PyFrame(_unescape(match.group(1)), int(match.group(2)), _unescape(match.group(3)))
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1]
    raise ValueError("not a Python frame: %r" % text)


def _escape(text):
    return _UNSAFE.sub(lambda m: "\\x%02x" % (ord(m.group(0)) & 0xff), text)


def _unescape(text):
    return _ESCAPED.sub(_unescaped, text) if "\\" in text else text


def _unescaped(match):
    """``\\x0a`` is a newline; ``\\xff``, a byte that is not UTF-8 (a surrogate escape)."""
    code = int(match.group(1), 16)
    return chr(code if code < 0x80 else 0xdc00 + code)


@dataclass(frozen=True)
class Event:
    """A completed call: its order in the run, thread, arguments, result, backtrace lines,
    Python stack (``PyFrame``s, outermost first) or the note saying why there is none, and
    the seconds since tracking began (None in logs older than timestamps)."""

    seq: int
    tid: int
    name: str
    args: tuple
    result: int
    path: str = ""
    frames: tuple = ()
    python: tuple = ()
    python_note: str = ""
    time: float = None

    @property
    def failed(self):
        return syscalls.failed(self.name, self.result)

    def call_line(self):
        when = "" if self.time is None else " t=%.6f" % self.time
        return "#%d tid=%d%s %s" % (self.seq, self.tid, when,
                                    syscalls.format_call(self.name, self.args, self.result, self.path))

    def python_lines(self):
        """The ``py`` lines of the record, without indent."""
        if self.python:
            return [PY_PREFIX + frame.log_line() for frame in self.python]
        return [PY_PREFIX + "(%s)" % self.python_note] if self.python_note else []

    def record(self):
        lines = [self.call_line()] + [FRAME_INDENT + line for line in self.python_lines()]
        lines += [FRAME_INDENT + frame for frame in self.frames]
        return "\n".join(lines) + "\n"


def parse_call_line(line):
    """``#17 tid=4242 t=0.5 mmap(...) = ...`` -> Event without frames; ValueError otherwise."""
    fields = call_fields(line)
    return Event(*fields[:6], time=fields[6])


def call_fields(line):
    """(seq, tid, name, args, result, path, time) of a call line; ValueError if it is not one."""
    match = _CALL_LINE.match(line)
    if not match:
        raise ValueError("not a call line: %r" % line)
    name, args, result, path = syscalls.parse_call(match.group(4))
    when = float(match.group(3)) if match.group(3) else None
    if when is not None and not math.isfinite(when):
        raise ValueError("not a time: t=%s" % match.group(3)[:20])
    return int(match.group(1)), int(match.group(2)), name, args, result, path, when


def format_frame(level, location):
    """``#1  0x0000555555555189 in make_map () at maps.c:12`` (gdb's spacing)."""
    return "#%-2d %s" % (level, location)


def frame_location(pc, function=None, filename=None, line=None, module=None, offset=None):
    """The part of a frame line after its number, as gdb's ``backtrace`` writes it.

    Without a source line the frame names its module and the offset in it instead.
    """
    text = "0x%016x in %s ()" % (pc, function or "??")
    if filename and line:
        return "%s at %s:%d" % (text, filename, line)
    if module:
        return "%s from %s+%#x" % (text, module, offset or 0)
    return text


def module_offset(regions, pc):
    """(path, pc - load base) of the mapped file holding ``pc``, or (None, None).

    The load base is the lowest address at which that file is mapped.
    """
    path = next((r.path for r in regions if r.start <= pc < r.end), None)
    if not path or path.startswith("["):
        return None, None
    return path, pc - min(r.start for r in regions if r.path == path)
