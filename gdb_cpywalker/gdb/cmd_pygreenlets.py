"""``py-greenlets``: one line per greenlet of the target (address, type, state, thread, parent,
top frame), read from memory like ``py-bt --greenlets``."""

import gdb

from ..cli.common import count
from ..interp.greenlet_search import find_greenlets
from ..interp.greenlet_text import greenlet_table
from .command import make_parser
from .pyselect import PyStateCommand, open_process, width_setting

greenlets_parser = make_parser("py-greenlets", "One line per greenlet: address, type, state "
                                               "(running, suspended, not started, dead), thread, "
                                               "parent and top frame.")
greenlets_parser.add_argument("--width", type=count, metavar="W",
                              help="cut the repr of a not started greenlet's run at W characters, "
                                   "0: never (default: set cpywalker locals-width)")


class PyGreenletsCommand(PyStateCommand):
    """List the greenlets: address, type, state, thread, parent, top frame: py-greenlets [--width W]."""

    command_name = "py-greenlets"
    parser = greenlets_parser

    def run(self, args, from_tty):
        process = open_process()
        release, greenlets, how = find_greenlets(process)
        gdb.write(process.describe() + "\n"
                  + greenlet_table(process, release, greenlets, how, width_setting(args.width)) + "\n")
