"""``py-frame [N]``, ``py-up [COUNT]``, ``py-down [COUNT]``: select a Python frame of the
current thread (gdb's selected thread); #0 is the innermost, ``py-up`` goes to callers."""

import gdb

from ..errors import UsageError
from .command import make_parser
from .cmd_pybt import frame_header
from .pyselect import PyStateCommand, current_thread, open_process, select_frame, selected_frame

frame_parser = make_parser("py-frame", "Select Python frame N of the current thread, or show the selected one.")
frame_parser.add_argument("index", nargs="?", type=int, metavar="N", help="frame number (0: innermost)")
up_parser = make_parser("py-up", "Select the Python frame that called the selected one.")
up_parser.add_argument("count", nargs="?", type=int, default=1,
                       help="how many frames (default 1; negative: down, 0: show the selected one)")
down_parser = make_parser("py-down", "Select the Python frame the selected one called.")
down_parser.add_argument("count", nargs="?", type=int, default=1,
                         help="how many frames (default 1; negative: up, 0: show the selected one)")


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
