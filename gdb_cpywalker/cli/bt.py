"""``bt -p PID [--locals] [--native]``: py-bt for a live process without gdb (ELF symbols,
/proc; with ``--native``, ptrace for the registers and ``.eh_frame`` for the unwinding)."""

import os

from ..errors import UnsupportedTarget, UsageError
from ..interp.text import SourceFiles, backtrace
from ..interp.locate import METHODS
from ..interp.threads import PythonProcess
from ..layouts import layout_for
from ..memory import PageCache
from ..native.ptrace import task_ids, thread_registers
from ..native.stacks import unwound_stacks
from ..native.text import Options, merged_backtrace
from ..target.detect import detect_python
from ..target.symbols import ProcessSymbols
from .common import add_target_arguments, count, open_python, open_target

NAME = "bt"
HELP = "the Python stack of every thread of a live python2.7 process (-S holds it stopped)"


def add_arguments(parser):
    add_target_arguments(parser)
    parser.add_argument("--locals", action="store_true", help="show each frame's locals")
    parser.add_argument("--width", type=count, default=80,
                        help="cut each value's repr at this many characters (0: never)")
    parser.add_argument("--thread", type=lambda text: int(text, 0), metavar="IDENT",
                        help="only the thread whose ident (thread.get_ident()) is IDENT "
                             "(with --native, an LWP too)")
    parser.add_argument("--lookup", choices=("auto",) + METHODS, default="auto",
                        help="how to find the interpreter: debug symbol, exported function, scan")
    parser.add_argument("--native", action="store_true",
                        help="merge each thread's native frames (unwound from .eh_frame, the "
                             "threads held stopped with ptrace meanwhile) with its Python frames")
    parser.add_argument("--native-all", action="store_true",
                        help="--native keeping every interpreter frame (default: runs of them fold)")
    parser.add_argument("--reverse", action="store_true",
                        help="with --native: outermost frame first, as a Python traceback")


def run(args):
    if args.native or args.native_all:
        return run_native(args)
    if args.reverse:
        raise UsageError("--reverse goes with --native (bt alone is outermost first already)")
    with open_python(args) as (memory, symbols, layout):
        process = PythonProcess(memory, symbols, layout, args.lookup)
        lines = [process.describe(), ""]
        lines += backtrace(process, process.select(args.thread), SourceFiles("/proc/%d/cwd" % args.pid),
                           args.locals, args.width or None)
    print("\n".join(lines), end="")
    return 0


def run_native(args):
    with open_target(args) as backend, thread_registers(args.pid) as (registers, note):
        memory = PageCache(backend)
        symbols = ProcessSymbols(args.pid)
        try:
            target = detect_python(memory, symbols)
            process = PythonProcess(memory, symbols, layout_for(target.pointer_size, target.unicode_width),
                                    args.lookup)
            header = process.describe()
        except UnsupportedTarget as error:
            process, header = None, "No Python interpreter (%s): native frames only" % error
        threads = process.threads() if process else []
        missing = set(task_ids(args.pid)) - set(registers)
        stacks = unwound_stacks(memory, symbols, list(registers.values()),
                                [thread.thread_id for thread in threads], missing)
        if args.thread is not None:
            threads, stacks = _selected(args.thread, threads, stacks)
        interpreter = symbols.libpython()
        options = Options(args.reverse, not args.native_all, args.locals, args.width or None)
        lines = [header] + (["(%s)" % note] if note else []) + [""]
        lines += merged_backtrace(process, threads, stacks, SourceFiles("/proc/%d/cwd" % args.pid),
                                  options, memory, symbols.executable,
                                  interpreter[0] if interpreter else None)
    print("\n".join(lines), end="")
    return 0


def _selected(number, threads, stacks):
    """The Python thread and native stack meant by ``--thread NUMBER`` (ident or LWP)."""
    chosen = [stack for stack in stacks if number in (stack.tid, stack.pthread)]
    pthreads = {stack.pthread for stack in chosen} | {number}
    python = [thread for thread in threads if thread.thread_id in pthreads]
    if not chosen and not python:
        raise UsageError("no thread has ident or LWP %d" % number)
    return python, chosen
