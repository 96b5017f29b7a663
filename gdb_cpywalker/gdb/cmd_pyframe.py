"""``py-frame [N]``, ``py-up [COUNT]``, ``py-down [COUNT]``: select a Python frame of the
current thread (gdb's selected thread); #0 is the innermost, ``py-up`` goes to callers."""

import os
import re
import time

import gdb

from ..errors import UsageError
from ..interp.text import source_listing
from ..procfs import process_start_time
from .command import make_parser
from .cmd_pybt import declare_source_root, frame_header, source_files
from .memory import live_local_pid
from .pyselect import PyStateCommand, current_thread, open_process, select_frame, selected_frame

frame_parser = make_parser("py-frame", "Select Python frame N of the current thread, or show the selected one.")
frame_parser.add_argument("index", nargs="?", type=int, metavar="N", help="frame number (0: innermost)")
up_parser = make_parser("py-up", "Select the Python frame that called the selected one.")
up_parser.add_argument("count", nargs="?", type=int, default=1,
                       help="how many frames (default 1; negative: down, 0: show the selected one)")
down_parser = make_parser("py-down", "Select the Python frame the selected one called.")
down_parser.add_argument("count", nargs="?", type=int, default=1,
                         help="how many frames (default 1; negative: up, 0: show the selected one)")


list_parser = make_parser("py-list", "List the source lines around the selected Python frame's "
                                     "current line (py-up, py-down and py-frame select it).")
list_parser.add_argument("range", nargs="*", metavar="START[,END]",
                         help="list from line START to END (default: the 11 lines from START), "
                              "as libpython's py-list")
list_parser.add_argument("--thread", metavar="N",
                         help="the selected frame of this thread (gdb thread number, LWP or "
                              "Python thread id) instead of the current thread")
list_parser.add_argument("--source-root", metavar="DIR",
                         help="read the target's files under DIR (a core from elsewhere; "
                              "default: set cpywalker source-root, or the live process's /proc/PID/root)")

_RANGE = re.compile(r"^\s*(\d+)\s*(?:,\s*(\d+)\s*)?$")


def move_and_show(index_of):
    """Select ``index_of(current index, frame count)`` in the current thread and print it."""
    process = open_process()
    thread = current_thread(process)
    index, frames = selected_frame(process, thread)
    index = index_of(index, len(frames))
    select_frame(thread, index)
    gdb.write(frame_header(index, frames[index]))


class PyFrameCommand(PyStateCommand):
    """Select Python frame N of the current thread (no N: show the selected frame): py-frame [N]."""

    command_name = "py-frame"
    parser = frame_parser

    def run(self, args, from_tty):
        def chosen(index, count):
            if args.index is None:
                return index
            if not 0 <= args.index < count:
                raise UsageError("no Python frame #%d (frames #0 to #%d)" % (args.index, count - 1))
            return args.index
        move_and_show(chosen)


def step(index, count, delta):
    """``index + delta`` kept inside the stack (a negative ``delta`` goes up, as gdb's
    ``down -1``; 0 stays); UsageError when it cannot move that way."""
    moved = max(0, min(index + delta, count - 1))
    if moved == index and delta > 0:
        raise UsageError("initial Python frame selected; you cannot go up")
    if moved == index and delta < 0:
        raise UsageError("bottom (innermost) Python frame selected; you cannot go down")
    return moved


class PyUpCommand(PyStateCommand):
    """Select the Python frame that called this one: py-up [COUNT]."""

    command_name = "py-up"
    parser = up_parser

    def run(self, args, from_tty):
        move_and_show(lambda index, count: step(index, count, args.count))


class PyDownCommand(PyStateCommand):
    """Select the Python frame this one called: py-down [COUNT]."""

    command_name = "py-down"
    parser = down_parser

    def run(self, args, from_tty):
        move_and_show(lambda index, count: step(index, count, -args.count))


def _core_file():
    """The core file gdb has loaded (``info target``), or None."""
    text = gdb.execute("info target", to_string=True)
    match = re.search(r"Local core dump file:\s*`(.*)', file type", text)
    return match.group(1) if match else None


def _since():
    """``(timestamp, words)``: when the files the target runs were last known unchanged."""
    pid = live_local_pid()
    if pid:
        started = process_start_time(pid)
        if started is not None:  # /proc/stat gives the boot time in whole seconds: 1 s margin
            return started + 1, "after the process started (%s)" % time.strftime(
                "%Y-%m-%d %H:%M:%S", time.localtime(started))
        return None
    core = _core_file()
    if core and os.path.exists(core):
        return os.stat(core).st_mtime, "after the core file was written"
    return None


class PyListCommand(PyStateCommand):
    """List the source around the selected Python frame's line: py-list [START[,END]]."""

    command_name = "py-list"
    parser = list_parser

    def __init__(self):
        declare_source_root()
        super().__init__()

    def run(self, args, from_tty):
        first = last = None
        if args.range:
            text = " ".join(args.range)
            match = _RANGE.match(text)
            if not match:
                raise UsageError("expected START or START,END (line numbers), not %r" % text)
            first = int(match.group(1))
            last = int(match.group(2)) if match.group(2) else None
            if last is not None and last < first:
                raise UsageError("END %d is before START %d" % (last, first))
        process = open_process()
        thread = current_thread(process, args.thread)
        index, frames = selected_frame(process, thread)
        sources = source_files(args.source_root)
        notes, lines = source_listing(sources, frames[index], first, last, _since())
        out = [frame_header(index, frames[index]).split("\n")[0]]
        out += ["py-list: note: " + note for note in notes]
        gdb.write("\n".join(out + lines) + "\n")
