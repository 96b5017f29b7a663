"""``read (-p PID | --core CORE) (ADDR [LEN] | -P PATTERN)``: a live process's or a core file's
memory as ``hexdump -C`` text (procmem read)."""

import sys

from ..errors import UsageError
from ..procfs import select_regions
from ..dump import DEFAULT_LENGTH, DEFAULT_MAX_BYTES, HUGE, checked_length, dump_memory, dump_regions
from ..render.hexdump import HexDumper
from ..render.units import format_size
from .common import add_target_arguments, open_target, size, target_regions

NAME = "read"
HELP = "dump a live process's or a core file's memory as hexdump -C does (ADDR [LEN] or whole regions with -P)"


def add_arguments(parser):
    add_target_arguments(parser)
    parser.add_argument("address", nargs="?", metavar="ADDR",
                        help="where to start: 0x7f..., bare hex 00007f... or decimal")
    parser.add_argument("length", nargs="?", type=size, default=DEFAULT_LENGTH, metavar="LEN",
                        help="bytes to dump (default %d): 4096, 0x100, 4k, 1M" % DEFAULT_LENGTH)
    parser.add_argument("-P", "--pattern", help="dump whole regions whose path matches this glob ('[heap]')")
    parser.add_argument("-v", "--verbose", action="store_true", help="show repeated rows instead of '*'")
    parser.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, metavar="N",
                        help="with -P: stop after N bytes in all (default %s)" % format_size(DEFAULT_MAX_BYTES))
    parser.add_argument("--force", action="store_true", help="allow a LEN above %s" % format_size(HUGE))


def parse_address(text):
    """``0x7f00...``, procmem's bare hex ``00007f00...``, or decimal without a leading zero."""
    try:
        decimal = text.isdigit() and not text.startswith("0")
        return int(text, 10) if decimal else int(text, 16)
    except ValueError:
        raise UsageError("not an address: %r" % text) from None


def run(args):
    if (args.address is None) == (args.pattern is None):
        raise UsageError("give ADDR [LEN] or -P PATTERN")
    dumper = HexDumper(collapse=not args.verbose, color=sys.stdout.isatty())
    with open_target(args) as memory:
        regions = target_regions(args)
        if args.pattern is not None:
            pieces = dump_regions(memory, select_regions(regions, args.pattern), dumper,
                                  args.max_bytes, NAME)
        else:
            length = checked_length(args.length, args.force)
            pieces = dump_memory(memory, parse_address(args.address), length, dumper, regions, NAME)
        for piece in pieces:
            sys.stdout.write(piece)
    return 0
