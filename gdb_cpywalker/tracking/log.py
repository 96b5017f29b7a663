"""The mmaptracker log file: safe opening, header and end lines, reading it back.

A run is a header line, its event records (``events.Event.record``) and, once the
program is gone, an end line::

    mmaptracker log: pid=4242 mode=run started=2026-11-23T04:50:00Z program=/usr/bin/app
    #1 tid=4242 t=0.000021 brk(NULL) = 0x555555559000
        #0  0x00007ffff7fe4d2b in __brk () at ../sysdeps/unix/sysv/linux/brk.c:36
    mmaptracker end: events=1 exited with code 0

A run that began by attaching lists, after its header, the regions mapped before tracking
began, one ``mmaptracker before:`` line each in /proc/PID/maps form.

The default file lives in /tmp where others can predict its name, so the log is never
opened through a symbolic link nor written when another user owns the file.
"""

import collections
import dataclasses
import errno
import os
import pwd
import re
import stat

from ..errors import CpywalkerError
from ..procfs import maps_line, parse_maps_line
from .events import FRAME_INDENT, PY_PREFIX, Event, call_fields, parse_py_line

DEFAULT_PATH = "/tmp/mmaptracker.log"
ENVIRONMENT_VARIABLE = "MMAPTRACKER_LOG"
_HEADER = re.compile(r"^mmaptracker log: pid=(\d+) mode=(\w+) started=(\S+) program=(.*)$")
_END = "mmaptracker end: "
_BEFORE = "mmaptracker before: "


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
    #: ``procfs.Region``s mapped before tracking began (attach mode)
    before: list = dataclasses.field(default_factory=list)

    def header(self):
        return "mmaptracker log: pid=%d mode=%s started=%s program=%s\n" % (
            self.pid, self.mode, self.started, self.program)


def before_line(region):
    """The log line of one region mapped before tracking began, in /proc/PID/maps form."""
    return _BEFORE + maps_line(region) + "\n"


def chosen_path(setting="", environ=os.environ):
    """``set mmaptracker log`` if given, else $MMAPTRACKER_LOG, else /tmp/mmaptracker.log."""
    return setting or environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_PATH


def end_line(summary):
    return _END + summary + "\n"


class LogWriter:
    """An open log; each ``write`` goes straight to the file so it can be read live.

    The first write that fails (a full disk) cuts the file back to the end of its last
    whole record, so a reader never meets a cut record, and ends the writing: ``failure``
    says why. Only the end line is still tried then, in the room the cut freed; when even
    that does not fit, ``drop_last_record`` makes room.
    """

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self._fd = open_safely(self.path)
        self.failure = None
        self._size = 0
        #: where the last records written end (bytes), for ``drop_last_record``
        self._record_ends = collections.deque(maxlen=64)

    def write(self, text, last=False, record=False):
        """Append ``text`` (whole lines: a ``record``, or other lines); True when it is in the file."""
        if self._fd is None or (self.failure and not last):
            return False
        data = text.encode("utf-8", "surrogateescape")
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
        except OSError as error:
            self.failure = self.failure or error.strerror
            self._cut()
            return False
        self._size += len(data)
        if record:
            self._record_ends.append((self._size - len(data), self._size))
        return True

    def drop_last_record(self):
        """Cut the last record written off the file; False when none is left to drop."""
        if not self._record_ends:
            return False
        self._size = self._record_ends.pop()[0]
        self._cut()
        return True

    def _cut(self):
        try:
            os.ftruncate(self._fd, self._size)
            os.lseek(self._fd, self._size, os.SEEK_SET)
        except OSError:
            pass

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def open_safely(path):
    """A write descriptor on ``path``, emptied; LogError for a symlink, anything but a regular
    file (a FIFO would block the open forever), another user's file or one with other links."""
    _refuse_special(path, "refusing to log there")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     0o600)
    except OSError as error:
        if os.path.islink(path):
            raise LogError("refusing to write the log to %s: it is a symbolic link "
                           "(remove it, or choose another file with %s=FILE or "
                           "'set mmaptracker log FILE')" % (path, ENVIRONMENT_VARIABLE)) from None
        if error.errno == errno.ENXIO:  # a FIFO without a reader, planted after the lstat
            raise LogError(_not_regular(path, "a FIFO", "refusing to log there")) from None
        raise LogError("cannot open the log %s: %s" % (path, error.strerror)) from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise LogError(_not_regular(path, file_kind(status.st_mode), "refusing to log there"))
        if status.st_uid != os.geteuid():
            raise LogError("refusing to write the log to %s: it belongs to %s, not to you "
                           "(choose another file with %s=FILE or 'set mmaptracker log FILE')"
                           % (path, _user_name(status.st_uid), ENVIRONMENT_VARIABLE))
        if status.st_nlink > 1:
            raise LogError("refusing to write the log to %s: it has other hard links" % path)
        os.set_blocking(fd, True)
        os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_for_reading(path):
    """A binary file object on the log ``path``; LogError for anything but a regular file
    (reading a FIFO would wait for a writer forever)."""
    _refuse_special(path, "refusing to read a log from it", follow=True)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise LogError("cannot read the log %s: %s" % (path, error.strerror)) from None
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        os.close(fd)
        raise LogError(_not_regular(path, file_kind(status.st_mode), "refusing to read a log from it"))
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _refuse_special(path, refusal, follow=False):
    """LogError when ``path`` exists and is neither a regular file nor (unless ``follow``)
    a symbolic link, checked before any open (opening a FIFO can block)."""
    try:
        status = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return
    if not stat.S_ISREG(status.st_mode) and not stat.S_ISLNK(status.st_mode):
        raise LogError(_not_regular(path, file_kind(status.st_mode), refusal))


def _not_regular(path, kind, refusal):
    return "%s is not a regular file (%s): %s" % (path, kind, refusal)


def file_kind(mode):
    """``a FIFO``, ``a directory``...: what ``stat`` says a file is."""
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"),
                       (stat.S_ISREG, "a regular file")):
        if test(mode):
            return kind
    return "of mode %o" % stat.S_IFMT(mode)


def _user_name(uid):
    try:
        return "user %s (uid %d)" % (pwd.getpwuid(uid).pw_name, uid)
    except KeyError:
        return "uid %d" % uid


def parse_log(text, source="log", skipped=None):
    """Every run of a log text, in order. A line cut short at the end (a live log) is ignored.

    With a list as ``skipped``, a line that is not part of a log is noted there (``log
    line 7: not an mmaptracker record: ...``) and passed over, with the frames under it;
    without, it is a LogError.

    Built for 100,000-event logs: the text is cut at each record's call line, and the
    block of ``py`` and frame lines under it, which repeats from record to record, is
    parsed once per distinct block.
    """
    reader = _LogReader(source, skipped)
    text = text[:text.rfind("\n") + 1]
    chunks = text.split("\n#")
    reader.lines(chunks[0].split("\n"), 1)
    number = chunks[0].count("\n") + 2
    for chunk in chunks[1:]:
        reader.record(chunk, number)
        number += chunk.count("\n") + 1
    return reader.runs


#: The end of a block of indented lines: a line that does not start with a space.
_UNINDENTED = re.compile(r"\n[^ ]")


class _LogReader:
    """The runs read so far, and the blocks of stack lines already parsed."""

    def __init__(self, source, skipped):
        self.runs = []
        self.source = source
        self.skipped = skipped
        self._blocks = {}

    def record(self, chunk, number):
        """One call line (``chunk`` starts after its ``#``), its block, then any other lines."""
        head, _, body = chunk.partition("\n")
        if body[:1] not in (" ", ""):
            tail = 0
        else:
            unindented = _UNINDENTED.search(body)
            tail = unindented.start() + 1 if unindented else len(body)
        try:
            if not self.runs:
                raise LogError("no 'mmaptracker log:' header before it")
            try:
                fields = call_fields("#" + head)
            except ValueError:
                raise LogError("not an mmaptracker record: %r" % ("#" + head)[:120]) from None
            stacks = self._blocks.get(body[:tail])
            if stacks is None:
                stacks = self._blocks[body[:tail]] = _stacks(body[:tail])
            self.runs[-1].events.append(Event(*fields[:6], *stacks, fields[6]))
        except (LogError, ValueError) as error:
            self._problem(number, error)
        self.lines(body[tail:].split("\n"), number + 1 + body[:tail].count("\n"))

    def lines(self, lines, number):
        for offset, line in enumerate(lines):
            if line:
                try:
                    self._line(line)
                except (LogError, ValueError) as error:
                    self._problem(number + offset, error)

    def _line(self, line):
        header = _HEADER.match(line)
        if header:
            pid, mode, started, program = header.groups()
            self.runs.append(Run(int(pid), mode, started, program))
        elif not self.runs:
            raise LogError("no 'mmaptracker log:' header before it")
        elif line.startswith(_END):
            self.runs[-1].end = line[len(_END):]
        elif line.startswith(_BEFORE):
            self.runs[-1].before.append(parse_maps_line(line[len(_BEFORE):]))
        else:
            raise LogError("not an mmaptracker record: %r" % line[:120])

    def _problem(self, number, error):
        problem = "%s line %d: %s" % (self.source, number, error)
        if self.skipped is None:
            raise LogError(problem) from None
        self.skipped.append(problem)


def _stacks(block):
    """``(native frames, Python frames, note)`` of the indented lines under a call line."""
    frames, python, note = [], [], ""
    for line in block.split("\n"):
        if not line:
            continue
        body = line[len(FRAME_INDENT):]
        if body.startswith(PY_PREFIX):
            item = parse_py_line(body[len(PY_PREFIX):])
            if isinstance(item, str):
                note = note or item
            else:
                python.append(item)
        else:
            frames.append(body)
    return tuple(frames), () if note else tuple(python), note


def read_log(path, skipped=None):
    """The runs of the log file ``path`` (see ``parse_log`` for ``skipped``)."""
    with open_for_reading(path) as handle:
        try:
            data = handle.read()
        except OSError as error:
            raise LogError("cannot read the log %s: %s" % (path, error.strerror)) from None
    return parse_log(data.decode("utf-8", "surrogateescape"), path, skipped)


def run_of(runs, pid, source="log"):
    """The last run of ``pid`` in ``runs``; LogError naming the pids the log has otherwise."""
    for run in reversed(runs):
        if run.pid == pid:
            return run
    logged = ", ".join(str(run.pid) for run in runs) or "none"
    raise LogError("%s has no run for pid %d (pids logged: %s)" % (source, pid, logged))
