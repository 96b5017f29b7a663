"""The options both front ends take: the walk options of ``py-walk`` and ``walk``
(``--format``, the four budgets, ``--output``), the heap options of ``py-heap`` and
``heap``, the options of ``py-refs`` and ``refs``, and the argparse types of sizes and counts.
"""

import argparse

from ..decode import Budgets
from ..errors import UsageError
from ..heap.session import INSTANCES, REFERRERS
from ..render import FORMATS
from ..render.units import parse_size

UNLIMITED = "unlimited"
DEFAULT_FORMAT = "tree"
#: Budget name -> (default, what it limits): a ``--NAME`` option of py-walk and walk, and
#: ``set cpywalker NAME``; in the order of Budgets' fields.
BUDGETS = {
    "max-depth": (10, "levels below the object the walk descends"),
    "max-items": (100, "entries shown per container"),
    "max-objects": (10000, "objects one walk decodes in total"),
    "max-string": (4096, "bytes of a str, bytearray or buffer (characters of a unicode) shown"),
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


def size(text):
    """An argparse type: ``parse_size`` with its refusal reported by argparse."""
    try:
        return parse_size(text)
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def count(text):
    """An argparse type: a whole number >= 0 (``--width``)."""
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("expected a number >= 0, got %r" % text)
    return value


def add_walk_options(parser, from_settings=False):
    """``--format``, ``--max-depth/--max-items/--max-objects/--max-string`` and ``--output``.

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
    parser.add_argument("--output", metavar="FILE",
                        help="write the output to FILE instead, as the walk goes")


def budgets_of(args, setting=lambda name: None):
    """The Budgets of parsed walk options; one left out of ``args`` comes from ``setting(name)``."""
    return Budgets(*(getattr(args, name.replace("-", "_"), setting(name)) for name in BUDGETS))


#: --format of py-heap and heap
HEAP_FORMATS = ("table", "json")


def add_heap_options(parser, diff_files_too=False):
    """py-heap's options: --type, --leaks, --memory, --save, --diff, --limit, --min-bytes,
    --format. ``diff_files_too``: ``--diff`` takes one or two files (two need no target)."""
    parser.add_argument("--type", metavar="NAME",
                        help="list the objects of this type (as the census names it: "
                             "__main__.Order, dict), biggest first")
    parser.add_argument("--leaks", action="store_true",
                        help="objects whose refcount is more than the references found to them")
    parser.add_argument("--memory", dest="memory_report", action="store_true",
                        help="where the process's resident memory goes: Python objects, "
                             "pymalloc's free space, malloc, mappings, stacks")
    parser.add_argument("--save", metavar="FILE", help="also write the census to FILE (JSON)")
    if diff_files_too:
        parser.add_argument("--diff", nargs="+", metavar="FILE",
                            help="growth per type since a saved census; two files: between them")
    else:
        parser.add_argument("--diff", metavar="FILE", help="growth per type since a saved census")
    parser.add_argument("--limit", type=count, metavar="N",
                        help="show the first N rows only (--type: the %d biggest unless told)" % INSTANCES)
    parser.add_argument("--min-bytes", type=size, default=0, metavar="SIZE",
                        help="show types of at least SIZE bytes only (4k, 1M)")
    parser.add_argument("--format", choices=HEAP_FORMATS, default="table",
                        help="table (default) or json")


def add_refs_options(parser):
    """py-refs's and refs's options: --format, --limit."""
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json")
    parser.add_argument("--limit", type=count, default=REFERRERS, metavar="N",
                        help="list the first N referrers (default %d)" % REFERRERS)
