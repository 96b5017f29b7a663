"""``bt -p PID [--locals]``: py-bt for a live process without gdb (ELF symbols, /proc)."""

from ..frontend.options import BUDGETS, budget
from ..interp.text import SourceFiles, backtrace
from ..interp.locate import METHODS
from ..interp.threads import PythonProcess
from .common import add_target_arguments, count, open_python

NAME = "bt"
HELP = "the Python stack of every thread of a live python2.7 process (-S holds it stopped)"


def add_arguments(parser):
    add_target_arguments(parser)
    parser.add_argument("--locals", action="store_true", help="show each frame's locals")
    parser.add_argument("--width", type=count, default=80,
                        help="cut each value's repr at this many characters (0: never)")
    parser.add_argument("--max-string", type=budget, metavar="N|unlimited",
                        default=BUDGETS["max-string"][0],
                        help="with --locals: %s (default: %%(default)s)" % BUDGETS["max-string"][1])
    parser.add_argument("--thread", type=lambda text: int(text, 0), metavar="IDENT",
                        help="only the thread whose ident (thread.get_ident()) is IDENT")
    parser.add_argument("--lookup", choices=("auto",) + METHODS, default="auto",
                        help="how to find the interpreter: debug symbol, exported function, scan")


def run(args):
    with open_python(args) as (memory, symbols, layout):
        process = PythonProcess(memory, symbols, layout, args.lookup)
        process.reader.string_limit = args.max_string
        lines = [process.describe(), ""]
        lines += backtrace(process, process.select(args.thread), SourceFiles("/proc/%d/cwd" % args.pid),
                           args.locals, args.width or None)
    print("\n".join(lines), end="")
    return 0
