"""``walk (-p PID | --core CORE) ADDR``: py-walk for a live python2.7 process or a core file without gdb.

Also owns the walk options both front ends share (``--format``, the budgets, ``--output``).
"""

import argparse
import sys

from ..decode import Budgets, decode, walk
from ..errors import UsageError
from ..render import FORMATS, render
from .common import add_target_arguments, open_python

NAME = "walk"
HELP = "show the CPython 2.7 object at ADDR of a python2.7 process or core file and what it reaches"

UNLIMITED = "unlimited"
DEFAULT_FORMAT = "tree"
#: Budget name -> (default, what it limits): a ``--NAME`` option here and in py-walk.
BUDGETS = {
    "max-depth": (10, "levels below the object the walk descends"),
    "max-items": (100, "entries shown per container"),
    "max-objects": (10000, "objects one walk decodes in total"),
}


def budget(text):
    """``N`` or ``unlimited`` (None)."""
    if text == UNLIMITED:
        return None
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number or 'unlimited', got %r" % text) from None
    if value < 0:
        raise argparse.ArgumentTypeError("expected a number >= 0 or 'unlimited', got %r" % text)
    return value


def add_walk_options(parser, from_settings=False):
    """``--format``, ``--max-depth/--max-items/--max-objects`` and ``--output``.

    ``from_settings``: an option not given is left out of the namespace (gdb then reads
    ``set cpywalker NAME``) instead of taking the fixed default.
    """
    def default_of(name, value):
        if from_settings:
            return argparse.SUPPRESS, "set cpywalker " + name
        return value, value

    default, shown = default_of("format", DEFAULT_FORMAT)
    parser.add_argument("--format", choices=FORMATS, default=default,
                        help="repr: the target's repr(); tree: one object per line; json: the graph "
                             "(default: %s)" % shown)
    for name, (value, what) in BUDGETS.items():
        default, shown = default_of(name, value)
        parser.add_argument("--" + name, type=budget, metavar="N|unlimited", default=default,
                            help="%s (default: %s)" % (what, shown))
    parser.add_argument("--output", metavar="FILE", help="write the output to FILE instead")


def budgets_of(args, setting=lambda name: None):
    """The Budgets of parsed walk options; one left out of ``args`` comes from ``setting(name)``."""
    return Budgets(*(getattr(args, name.replace("-", "_"), setting(name)) for name in BUDGETS))


def write_output(text, path):
    """Write ``text`` to ``path``; the one-line note a front end prints about it."""
    try:
        with open(path, "w") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError("cannot write %s: %s" % (path, error.strerror)) from None
    return "wrote %d bytes to %s\n" % (len(text), path)


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
        root = decode(graph.reader, graph.root)
        if root.kind == "error":  # nothing to show: say why on stderr, exit 1
            raise root.error
        if args.output:
            sys.stderr.write(write_output(render(graph, args.format), args.output))
            return 0
        text = render(graph, args.format, color=sys.stdout.isatty())
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
