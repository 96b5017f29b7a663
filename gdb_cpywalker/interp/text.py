"""Threads, frames and names as text: Python's traceback form, one value per line.

Every value line carries the object's type and address so that ``py-walk ADDR`` can
follow it; the repr comes from ``decode.repr_at``, cut at the caller's width.
"""

import codecs
import os
import re

from ..decode import Budgets, repr_at
from ..errors import CpywalkerError
from .namespaces import frame_globals, frame_locals, is_module_frame


def backtrace(process, threads, sources, show_locals=False, width=None, native=lambda thread: None):
    """The lines of ``py-bt``: per thread a header and its traceback, outermost call first."""
    for thread in threads:
        yield thread_header(thread, native(thread))
        yield from traceback_lines(process.reader, process.stack(thread), sources, show_locals, width)
        yield ""


def traceback_lines(reader, stack, sources, show_locals=False, width=None):
    """One ``(frames, problem)`` stack as a traceback, outermost call first."""
    frames, problem = stack
    if frames:
        yield "Traceback (most recent call last):"
    elif not problem:
        yield "  (no Python frame)"
    for frame in reversed(frames):
        yield from frame_lines(frame, sources)
        if show_locals:
            yield from locals_lines(reader, frame, width, indent="        ")
    if problem:
        yield "  (%s)" % problem


def locals_lines(reader, frame, width, indent="    "):
    """A frame's locals as ``name_lines``; a module body's are its globals and are not repeated."""
    if is_module_frame(frame):
        return [indent + "(module body: its locals are its globals, see py-globals)"]
    try:
        return name_lines(reader, frame_locals(reader, frame), width, indent)
    except CpywalkerError as error:
        return [indent + "(locals unreadable: %s)" % error]


def globals_lines(reader, frame, width, indent="    "):
    """A frame's module globals as ``name_lines``, sorted by name."""
    try:
        return name_lines(reader, sorted(frame_globals(reader, frame)), width, indent)
    except CpywalkerError as error:
        return [indent + "(globals unreadable: %s)" % error]


def thread_header(thread, native=None):
    """``Thread 0x7f.. "worker-1" [gdb thread 3, LWP 42] (holds the GIL)``; ``native`` is
    ``(gdb thread number, LWP)``, ``(None, LWP)`` outside gdb (``[LWP 42]``) or None."""
    text = "Thread %#x" % thread.thread_id
    if thread.name:
        text += ' "%s"' % thread.name
    if native and native[0] is None:
        text += " [LWP %d]" % native[1]
    elif native:
        text += " [gdb thread %d, LWP %d]" % native
    if thread.holds_gil:
        text += " (holds the GIL)"
    return text


def thread_table(process, threads, native=lambda thread: None, selected=None):
    """``py-threads``: one row per thread, ``*`` marking ``selected``."""
    rows = [("", "gdb", "LWP", "thread id", "GIL", "name", "top frame")]
    for thread in threads:
        numbers = native(thread) or ("-", "-")
        rows.append(("*" if thread == selected else "", str(numbers[0]), str(numbers[1]),
                     "%#x" % thread.thread_id, "yes" if thread.holds_gil else "no",
                     thread.name or "-", top_frame_text(process.stack(thread))))
    return table_text(rows)


def top_frame_text(stack):
    """``name (file:line)`` of a ``(frames, problem)`` stack's innermost frame, or why none."""
    frames, problem = stack
    if frames:
        return "%s (%s:%d)" % (frames[0].name, frames[0].filename, frames[0].line)
    return "(%s)" % (problem or "no Python frame")


def table_text(rows):
    """Rows of cells as aligned columns; the last column is not padded."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]
                     for row in rows)


def frame_lines(frame, sources, index=None):
    """``  File "f.py", line 3, in g`` and the source line when the file is readable."""
    prefix = "#%d " % index if index is not None else "  "
    lines = ['%sFile "%s", line %d, in %s' % (prefix, frame.filename, frame.line, frame.name)]
    source = sources.line(frame.filename, frame.line)
    if source:
        lines.append("    " + source)
    return lines


def name_lines(reader, names, width, indent="    "):
    """One ``name = repr  (type at 0xADDR)`` line per ``Name``; cells and free vars say so."""
    lines = []
    for name in names:
        kind = "" if name.kind == "local" else "%s " % name.kind
        lines.append("%s%s = %s  (%s%s)" % (indent, name.name, value_text(reader, name.address, width),
                                             kind, object_label(reader, name.address)))
    return lines


def object_label(reader, address):
    """``int at 0x55d0c8a0e2f0``: what ``py-walk`` takes."""
    try:
        type_name = reader.type_name(address)
    except CpywalkerError:
        type_name = "?"
    return "%s at %#x" % (type_name, address)


def value_text(reader, address, width):
    """The repr of one value, cut at ``width`` characters and its strings at the reader's
    ``string_limit`` (max-string)."""
    try:
        return repr_at(reader.cache, address, max_chars=width, layout=reader.layout,
                       budgets=Budgets(max_string=reader.string_limit))
    except CpywalkerError as error:
        return "<unreadable: %s>" % error


class SourceFiles:
    """Source lines of the target's files: absolute paths looked up under ``root`` first (the
    live target's ``/proc/PID/root``, a core's ``--sysroot`` or ``--source-root``), then as
    they are; relative paths from ``base_dir`` (the target's working directory), else
    from ``root``."""

    def __init__(self, base_dir=None, root=None):
        self.base_dir = base_dir
        self.root = root
        self._lines = {}

    def candidates(self, filename):
        """The local paths ``filename`` may be at, in the order they are tried."""
        if os.path.isabs(filename):
            return ([os.path.join(self.root, filename.lstrip("/"))] if self.root else []) + [filename]
        base = self.base_dir or self.root
        return [os.path.join(base, filename) if base else filename]

    def path(self, filename):
        """Where ``filename`` is read from: the first candidate that exists (else the first)."""
        paths = self.candidates(filename)
        return next((path for path in paths if os.path.exists(path)), paths[0])

    def lines(self, filename):
        """Every line of ``filename`` (without line ends), or None when it cannot be read."""
        if filename not in self._lines:
            self._lines[filename] = self._read(filename)
        return self._lines[filename]

    def line(self, filename, number):
        """Line ``number`` (1-based) of ``filename`` without indentation, or None."""
        lines = self.lines(filename)
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1].strip() or None

    def _read(self, filename):
        try:
            with open(self.path(filename), "rb") as handle:
                return source_lines(handle.read())
        except OSError:
            return None


#: A PEP 263 encoding declaration (line 1 or 2 of a Python 2 source file).
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
#: Line ends as Python's tokenizer counts lines; str.splitlines() also splits at form feeds
#: (stdlib files hold them), vertical tabs and U+2028, which would shift every line after.
_LINE_END = re.compile(r"\r\n|\r|\n")


def source_lines(data):
    """The lines of a Python 2 source file's bytes, decoded as the file declares (PEP 263,
    a UTF-8 BOM; else UTF-8), numbered as the interpreter numbers them."""
    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            try:
                encoding = codecs.lookup(match.group(1).decode("ascii")).name
            except LookupError:
                pass
            break
    lines = _LINE_END.split(data.decode(encoding, "replace"))
    if lines and not lines[-1]:
        lines.pop()
    return lines


#: Lines py-list shows around the current one when not told which (libpython's 5 and 5).
LIST_CONTEXT = 5


def source_listing(sources, frame, first=None, last=None, since=None):
    """``(notes, lines)`` of ``py-list``: lines ``first``..``last`` of ``frame``'s file
    (default: around its current line), numbered as libpython's py-list numbers them
    with ``>`` on the current line. ``since`` is ``(timestamp, "after the process
    started")``: a file modified later may not be what the target runs, and a note says so."""
    filename = frame.filename
    lines = sources.lines(filename)
    if lines is None:
        return ["cannot read %s (looked at %s)" % (filename, ", ".join(sources.candidates(filename)))], []
    path = sources.path(filename)
    notes = []
    if since is not None:
        try:
            modified = os.stat(path).st_mtime
        except OSError:
            modified = None
        if modified is not None and modified > since[0]:
            notes.append("%s was modified %s: the lines may not be what the target runs" % (
                path, since[1]))
    if frame.line > len(lines):
        notes.append("%s has %s but the frame is at line %d: the file changed"
                     % (path, _count(len(lines), "line"), frame.line))
    if first is None:
        first, last = frame.line - LIST_CONTEXT, frame.line + LIST_CONTEXT
    elif last is None:
        last = first + 2 * LIST_CONTEXT
    first = max(first, 1)
    listing = []
    for number in range(first, min(last, len(lines)) + 1):
        label = (">" if number == frame.line else "") + str(number)
        listing.append("%4s    %s" % (label, lines[number - 1]))
    if not listing and frame.line <= len(lines):
        notes.append("no lines %d to %d: %s has %s" % (first, last, path, _count(len(lines), "line")))
    return notes, listing


def _count(number, noun):
    return "%d %s%s" % (number, noun, "" if number == 1 else "s")
