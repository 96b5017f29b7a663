"""``mem-info``: the target's memory regions, the region holding an address, smaps and statm."""

import gdb

from ..errors import ProcessGone, UsageError
from ..procfs import process_gone, read_smaps, read_statm, region_at, select_regions
from ..render.regions import address_report, region_table, smaps_table, statm_table
from ..render.units import parse_size
from . import parameters
from .cmd_origins import origins_column_table
from .command import CpywalkerCommand, address_of, make_parser
from .memory import MEMORY_KINDS, live_local_pid
from .regions import current_regions

parser = make_parser("mem-info", "Show the memory regions of the target (procmem's info and statm).")
parser.add_argument("-P", "--pattern", help="only regions whose path matches this glob ('[heap]', '*libc*')")
parser.add_argument("-w", "--writable", action="store_true", help="only writable regions")
parser.add_argument("--min-size", type=parse_size, default=0, metavar="SIZE",
                    help="only regions of at least SIZE bytes (4096, 4k, 1M)")
parser.add_argument("--origins", action="store_true",
                    help="add the logged call that created each region (see mmap-origins)")
parser.add_argument("--smaps", action="store_true",
                    help="add Rss, Pss, Private_Dirty and Swap from /proc/PID/smaps (live process)")
parser.add_argument("--memory", choices=MEMORY_KINDS,
                    help="gdb: gdb's view of the mappings even for a live process "
                         "(default: set cpywalker memory)")
parser.add_argument("where", nargs="*", metavar="ADDR|statm",
                    help="an expression, spaces allowed ($sp + 8): show the region holding it; "
                         "'statm': memory status")


def _live_pid(what):
    pid = live_local_pid()
    if pid is None:
        raise UsageError("%s needs a live local process" % what)
    return pid


class MemInfoCommand(CpywalkerCommand):
    """Show the memory regions of the target: mem-info [-P PATTERN] [-w] [--min-size SIZE] [--smaps] [--origins] [ADDR|statm]."""

    command_name = "mem-info"
    parser = parser

    def run(self, args, from_tty):
        if args.smaps and args.origins:
            raise UsageError("--smaps and --origins are separate tables: run 'mem-info --smaps' "
                             "and 'mem-info --origins'")
        kind = parameters.memory_kind(args.memory)
        pid = live_local_pid()
        if pid is not None and process_gone(pid):  # a zombie: its maps are empty, not "0 regions"
            raise ProcessGone(pid)
        if args.where[:1] == ["statm"]:
            if len(args.where) > 1:
                raise UsageError("'statm' takes nothing after it: mem-info statm")
            gdb.write(statm_table(read_statm(_live_pid("statm"))))
            return
        if args.where:
            address = address_of(" ".join(args.where))
            region = region_at(current_regions(kind), address)
            if region is None:
                raise UsageError("%#x is not in any mapped region" % address)
            gdb.write(address_report(address, region))
            return
        if args.smaps:
            regions = select_regions(read_smaps(_live_pid("--smaps")), args.pattern,
                                     args.writable, args.min_size)
            gdb.write(smaps_table(regions))
            return
        regions = select_regions(current_regions(kind), args.pattern, args.writable, args.min_size)
        gdb.write(origins_column_table(regions) if args.origins else region_table(regions))
