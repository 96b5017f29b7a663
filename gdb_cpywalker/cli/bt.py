"""``bt (-p PID | --core CORE) [--locals] [--native]``: py-bt without gdb (ELF symbols, /proc
or the core); with ``--native`` each thread's native frames too, unwound from ``.eh_frame``
with registers from ptrace (a live process) or NT_PRSTATUS (a core)."""

from ..frontend.options import BUDGETS, budget
import contextlib
import os

from ..errors import CpywalkerError, ProcessGone, TargetError, UsageError
from ..heap import find_instances
from ..interp.greenlet_search import REACHABLE_HELP, find_greenlets
from ..interp.greenlet_text import greenlet_backtrace
from ..interp.locate import METHODS
from ..interp.text import backtrace
from ..interp.threads import PythonProcess
from ..layouts import layout_for
from ..memory import PageCache
from ..native.ptrace import task_ids, thread_registers
from ..native.registers import ThreadRegisters, syscall_of
from ..native.stacks import unwound_stacks
from ..procfs import process_gone, process_state, read_regions
from ..native.text import Options, merged_backtrace
from ..target.detect import detect_python
from ..target.symbols import ProcessSymbols
from .common import (add_target_arguments, core_of, count, open_python, open_target, source_files,
                     target_regions)

NAME = "bt"
HELP = "the Python stack of every thread of a python2.7 process or core file (-S holds a process stopped)"


def add_arguments(parser):
    add_target_arguments(parser)
    parser.add_argument("--locals", action="store_true", help="show each frame's locals")
    parser.add_argument("--width", type=count, default=80,
                        help="cut each value's repr at this many characters (0: never)")
    parser.add_argument("--max-string", type=budget, metavar="N|unlimited",
                        default=BUDGETS["max-string"][0],
                        help="with --locals: %s (default: %%(default)s)" % BUDGETS["max-string"][1])
    parser.add_argument("--thread", type=lambda text: int(text, 0), metavar="IDENT",
                        help="only the thread whose ident (thread.get_ident()) is IDENT "
                             "(with --core or --native: or whose LWP is IDENT)")
    parser.add_argument("--greenlets", action="store_true",
                        help="every greenlet's stack, by thread (greenlet 0.4.x, 1.x, 2.0.x)")
    parser.add_argument("--reachable", action="store_true", help=REACHABLE_HELP)
    parser.add_argument("--lookup", choices=("auto",) + METHODS, default="auto",
                        help="how to find the interpreter: debug symbol, exported function, scan")
    parser.add_argument("--native", action="store_true",
                        help="merge each thread's native frames (unwound from .eh_frame; a live "
                             "process's threads held stopped with ptrace meanwhile) with its Python frames")
    parser.add_argument("--native-all", action="store_true",
                        help="--native keeping every interpreter frame (default: runs of them fold)")
    parser.add_argument("--reverse", action="store_true",
                        help="with --native: outermost frame first, as a Python traceback")


def run(args):
    if args.native or args.native_all:
        return run_native(args)
    if args.greenlets and (args.native or args.native_all):
        raise UsageError("--greenlets and --native go separately")
    if args.reverse:
        raise UsageError("--reverse goes with --native (bt alone is outermost first already)")
    with open_python(args) as (memory, symbols, layout):
        process = PythonProcess(memory, symbols, layout, args.lookup)
        process.reader.string_limit = args.max_string
        core = core_of(args)
        lines = ([core.file.describe()] if core else []) + [process.describe(), ""]
        threads = process.select(thread_ident(args.thread, core))
        if args.greenlets:
            instances = None if args.reachable else (lambda type_names: find_instances(
                memory, layout, symbols, target_regions(args), type_names))
            release, greenlets, how = find_greenlets(process, threads if args.thread is not None else None,
                                                     instances)
            lines += greenlet_backtrace(process, release, greenlets, threads, source_files(args), how,
                                        args.locals, args.width or None, core_lwp(core))
        else:
            lines += backtrace(process, threads, source_files(args), args.locals, args.width or None,
                               core_lwp(core))
    print("\n".join(lines), end="")
    return 0


def core_lwp(core):
    """Python thread -> ``(None, LWP)`` of its core thread (matched by pthread_t), for headers."""
    def native(thread):
        found = core.file.thread_of(thread.thread_id) if core else None
        return None if found is None else (None, found.lwp)
    return native


def thread_ident(number, core):
    """The Python thread id ``--thread`` means: a core thread's LWP is taken for its pthread_t."""
    lwp = core and next((thread for thread in core.file.threads if thread.lwp == number), None)
    return core.file.pthread_id(lwp) if lwp else number


@contextlib.contextmanager
def _registers(args):
    """``(registers {LWP: ThreadRegisters}, LWPs without registers, note or None)``: a core's
    NT_PRSTATUS notes, or a live process's threads held stopped with ptrace meanwhile."""
    core = core_of(args)
    if core is not None:
        yield {thread.lwp: ThreadRegisters(thread.lwp, thread.registers, syscall_of(thread.registers), "core")
               for thread in core.file.threads}, set(), None
        return
    with thread_registers(args.pid) as (registers, note):
        yield registers, set(task_ids(args.pid)) - set(registers), note


def run_native(args):
    if getattr(args, "core", None) is None:
        if process_state(args.pid) in "ZX":
            raise ProcessGone(args.pid, "a zombie")
        if not os.path.getsize("/proc/%d/cmdline" % args.pid) and not read_regions(args.pid):
            raise TargetError("process %d has no user memory (a kernel thread)" % args.pid)
    try:
        lines = _native_lines(args)
    except ProcessGone as error:  # what was read of it may be anything: nothing is shown
        raise ProcessGone(error.pid, "killed while its stacks were read") from None
    print("\n".join(lines), end="")
    return 0


def _native_lines(args):
    with open_target(args) as backend, _registers(args) as (registers, missing, note):
        memory = PageCache(backend)
        core = core_of(args)
        symbols = core.symbols if core is not None else ProcessSymbols(args.pid)
        try:
            target = detect_python(memory, symbols)
            process = PythonProcess(memory, symbols, layout_for(target.pointer_size, target.unicode_width),
                                    args.lookup)
            process.reader.string_limit = args.max_string
            header = process.describe()
        except CpywalkerError as error:  # not Python, or not started (or finalized): native frames only
            if isinstance(error, ProcessGone):
                raise
            process, header = None, "No Python interpreter (%s): native frames only" % error
        threads = process.threads() if process else []
        stacks = unwound_stacks(memory, symbols, list(registers.values()),
                                [thread.thread_id for thread in threads], missing)
        if args.thread is not None:
            threads, stacks = _selected(args.thread, threads, stacks)
        interpreter = symbols.libpython()
        options = Options(args.reverse, not args.native_all, args.locals, args.width or None)
        lines = ([core.file.describe()] if core else []) + [header] + (["(%s)" % note] if note else []) + [""]
        lines += merged_backtrace(process, threads, stacks, source_files(args), options, memory,
                                  symbols.executable, interpreter[0] if interpreter else None)
        if core is None and process_gone(args.pid):  # the frames read may be anything
            raise ProcessGone(args.pid)
    return lines


def _selected(number, threads, stacks):
    """The Python thread and native stack meant by ``--thread NUMBER`` (ident or LWP)."""
    chosen = [stack for stack in stacks if number in (stack.tid, stack.pthread)]
    pthreads = {stack.pthread for stack in chosen} | {number}
    python = [thread for thread in threads if thread.thread_id in pthreads]
    if not chosen and not python:
        raise UsageError("no thread has ident or LWP %d" % number)
    return python, chosen
