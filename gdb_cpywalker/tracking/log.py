"""The mmaptracker log file: safe opening, header and end lines, reading it back.

A run is a header line, its event records (``events.Event.record``) and, once the
program is gone, an end line::

    mmaptracker log: pid=4242 mode=run started=2026-11-23T04:50:00Z program=/usr/bin/app
    #1 tid=4242 brk(NULL) = 0x555555559000
        #0  0x00007ffff7fe4d2b in __brk () at ../sysdeps/unix/sysv/linux/brk.c:36
    mmaptracker end: events=1 exited with code 0

The default file lives in /tmp where others can predict its name, so the log is never
opened through a symbolic link nor written when another user owns the file.
"""

import dataclasses
import os
import pwd
import re
import stat

from ..errors import CpywalkerError
from .events import FRAME_INDENT, parse_call_line

DEFAULT_PATH = "/tmp/mmaptracker.log"
ENVIRONMENT_VARIABLE = "MMAPTRACKER_LOG"
_HEADER = re.compile(r"^mmaptracker log: pid=(\d+) mode=(\w+) started=(\S+) program=(.*)$")
_END = "mmaptracker end: "


class LogError(CpywalkerError):
    """The log cannot be written safely, or a file is not an mmaptracker log."""


@dataclasses.dataclass
class Run:
    """One tracked process as the log tells it."""

    pid: int
    mode: str
    started: str
    program: str
    events: list = dataclasses.field(default_factory=list)
    end: str = ""

    def header(self):
        return "mmaptracker log: pid=%d mode=%s started=%s program=%s\n" % (
            self.pid, self.mode, self.started, self.program)


def chosen_path(setting="", environ=os.environ):
    """``set mmaptracker log`` if given, else $MMAPTRACKER_LOG, else /tmp/mmaptracker.log."""
    return setting or environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_PATH


def end_line(summary):
    return _END + summary + "\n"


class LogWriter:
    """An open log; each ``write`` goes straight to the file so it can be read live."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self._fd = open_safely(self.path)
        self.failure = None

    def write(self, text):
        """Append ``text``; the first failure (disk full) is a LogError, later writes are
        dropped so that one full disk is one message, not one per event."""
        if self.failure:
            return
        data = text.encode("utf-8", "surrogateescape")
        try:
            while data:
                data = data[os.write(self._fd, data):]
        except OSError as error:
            self.failure = "cannot write the log %s: %s; nothing more is written to it" % (
                self.path, error.strerror)
            raise LogError(self.failure) from None

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def open_safely(path):
    """A write descriptor on ``path``, emptied; LogError for a symlink or another user's file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        if os.path.islink(path):
            raise LogError("refusing to write the log to %s: it is a symbolic link "
                           "(remove it, or choose another file with %s=FILE or "
                           "'set mmaptracker log FILE')" % (path, ENVIRONMENT_VARIABLE)) from None
        raise LogError("cannot open the log %s: %s" % (path, error.strerror)) from None
    try:
        status = os.fstat(fd)
        if status.st_uid != os.geteuid():
            raise LogError("refusing to write the log to %s: it belongs to %s, not to you "
                           "(choose another file with %s=FILE or 'set mmaptracker log FILE')"
                           % (path, _user_name(status.st_uid), ENVIRONMENT_VARIABLE))
        if not stat.S_ISREG(status.st_mode):
            raise LogError("refusing to write the log to %s: not a regular file" % path)
        if status.st_nlink > 1:
            raise LogError("refusing to write the log to %s: it has other hard links" % path)
        os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _user_name(uid):
    try:
        return "user %s (uid %d)" % (pwd.getpwuid(uid).pw_name, uid)
    except KeyError:
        return "uid %d" % uid


def parse_log(text, source="log"):
    """Every run of a log text, in order. A line cut short at the end (a live log) is ignored."""
    runs = []
    lines = text.split("\n")
    if lines and lines[-1]:
        lines.pop()
    frames = []
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        if line.startswith(FRAME_INDENT) and runs and runs[-1].events:
            frames.append(line[len(FRAME_INDENT):])
            continue
        _attach_frames(runs, frames)
        header = _HEADER.match(line)
        if header:
            pid, mode, started, program = header.groups()
            runs.append(Run(int(pid), mode, started, program))
        elif not runs:
            raise LogError("%s line %d: no 'mmaptracker log:' header before it" % (source, number))
        elif line.startswith(_END):
            runs[-1].end = line[len(_END):]
        else:
            try:
                runs[-1].events.append(parse_call_line(line))
            except ValueError:
                raise LogError("%s line %d: not an mmaptracker record: %r"
                               % (source, number, line[:120])) from None
    _attach_frames(runs, frames)
    return runs


def _attach_frames(runs, frames):
    """Give the frame lines read so far to the last event, and empty ``frames``."""
    if frames:
        runs[-1].events[-1] = dataclasses.replace(runs[-1].events[-1], frames=tuple(frames))
        frames.clear()


def read_log(path):
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            return parse_log(handle.read(), path)
    except OSError as error:
        raise LogError("cannot read the log %s: %s" % (path, error.strerror)) from None


def run_of(runs, pid, source="log"):
    """The last run of ``pid`` in ``runs``; LogError naming the pids the log has otherwise."""
    for run in reversed(runs):
        if run.pid == pid:
            return run
    logged = ", ".join(str(run.pid) for run in runs) or "none"
    raise LogError("%s has no run for pid %d (pids logged: %s)" % (source, pid, logged))
