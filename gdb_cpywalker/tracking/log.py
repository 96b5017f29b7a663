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


#: The log is read by blocks of this size: memory stays bounded whatever the file holds.
BLOCK = 1 << 20
#: A longer line is not one the tracker writes: it is skipped without being kept.
MAX_LINE = 1 << 20
#: A file whose first PREAMBLE bytes hold no header is not an mmaptracker log: reading stops.
PREAMBLE = 1 << 20
#: Distinct stack blocks parsed once and reused (they repeat from record to record).
_KNOWN_BLOCKS = 65536
#: Problems named in full (consecutive lines with the same problem as one); the others are counted.
NAMED_SKIPS = 5


def parse_log(text, source="log", skipped=None):
    """Every run of a log text, in order. A line cut short at the end (a live log) is ignored,
    and noted when ``skipped`` is given.

    With a list as ``skipped``, lines that are not part of a log are passed over, with the
    frames under them, and said there in a few lines (``log lines 7-9 (3 lines): not an
    mmaptracker record: ...``); without, the first one is a LogError.
    """
    reader = _LogReader(source, skipped is not None)
    whole = text.rfind("\n") + 1
    reader.segment(text[:whole])
    reader.finish(text[whole:], skipped)
    return reader.runs


def read_log(path, skipped=None):
    """The runs of the log file ``path`` (see ``parse_log`` for ``skipped``), read by blocks:
    whatever the file holds (a 2 GB sparse file, a line of 10 MB), memory stays bounded, and
    a file with no header in its first megabyte is refused without reading the rest."""
    with open_for_reading(path) as handle:
        reader = _LogReader(path, skipped is not None)
        try:
            rest = reader.read(handle)
        except OSError as error:
            raise LogError("cannot read the log %s: %s" % (path, error.strerror)) from None
    reader.finish(rest, skipped)
    return reader.runs


#: The end of a block of indented lines: a line that does not start with a space.
_UNINDENTED = re.compile(r"\n[^ ]")


def _text(data):
    return data.decode("utf-8", "surrogateescape")


class _LogReader:
    """The runs read so far, the line number reached, the blocks of stack lines already
    parsed, and what was skipped.

    Built for 100,000-event logs: a text is cut at each record's call line, and the block
    of ``py`` and frame lines under it, which repeats from record to record, is parsed once
    per distinct block.
    """

    def __init__(self, source, tolerant):
        self.runs = []
        self.source = source
        self.tolerant = tolerant
        self.number = 1
        self.skips = _Skips(source)
        self._blocks = {}

    def read(self, handle):
        """Read the file by blocks, each cut where a record begins; returns the last line if
        it has no end of line."""
        pending = b""
        read = 0
        while True:
            block = handle.read(BLOCK)
            if not block:
                whole = pending.rfind(b"\n") + 1
                self.segment(_text(pending[:whole]))
                return _text(pending[whole:])
            read += len(block)
            data = pending + block if pending else block
            cut = _record_start(data)
            self.segment(_text(data[:cut]))
            pending = data[cut:]
            if len(pending) > MAX_LINE:
                newline = pending.rfind(b"\n") + 1
                if len(pending) - newline > MAX_LINE:  # its last line alone: skipped, unread
                    self._problem(self.number + pending.count(b"\n", 0, newline),
                                  "a line of more than %d bytes" % MAX_LINE)
                    if not self.runs:
                        raise self._not_a_log()
                    _skip_line(handle)
                    # a blank line keeps the numbers, an indented one the record around it
                    indented = pending[newline:newline + 1] == b" "
                    pending = pending[:newline] + (b"    \n" if indented else b"\n")
                else:  # a record too big to be one: cut at its last whole line
                    self.segment(_text(pending[:newline]))
                    pending = pending[newline:]
            if not self.runs and read > PREAMBLE:
                raise self._not_a_log()

    def _not_a_log(self):
        return LogError("%s is not an mmaptracker log: no 'mmaptracker log:' header in its first %d "
                        "bytes%s" % (self.source, PREAMBLE, self.skips.first()))

    def segment(self, text):
        """Whole lines, starting at line ``self.number``, that no record straddles."""
        if not text:
            return
        chunks = ("\n" + text).split("\n#")
        number = self.number
        self.lines(chunks[0].split("\n")[1:], number)
        number += chunks[0].count("\n")
        for chunk in chunks[1:]:
            self.record(chunk, number)
            number += chunk.count("\n") + 1
        self.number = number - 1

    def finish(self, rest, skipped):
        """The end of the file: ``rest``, a last line without end of line, is noted; the notes go
        to ``skipped``."""
        if rest and self.tolerant:
            self._problem(self.number, "cut short at the end of the file (%d bytes without an end "
                                       "of line): ignored" % len(rest.encode("utf-8", "surrogateescape")))
        if skipped is not None:
            skipped.extend(self.skips.notes())

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
            block = body[:tail]
            stacks = self._blocks.get(block)
            if stacks is None:
                stacks = _stacks(block)
                if len(self._blocks) < _KNOWN_BLOCKS:
                    self._blocks[block] = stacks
            self.runs[-1].events.append(Event(*fields[:6], *stacks, fields[6]))
        except (LogError, ValueError) as error:
            self._problem(number, error, number + body[:tail].rstrip("\n").count("\n") + bool(tail))
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

    def _problem(self, number, error, last=None):
        """Line ``number`` (to line ``last``: a record and its stack lines) is no log's."""
        if not self.tolerant:
            raise LogError("%s line %d: %s" % (self.source, number, error)) from None
        self.skips.add(number, last or number, str(error))


def _record_start(data):
    """Where the last line of ``data`` that starts a record (or any unindented line) begins,
    past the first byte; 0 when none does."""
    end = len(data)
    while True:
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            return 0
        if newline + 1 < len(data) and data[newline + 1] != 0x20:
            return newline + 1
        end = newline


def _skip_line(handle):
    """Read up to the end of the current line (or of the file)."""
    while True:
        block = handle.read(BLOCK)
        newline = block.find(b"\n")
        if newline >= 0:
            handle.seek(newline + 1 - len(block), os.SEEK_CUR)
        if newline >= 0 or not block:
            return


class _Skips:
    """The lines a reader passed over, in a few notes whatever their number: consecutive
    lines with the same problem make one note, the first ``NAMED_SKIPS`` notes are kept."""

    def __init__(self, source):
        self.source = source
        self.ranges = []  # [first line, last line, problem]
        self.more = 0

    def add(self, first, last, problem):
        kind = _kind(problem)
        if self.ranges and first - 1 <= self.ranges[-1][1] and _kind(self.ranges[-1][2]) == kind:
            self.ranges[-1][1] = last
        elif len(self.ranges) < NAMED_SKIPS:
            self.ranges.append([first, last, problem])
        else:
            self.more += last - first + 1

    def first(self):
        return " (%s)" % self.notes()[0] if self.ranges else ""

    def notes(self):
        notes = []
        for first, last, problem in self.ranges:
            if first == last:
                notes.append("%s line %d: %s" % (self.source, first, problem))
            else:
                notes.append("%s lines %d-%d (%d lines): %s" % (self.source, first, last,
                                                               last - first + 1, problem))
        if self.more:
            notes.append("%d more lines of %s skipped" % (self.more, self.source))
        return notes


def _kind(problem):
    """What a problem is, without the line it quotes."""
    return problem.split(": ", 1)[0]


def _stacks(block):
    """``(native frames, Python frames, note)`` of the indented lines under a call line."""
    frames, python, note = [], [], ""
    for line in block.split("\n"):
        body = line[len(FRAME_INDENT):]
        if not body:  # a blank line, or where a line too long to read was
            continue
        if body.startswith(PY_PREFIX):
            item = parse_py_line(body[len(PY_PREFIX):])
            if isinstance(item, str):
                note = note or item
            else:
                python.append(item)
        else:
            frames.append(body)
    return tuple(frames), () if note else tuple(python), note


def run_of(runs, pid, source="log"):
    """The last run of ``pid`` in ``runs``; LogError naming the pids the log has otherwise."""
    for run in reversed(runs):
        if run.pid == pid:
            return run
    logged = ", ".join(str(run.pid) for run in runs) or "none"
    raise LogError("%s has no run for pid %d (pids logged: %s)" % (source, pid, logged))
