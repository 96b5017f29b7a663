"""``py-bt --native`` as text: per thread one stack, native frames as gdb's ``bt`` prints
them and Python frames exactly as ``py-bt`` prints them, under the native frame that
runs them.

``merged_backtrace`` pairs each native stack with its Python thread (a Python thread's
``thread_id`` is its pthread_t), so threads without a Python thread state and Python
threads without a native stack both show, each with a note.
"""

import os
from collections import namedtuple

from ..interp.text import frame_lines, locals_lines, thread_header
from .annotate import annotate
from .merge import FoldEntry, NativeEntry, NoteEntry, PythonEntry, fold, merge

INNERMOST_FIRST = "Native and Python frames, innermost first (gdb's order):"
OUTERMOST_FIRST = "Native and Python frames, outermost first (most recent call last):"

#: How to show the stacks: ``reverse`` (Python's traceback order), ``fold`` (interpreter
#: plumbing folded), ``show_locals`` and ``width`` as py-bt's --locals and --width.
Options = namedtuple("Options", "reverse fold show_locals width")


def native_line(frame, annotation=None, executable=None):
    """``#3  0x00007f... in select () from /lib/x86_64-linux-gnu/libc.so.6`` and its annotation."""
    text = "#%-2d " % frame.number
    if frame.kind == "sigtramp":
        text += "<signal handler called>"
    else:
        if frame.kind != "inline":
            text += "0x%016x in " % frame.pc
        text += "%s %s" % (frame.name or offset_name(frame), "(...)" if frame.source else "()")
        if frame.source:
            text += " at " + frame.source
        elif frame.path and frame.path != executable:
            text += " from " + frame.path
    if annotation:
        text += "  [%s]" % annotation
    return text


def offset_name(frame):
    """``libpython2.7.so.1.0+0xb1fdf``: a code address without a symbol, as a link-time
    offset of its file (what ``addr2line -e FILE`` takes); ``??`` outside mapped files."""
    if frame.path is None or frame.offset is None:
        return "??"
    return "%s+%#x" % (os.path.basename(frame.path), frame.offset)


def fold_line(frames):
    first, last = frames[0].number, frames[-1].number
    return "#%d-#%d ... %d frames in %s ..." % (min(first, last), max(first, last), len(frames),
                                                 os.path.basename(frames[0].path))


def stack_lines(entries, sources, reader=None, options=Options(False, True, False, None), executable=None):
    """The lines of one merged stack (entries innermost first, as ``merge`` makes them)."""
    groups = list(reversed(entries)) if options.reverse else entries
    for entry in groups:
        if isinstance(entry, NoteEntry):
            yield "  (%s)" % entry.text
        elif isinstance(entry, FoldEntry):
            yield fold_line(entry.frames)
        else:
            if isinstance(entry, NativeEntry):
                line = native_line(entry.frame, entry.annotation, executable)
                if entry.python is not None and not entry.confirmed:
                    line += "  [paired by position: frame pointer not found]"
                yield line
            if entry.python is not None:
                yield from frame_lines(entry.python, sources)
                if options.show_locals and reader is not None:
                    yield from locals_lines(reader, entry.python, options.width, indent="        ")


def merged_backtrace(process, threads, stacks, sources, options, memory=None, executable=None,
                     interpreter_path=None, numbers=None):
    """Lines of ``py-bt --native``: one merged stack per thread.

    ``process`` is the ``PythonProcess`` (None when the target has no Python found),
    ``threads`` the Python threads to show, ``stacks`` the ``NativeStack``s to show.
    """
    by_pthread = {stack.pthread: stack for stack in stacks if stack.pthread is not None}
    every_thread = process.threads() if process else []
    holder = next((thread for thread in every_thread if thread.holds_gil), None)
    gil_text = _thread_text(holder) if holder else None
    python_ids = {thread.thread_id for thread in every_thread}
    for thread in threads:
        stack = by_pthread.get(thread.thread_id)
        numbers_of = (stack.number, stack.tid) if stack is not None else None
        yield thread_header(thread, numbers_of)
        yield OUTERMOST_FIRST if options.reverse else INNERMOST_FIRST
        python_frames, python_problem = process.stack(thread)
        if stack is None:
            yield "  (no native stack: no thread of the target has pthread_t %#x)" % thread.thread_id
            entries = [PythonEntry(python) for python in python_frames]
        else:
            entries = _entries(stack, python_frames, memory, gil_text, interpreter_path, options)
        yield from stack_lines(entries, sources, process.reader, options, executable)
        if python_problem:
            yield "  (Python frame chain: %s)" % python_problem
        yield ""
    for stack in stacks:
        if stack.pthread in python_ids:
            continue
        header = "Thread %#x" % stack.pthread if stack.pthread is not None else "Thread"
        number = "gdb thread %d, LWP %d" % (stack.number, stack.tid) if stack.number else "LWP %d" % stack.tid
        yield "%s [%s] (no Python thread state)" % (header, number)
        yield OUTERMOST_FIRST if options.reverse else INNERMOST_FIRST
        entries = _entries(stack, [], memory, gil_text, interpreter_path, options)
        yield from stack_lines(entries, sources, None, options, executable)
        yield ""


def _entries(stack, python_frames, memory, gil_text, interpreter_path, options):
    annotations = annotate(stack.frames, stack.syscall, memory, gil_text)
    entries = merge(stack.frames, python_frames, memory, annotations, stack.problem)
    return fold(entries, interpreter_path) if options.fold else entries


def _thread_text(thread):
    text = "thread %#x" % thread.thread_id
    return text + (' "%s"' % thread.name if thread.name else "")
