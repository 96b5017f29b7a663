"""``bt -p PID [--locals]``: py-bt for a live process without gdb (ELF symbols, /proc)."""

from ..heap import find_instances
from ..interp.greenlet_search import REACHABLE_HELP, find_greenlets
from ..interp.greenlet_text import greenlet_backtrace
from ..interp.text import SourceFiles, backtrace
from ..interp.locate import METHODS
from ..interp.threads import PythonProcess
from ..procfs import read_regions
from .common import add_target_arguments, count, open_python

NAME = "bt"
HELP = "the Python stack of every thread of a live python2.7 process (-S holds it stopped)"


def add_arguments(parser):
    add_target_arguments(parser)
    parser.add_argument("--locals", action="store_true", help="show each frame's locals")
    parser.add_argument("--width", type=count, default=80,
                        help="cut each value's repr at this many characters (0: never)")
    parser.add_argument("--thread", type=lambda text: int(text, 0), metavar="IDENT",
                        help="only the thread whose ident (thread.get_ident()) is IDENT")
    parser.add_argument("--greenlets", action="store_true",
                        help="every greenlet's stack, by thread (greenlet 0.4.x, 1.x, 2.0.x)")
    parser.add_argument("--reachable", action="store_true", help=REACHABLE_HELP)
    parser.add_argument("--lookup", choices=("auto",) + METHODS, default="auto",
                        help="how to find the interpreter: debug symbol, exported function, scan")


def run(args):
    with open_python(args) as (memory, symbols, layout):
        process = PythonProcess(memory, symbols, layout, args.lookup)
        lines = [process.describe(), ""]
        threads = process.select(args.thread)
        sources = SourceFiles("/proc/%d/cwd" % args.pid)
        if args.greenlets:
            instances = None if args.reachable else (lambda type_names: find_instances(
                memory, layout, symbols, read_regions(args.pid), type_names))
            release, greenlets, how = find_greenlets(process, threads if args.thread is not None else None,
                                                     instances)
            lines += greenlet_backtrace(process, release, greenlets, threads, sources, how, args.locals,
                                        args.width or None)
        else:
            lines += backtrace(process, threads, sources, args.locals, args.width or None)
    print("\n".join(lines), end="")
    return 0
