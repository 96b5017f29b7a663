"""``py-bt`` and ``py-threads``: every Python thread's stack, and one line per thread.

Memory reads only; the interpreter is found as ``set cpywalker interp-lookup`` says.
"""

import os

import gdb

from ..errors import CpywalkerError, ProcessGone, UsageError
from ..frontend.options import count
from ..interp.greenlet_search import REACHABLE_HELP, find_greenlets
from ..interp.greenlet_text import greenlet_backtrace
from ..interp.text import SourceFiles, backtrace, frame_lines, thread_table
from ..memory.cache import PageCache
from ..native.text import Options, merged_backtrace
from . import parameters
from .cmd_pygreenlets import heap_instances
from .command import make_parser
from .memory import live_local_pid, open_memory
from .nativestack import GdbUnwinder, pthread_of
from .pyselect import (PyStateCommand, current_thread, native_numbers, open_process, thread_id_of,
                       width_setting)
from .symbols import GdbSymbols, sysroot

bt_parser = make_parser("py-bt", "Show the Python stack of every thread, outermost call first.")
bt_parser.add_argument("--thread", metavar="N",
                       help="only this thread: gdb thread number, LWP or Python thread id")
bt_parser.add_argument("--locals", action="store_true", help="show each frame's locals")
bt_parser.add_argument("--width", type=count, metavar="W",
                       help="cut each value's repr at W characters, 0: never "
                            "(default: set cpywalker locals-width)")
bt_parser.add_argument("--greenlets", action="store_true",
                       help="every greenlet's stack, by thread (greenlet 0.4.x, 1.x, 2.0.x)")
bt_parser.add_argument("--reachable", action="store_true", help=REACHABLE_HELP)
bt_parser.add_argument("--native", action="store_true",
                       help="one stack per thread: native frames as gdb's bt names them, each "
                            "PyEval_EvalFrameEx followed by the Python frame it runs")
bt_parser.add_argument("--native-all", action="store_true",
                       help="--native keeping every interpreter frame (default: runs of them "
                            "between Python frames fold into one line)")
bt_parser.add_argument("--reverse", action="store_true",
                       help="with --native: outermost frame first, as a Python traceback")

threads_parser = make_parser("py-threads", "One line per Python thread: gdb thread, LWP, "
                                           "thread id, GIL holder, name and top frame.")


def declare_source_root():
    parameters.declare("source-root", gdb.PARAM_OPTIONAL_FILENAME, "",
                       "the directory the target's source files are read under (for a core "
                       "from another machine; a live process: its /proc/PID/root)")


def source_files(root=None):
    """The target's source files: a live local process's through /proc/PID/root (relative
    paths from its /proc/PID/cwd); a core's under ``root``, else ``set cpywalker source-root``,
    else gdb's ``set sysroot``, else where its paths point on this machine."""
    root = root or parameters.value("source-root") or None
    pid = live_local_pid()
    if pid:
        return SourceFiles("/proc/%d/cwd" % pid, root or "/proc/%d/root" % pid)
    root = root or sysroot()
    return SourceFiles(root, root)


def frame_header(index, frame):
    """Frame ``#index``'s ``File ..., line ..., in ...`` line and source line, as text."""
    return "\n".join(frame_lines(frame, source_files(), index)) + "\n"


class PyBtCommand(PyStateCommand):
    """Show the Python stack of every thread: py-bt [--thread N] [--locals] [--native | --greenlets]."""

    command_name = "py-bt"
    parser = bt_parser

    def __init__(self):
        declare_source_root()
        super().__init__()

    def run(self, args, from_tty):
        if args.greenlets and (args.native or args.native_all):
            raise UsageError("--greenlets and --native go separately")
        if args.native or args.native_all:
            self.run_native(args)
            return
        if args.reverse:
            raise UsageError("--reverse goes with --native (py-bt alone is outermost first already)")
        process = open_process()
        threads = process.threads()
        if args.thread is not None:
            threads = process.select(thread_id_of(args.thread, threads))
        lines = [process.describe(), ""]
        if args.greenlets:
            release, greenlets, how = find_greenlets(process, threads if args.thread is not None else None,
                                                     heap_instances(process, args.reachable))
            lines += greenlet_backtrace(process, release, greenlets, threads, source_files(), how,
                                        args.locals, width_setting(args.width), native_numbers())
        else:
            lines += backtrace(process, threads, source_files(), args.locals, width_setting(args.width),
                               native_numbers())
        gdb.write("\n".join(lines))

    def run_native(self, args):
        symbols = GdbSymbols()
        try:
            process = open_process()
            memory = process.reader.cache
            header = process.describe()
        except CpywalkerError as error:
            if isinstance(error, ProcessGone) or not gdb.selected_inferior().threads():
                raise  # no process or core, or it died: nothing to show
            process = None
            memory = PageCache(open_memory(parameters.memory_kind()))
            header = "No Python interpreter (%s): native frames only" % error
        python_threads = process.threads() if process else []
        threads, gdb_threads = native_selection(args.thread, python_threads)
        stacks = GdbUnwinder(symbols).stacks(gdb_threads)
        interpreter = symbols.libpython()
        options = Options(args.reverse, not args.native_all, args.locals, width_setting(args.width))
        lines = [header, ""]
        lines += merged_backtrace(process, threads, stacks, source_files(), options, memory,
                                  os.path.realpath(gdb.current_progspace().filename or ""),
                                  interpreter[0] if interpreter else None)
        gdb.write("\n".join(lines))


def native_selection(spec, python_threads):
    """``(Python threads, gdb threads)`` that ``py-bt --native --thread SPEC`` shows (all
    without SPEC): SPEC is a gdb thread number, an LWP or a Python thread id."""
    gdb_threads = sorted(gdb.selected_inferior().threads(), key=lambda thread: thread.num)
    if spec is None:
        return python_threads, gdb_threads
    try:
        number = int(spec, 0)
    except ValueError:
        raise UsageError("--thread takes a gdb thread number, an LWP or a thread id, not %r" % spec) from None
    chosen = [thread for thread in gdb_threads if number in (thread.num, thread.ptid[1])]
    if chosen:
        with_id = pthread_of(chosen[0])
        return [thread for thread in python_threads if thread.thread_id == with_id], chosen
    python = [thread for thread in python_threads if thread.thread_id == number]
    if not python:
        raise UsageError("no thread matches %s" % spec)
    return python, [thread for thread in gdb_threads if pthread_of(thread) == number]


class PyThreadsCommand(PyStateCommand):
    """List the Python threads: gdb thread, LWP, thread id, GIL holder, name, top frame."""

    command_name = "py-threads"
    parser = threads_parser

    def run(self, args, from_tty):
        process = open_process()
        table = thread_table(process, process.threads(), native_numbers(), current_thread(process))
        gdb.write(process.describe() + "\n" + table + "\n")
