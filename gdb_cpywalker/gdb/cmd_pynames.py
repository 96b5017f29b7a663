"""``py-locals``, ``py-globals``, ``py-print NAME``: the names of the selected Python frame.

Each value line shows the repr (cut at ``set cpywalker locals-width``) and the object's
type and address, for ``py-walk``.
"""

import gdb

from ..frontend.options import count
from ..errors import UsageError
from ..interp.namespaces import lookup
from ..interp.text import globals_lines, locals_lines, name_lines
from .command import make_parser
from .cmd_pybt import frame_header
from .pyselect import PyStateCommand, current_thread, open_process, selected_frame, width_setting


def names_parser(command, description):
    parser = make_parser(command, description)
    parser.add_argument("--frame", type=int, metavar="N",
                        help="Python frame N (0: innermost; default: the one py-frame selected)")
    parser.add_argument("--thread", metavar="T",
                        help="gdb thread number, LWP or Python thread id (default: gdb's selected thread)")
    parser.add_argument("--width", type=count, metavar="W",
                        help="cut each repr at W characters, 0: never (default: set cpywalker locals-width)")
    return parser


locals_parser = names_parser("py-locals", "Show the locals of a Python frame.")
globals_parser = names_parser("py-globals", "Show the module globals of a Python frame.")
print_parser = names_parser("py-print", "Show NAME as the frame sees it: local, else global, else builtin.")
print_parser.add_argument("name", help="a Python variable name")


def chosen_frame(process, args):
    thread = current_thread(process, args.thread)
    index, frames = selected_frame(process, thread, args.frame)
    return index, frames[index]


def show_names(args, lines_of):
    """Print the chosen frame, then ``lines_of(reader, frame, width)``."""
    process = open_process()
    index, frame = chosen_frame(process, args)
    lines = lines_of(process.reader, frame, width_setting(args.width))
    gdb.write(frame_header(index, frame) + "".join(line + "\n" for line in lines))


class PyLocalsCommand(PyStateCommand):
    """Show the locals of a Python frame: py-locals [--frame N] [--thread T] [--width W]."""

    command_name = "py-locals"
    parser = locals_parser

    def run(self, args, from_tty):
        show_names(args, lambda reader, frame, width: locals_lines(reader, frame, width, indent="  "))


class PyGlobalsCommand(PyStateCommand):
    """Show the module globals of a Python frame: py-globals [--frame N] [--thread T] [--width W]."""

    command_name = "py-globals"
    parser = globals_parser

    def run(self, args, from_tty):
        show_names(args, lambda reader, frame, width: globals_lines(reader, frame, width, indent="  "))


class PyPrintCommand(PyStateCommand):
    """Show a Python name as the frame sees it (local, global, builtin): py-print [--frame N] NAME."""

    command_name = "py-print"
    parser = print_parser

    def run(self, args, from_tty):
        process = open_process()
        index, frame = chosen_frame(process, args)
        found = lookup(process.reader, frame, args.name)
        if found is None:
            raise UsageError("name %r is not defined in Python frame #%d (%s)" % (args.name, index, frame.name))
        gdb.write(name_lines(process.reader, [found], width_setting(args.width), indent="")[0] + "\n")
