"""``py-bt`` and ``py-threads``: every Python thread's stack, and one line per thread.

Memory reads only; the interpreter is found as ``set cpywalker interp-lookup`` says.
"""

import gdb

from ..frontend.options import count
from ..interp.text import SourceFiles, backtrace, frame_lines, thread_table
from .command import make_parser
from .memory import live_local_pid
from .pyselect import (PyStateCommand, current_thread, native_numbers, open_process, thread_id_of,
                       width_setting)

bt_parser = make_parser("py-bt", "Show the Python stack of every thread, outermost call first.")
bt_parser.add_argument("--thread", metavar="N",
                       help="only this thread: gdb thread number, LWP or Python thread id")
bt_parser.add_argument("--locals", action="store_true", help="show each frame's locals")
bt_parser.add_argument("--width", type=count, metavar="W",
                       help="cut each value's repr at W characters, 0: never "
                            "(default: set cpywalker locals-width)")

threads_parser = make_parser("py-threads", "One line per Python thread: gdb thread, LWP, "
                                           "thread id, GIL holder, name and top frame.")


def source_files():
    """Relative source paths are relative to the live target's working directory."""
    pid = live_local_pid()
    return SourceFiles("/proc/%d/cwd" % pid if pid else None)


def frame_header(index, frame):
    """Frame ``#index``'s ``File ..., line ..., in ...`` line and source line, as text."""
    return "\n".join(frame_lines(frame, source_files(), index)) + "\n"


class PyBtCommand(PyStateCommand):
    """Show the Python stack of every thread: py-bt [--thread N] [--locals] [--width W]."""

    command_name = "py-bt"
    parser = bt_parser

    def run(self, args, from_tty):
        process = open_process()
        threads = process.threads()
        if args.thread is not None:
            threads = process.select(thread_id_of(args.thread, threads))
        lines = [process.describe(), ""]
        lines += backtrace(process, threads, source_files(), args.locals, width_setting(args.width),
                           native_numbers())
        gdb.write("\n".join(lines))


class PyThreadsCommand(PyStateCommand):
    """List the Python threads: gdb thread, LWP, thread id, GIL holder, name, top frame."""

    command_name = "py-threads"
    parser = threads_parser

    def run(self, args, from_tty):
        process = open_process()
        table = thread_table(process, process.threads(), native_numbers(), current_thread(process))
        gdb.write(process.describe() + "\n" + table + "\n")
