"""One logged call (``Event``) and the text of its log record.

A record is the strace-style call line, then its backtrace one frame a line::

    #17 tid=4242 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3a1c000000
        #0  0x00007f3a1d2e69b3 in __GI___mmap64 () at ../sysdeps/unix/sysv/linux/mmap64.c:58
        #1  0x0000555555555189 in make_map () at maps.c:12
        #2  0x00007f3a1d1f718a in ?? () from /lib/x86_64-linux-gnu/libc.so.6+0x2718a
"""

import re
from dataclasses import dataclass

from . import syscalls

FRAME_INDENT = "    "
_CALL_LINE = re.compile(r"^#(\d+) tid=(\d+) (.*)$")


@dataclass(frozen=True)
class Event:
    """A completed call: its order in the run, thread, arguments, result, backtrace lines."""

    seq: int
    tid: int
    name: str
    args: tuple
    result: int
    path: str = ""
    frames: tuple = ()

    @property
    def failed(self):
        return syscalls.failed(self.name, self.result)

    def call_line(self):
        return "#%d tid=%d %s" % (self.seq, self.tid,
                                  syscalls.format_call(self.name, self.args, self.result, self.path))

    def record(self):
        return "".join([self.call_line(), "\n"] + [FRAME_INDENT + frame + "\n" for frame in self.frames])


def parse_call_line(line):
    """``#17 tid=4242 mmap(...) = ...`` -> Event without frames; ValueError otherwise."""
    match = _CALL_LINE.match(line)
    if not match:
        raise ValueError("not a call line: %r" % line)
    name, args, result, path = syscalls.parse_call(match.group(3))
    return Event(int(match.group(1)), int(match.group(2)), name, args, result, path)


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
