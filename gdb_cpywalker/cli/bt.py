"""``bt (-p PID | --core CORE) [--locals]``: py-bt without gdb (ELF symbols, /proc or the core)."""

from ..interp.text import backtrace
from ..interp.locate import METHODS
from ..interp.threads import PythonProcess
from .common import add_target_arguments, core_of, count, open_python, source_files

NAME = "bt"
HELP = "the Python stack of every thread of a python2.7 process or core file (-S holds a process stopped)"


def add_arguments(parser):
    add_target_arguments(parser)
    parser.add_argument("--locals", action="store_true", help="show each frame's locals")
    parser.add_argument("--width", type=count, default=80,
                        help="cut each value's repr at this many characters (0: never)")
    parser.add_argument("--thread", type=lambda text: int(text, 0), metavar="IDENT",
                        help="only the thread whose ident (thread.get_ident()) is IDENT "
                             "(with --core: or whose LWP is IDENT)")
    parser.add_argument("--lookup", choices=("auto",) + METHODS, default="auto",
                        help="how to find the interpreter: debug symbol, exported function, scan")


def run(args):
    with open_python(args) as (memory, symbols, layout):
        process = PythonProcess(memory, symbols, layout, args.lookup)
        core = core_of(args)
        lines = ([core.file.describe()] if core else []) + [process.describe(), ""]
        lines += backtrace(process, process.select(thread_ident(args.thread, core)), source_files(args),
                           args.locals, args.width or None, core_lwp(core))
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
