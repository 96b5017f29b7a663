"""``walk (-p PID | --core CORE) ADDR``: py-walk for a live python2.7 process or a core file without gdb.

The text is streamed to stdout or ``--output`` while the walk goes, with the target's
memory open until the last byte is written.
"""

import sys

from ..decode import ObjectReader, decode, walk
from ..errors import UsageError
from ..frontend.options import add_walk_options, budgets_of
from ..frontend.output import stream_to, write_file, wrote_note
from ..render import stream
from .common import add_target_arguments, open_python

NAME = "walk"
HELP = "show the CPython 2.7 object at ADDR of a python2.7 process or core file and what it reaches"


def add_arguments(parser):
    add_target_arguments(parser)
    add_walk_options(parser)
    parser.add_argument("address", metavar="ADDR",
                        help="an address (0x7f..., decimal) or an exported symbol (_Py_NoneStruct)")


def _address(text, symbols):
    try:
        address = int(text, 0)
    except ValueError:
        address = symbols.address(text)
    else:
        if not 0 <= address < 1 << 64:
            raise UsageError("not an address: %r" % text)
    if address is None:
        raise UsageError("not an address nor a known symbol: %r" % text)
    return address


def run(args):
    budgets = budgets_of(args)
    with open_python(args) as (memory, symbols, layout):  # the walk reads while it renders
        graph = walk(memory, _address(args.address, symbols), budgets, layout=layout)
        error = decode(ObjectReader(memory, layout, string_limit=0), graph.root, 0).error
        if error is not None:  # nothing to show: say why on stderr, exit 1
            raise error
        if args.output:
            size = write_file(stream(graph, args.format), args.output)
            sys.stderr.write(wrote_note(size, args.output))
        else:
            stream_to(stream(graph, args.format, color=sys.stdout.isatty()), sys.stdout.write)
    return 0
