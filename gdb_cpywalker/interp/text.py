"""Threads, frames and names as text: Python's traceback form, one value per line.

Every value line carries the object's type and address so that ``py-walk ADDR`` can
follow it; the repr comes from ``decode.repr_at``, cut at the caller's width.
"""

import os

from ..decode import repr_at
from ..errors import CpywalkerError
from .namespaces import frame_locals, is_module_frame


def backtrace(process, threads, sources, show_locals=False, width=None, native=lambda thread: None):
    """The lines of ``py-bt``: per thread a header and its traceback, outermost call first."""
    for thread in threads:
        yield thread_header(thread, native(thread))
        frames, problem = process.stack(thread)
        yield "Traceback (most recent call last):" if frames else "  (no Python frame)"
        for frame in reversed(frames):
            yield from frame_lines(frame, sources)
            if show_locals:
                yield from locals_lines(process.reader, frame, width, indent="        ")
        if problem:
            yield "  (%s)" % problem
        yield ""


def locals_lines(reader, frame, width, indent="    "):
    """A frame's locals as ``name_lines``; a module body's are its globals and are not repeated."""
    if is_module_frame(frame):
        return [indent + "(module body: its locals are its globals, see py-globals)"]
    try:
        return name_lines(reader, frame_locals(reader, frame), width, indent)
    except CpywalkerError as error:
        return [indent + "(locals unreadable: %s)" % error]


def thread_header(thread, native=None):
    """``Thread 0x7f.. "worker-1" [gdb thread 3, LWP 42] (holds the GIL)``; ``native`` is
    ``(gdb thread number, LWP)``, ``(None, LWP)`` (a core read without gdb) or None."""
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
        frames, problem = process.stack(thread)
        top = ("%s (%s:%d)" % (frames[0].name, frames[0].filename, frames[0].line) if frames
               else "(%s)" % (problem or "no Python frame"))
        rows.append(("*" if thread == selected else "", str(numbers[0]), str(numbers[1]),
                     "%#x" % thread.thread_id, "yes" if thread.holds_gil else "no",
                     thread.name or "-", top))
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
    try:
        return repr_at(reader.cache, address, max_chars=width, layout=reader.layout)
    except CpywalkerError as error:
        return "<unreadable: %s>" % error


class SourceFiles:
    """Source lines of the target's files, relative paths taken from ``base_dir``; absolute
    ones looked up under ``root`` first (a core's ``--sysroot``)."""

    def __init__(self, base_dir=None, root=None):
        self.base_dir = base_dir
        self.root = root
        self._lines = {}

    def line(self, filename, number):
        """Line ``number`` (1-based) of ``filename`` without indentation, or None."""
        if filename not in self._lines:
            self._lines[filename] = self._read(filename)
        lines = self._lines[filename]
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1].strip() or None

    def _read(self, filename):
        paths = [filename]
        if self.base_dir and not os.path.isabs(filename):
            paths = [os.path.join(self.base_dir, filename)]
        elif self.root and os.path.isabs(filename):
            paths.insert(0, os.path.join(self.root, filename.lstrip("/")))
        for path in paths:
            try:
                with open(path, "rb") as handle:
                    return handle.read().decode("utf-8", "replace").splitlines()
            except OSError:
                pass
        return None
