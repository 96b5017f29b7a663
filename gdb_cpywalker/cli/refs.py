"""``refs -p PID ADDR``: py-refs for a live python2.7 process without gdb: who refers to the
object at ADDR, and one shortest path to it from a root."""

import sys

from ..frontend.options import add_refs_options
from ..heap.session import refs_report
from .common import add_target_arguments
from .heap import heap_target
from .read import parse_address

NAME = "refs"
HELP = "show what refers to the object at ADDR of a python2.7 process or core file, and a path from a root"


def add_arguments(parser):
    add_target_arguments(parser)
    add_refs_options(parser)
    parser.add_argument("address", metavar="ADDR",
                        help="an object's address (0x7f..., decimal)")


def run(args):
    address = parse_address(args.address)
    with heap_target(args) as target:
        text = refs_report(target, address, args.format, args.limit)
    sys.stdout.write(text)
    return 0
