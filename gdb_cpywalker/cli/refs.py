"""``refs -p PID ADDR``: py-refs for a live python2.7 process without gdb: who refers to the
object at ADDR, and one shortest path to it from a root."""

import sys

from ..heap.session import REFERRERS, refs_report
from .common import count
from .heap import add_target_options, heap_target
from .read import parse_address

NAME = "refs"
HELP = "show what refers to the object at ADDR of a python2.7 process, and a path from a root"


def add_refs_options(parser):
    """py-refs's options, shared with the gdb command: --format, --limit."""
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json")
    parser.add_argument("--limit", type=count, default=REFERRERS, metavar="N",
                        help="list the first N referrers (default %d)" % REFERRERS)


def add_arguments(parser):
    add_target_options(parser)
    add_refs_options(parser)
    parser.add_argument("address", metavar="ADDR",
                        help="an object's address (0x7f..., decimal)")


def run(args):
    address = parse_address(args.address)
    with heap_target(args) as target:
        text = refs_report(target, address, args.format, args.limit)
    sys.stdout.write(text)
    return 0
