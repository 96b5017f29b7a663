"""``py-walk ADDR``: decode the CPython 2.7 object at any gdb expression and walk its graph.

Reads memory only (never calls a function in the inferior), through a fresh page cache
per command; budgets and format default to ``set cpywalker format/max-depth/...``. The
text goes to gdb (or ``--output``) while the walk goes.
"""

import gdb

from ..decode import walk
from ..frontend.options import BUDGETS, DEFAULT_FORMAT, UNLIMITED, add_walk_options, budgets_of
from ..frontend.output import stream_to, write_file, wrote_note
from ..render import FORMATS, stream
from . import parameters
from .command import CpywalkerCommand, address_of, make_parser
from .memory import MEMORY_KINDS
from .symbols import open_python

parser = make_parser("py-walk", "Show the CPython 2.7 object at ADDR and the objects it reaches.")
add_walk_options(parser, from_settings=True)
parser.add_argument("--memory", choices=MEMORY_KINDS,
                    help="how to read the target (default: set cpywalker memory)")
parser.add_argument("expression", nargs="+", metavar="ADDR",
                    help="any gdb expression: 0x7f3a1c2b8d70, $rdi, op")

#: The budgets complete to 'unlimited' (``--format`` and ``--memory`` to their choices).
OPTION_VALUES = {"--" + name: (UNLIMITED,) for name in BUDGETS}
#: Where else the string budget applies (the repr of each value they show).
STRING_BUDGET_USERS = "py-walk, py-bt --locals, py-locals, py-globals, py-print and the pretty-printer"


def declare_parameters():
    parameters.declare("format", gdb.PARAM_ENUM, DEFAULT_FORMAT, "the default output format of py-walk",
                       FORMATS)
    for name, (default, what) in BUDGETS.items():
        users = STRING_BUDGET_USERS if name == "max-string" else "py-walk"
        parameters.declare(name, gdb.PARAM_ZUINTEGER_UNLIMITED, default,
                           "the limit on %s in %s" % (what, users))


class PyWalkCommand(CpywalkerCommand):
    """Show the CPython 2.7 object at ADDR and what it reaches: py-walk [--format repr|tree|json] [--max-depth N] [--max-items N] [--max-objects N] [--max-string N] [--output FILE] ADDR."""

    command_name = "py-walk"
    parser = parser
    option_values = OPTION_VALUES
    walks_memory = True

    def __init__(self):
        declare_parameters()
        super().__init__()

    def run(self, args, from_tty):
        address = address_of(" ".join(args.expression))
        budgets = budgets_of(args, parameters.limit)
        fmt = getattr(args, "format", None) or parameters.value("format")
        memory, layout = open_python(args.memory)
        graph = walk(memory, address, budgets, layout=layout)
        if args.output:
            size = write_file(stream(graph, fmt), args.output)
            gdb.write("py-walk: " + wrote_note(size, args.output))
            return
        stream_to(stream(graph, fmt, color=parameters.color_enabled()), gdb.write)
