"""``info (-p PID | --core CORE)``: the memory regions of a live process (procmem's info) or of a
core file, or the one holding ADDR."""

from ..errors import UsageError
from ..procfs import read_smaps, region_at, select_regions
from ..render.regions import address_report, region_table, smaps_table
from .common import add_pid_arguments, held, size, target_regions

NAME = "info"
HELP = "show the memory regions of a live process or a core file (or the region holding ADDR)"


def add_arguments(parser):
    add_pid_arguments(parser, core=True)
    parser.add_argument("-P", "--pattern", help="only regions whose path matches this glob ('[heap]', '*libc*')")
    parser.add_argument("-w", "--writable", action="store_true", help="only writable regions")
    parser.add_argument("--min-size", type=size, default=0, metavar="SIZE",
                        help="only regions of at least SIZE bytes (4096, 4k, 1M)")
    parser.add_argument("--smaps", action="store_true", help="add Rss, Pss, Private_Dirty and Swap")
    parser.add_argument("address", nargs="?", help="show the region holding this address (0x7f..., decimal)")


def _address(text):
    try:
        return int(text, 0)
    except ValueError:
        raise UsageError("not an address: %r" % text) from None


def run(args):
    with held(args):
        print(_report(args), end="")
    return 0


def _report(args):
    if args.address is not None:
        address = _address(args.address)
        region = region_at(target_regions(args), address)
        if region is None:
            raise UsageError("%#x is not in any mapped region" % address)
        return address_report(address, region)
    if args.smaps:
        if args.core is not None:
            raise UsageError("--smaps reads /proc/PID/smaps: a live process only")
        return smaps_table(select_regions(read_smaps(args.pid), args.pattern, args.writable, args.min_size))
    return region_table(select_regions(target_regions(args), args.pattern, args.writable, args.min_size))
