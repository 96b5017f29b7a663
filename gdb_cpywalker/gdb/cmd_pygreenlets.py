"""``py-greenlets``: one line per greenlet of the target (address, type, state, thread, parent,
top frame), read from memory like ``py-bt --greenlets``; ``heap_instances`` is the heap scan
both commands find greenlets with."""

import gdb

from ..frontend.options import count
from ..heap import find_instances
from ..interp.greenlet_search import REACHABLE_HELP, find_greenlets
from ..interp.greenlet_text import greenlet_table
from .command import make_parser
from .pyselect import PyStateCommand, open_process, width_setting
from .regions import current_regions
from .symbols import GdbSymbols

greenlets_parser = make_parser("py-greenlets", "One line per greenlet: address, type, state "
                                               "(running, suspended, not started, dead), thread, "
                                               "parent and top frame.")
greenlets_parser.add_argument("--width", type=count, metavar="W",
                              help="cut the repr of a not started greenlet's run at W characters, "
                                   "0: never (default: set cpywalker locals-width)")
greenlets_parser.add_argument("--reachable", action="store_true",
                              help=REACHABLE_HELP.replace("with --greenlets: ", ""))


def heap_instances(process, reachable_only=False):
    """``find_greenlets``' heap scan of the selected inferior (None with ``reachable_only``)."""
    if reachable_only:
        return None
    symbols = GdbSymbols()
    regions = current_regions()
    return lambda type_names: find_instances(process.reader.cache, process.reader.layout, symbols,
                                             regions, type_names)


class PyGreenletsCommand(PyStateCommand):
    """List the greenlets: address, type, state, thread, parent, top frame: py-greenlets [--width W] [--reachable]."""

    command_name = "py-greenlets"
    parser = greenlets_parser

    def run(self, args, from_tty):
        process = open_process()
        release, greenlets, how = find_greenlets(process, instances=heap_instances(process, args.reachable))
        gdb.write(process.describe() + "\n"
                  + greenlet_table(process, release, greenlets, how, width_setting(args.width)) + "\n")
