"""``mmap-origins [ADDR]``: which logged call created each region of the process, or the one at ADDR."""

import gdb

from ..errors import UsageError
from ..tracking.origins import replay
from ..tracking.report import origins_table, origins_text
from . import mmaptracking
from .command import CpywalkerCommand, address_of, make_parser
from .memory import live_local_pid
from .regions import current_regions

parser = make_parser("mmap-origins", "Tell which logged mmap/mremap/brk call created each region "
                                     "(or the one holding ADDR), with its backtrace.")
parser.add_argument("--log", metavar="FILE",
                    help="read this mmaptracker log (default: this session's tracking, else "
                         "$MMAPTRACKER_LOG or /tmp/mmaptracker.log)")
parser.add_argument("address", nargs="*", metavar="ADDR", help="an expression: only the region holding it")


def _tracked_pid():
    pid = live_local_pid()
    if pid is None:
        raise UsageError("needs a live process (the one mmaptracker.gdb tracks)")
    return pid


def origins_column_table(regions):
    """``mem-info --origins``: the regions with the logged call that created each."""
    return origins_table(regions, replay(mmaptracking.events_for(_tracked_pid())))


class MmapOriginsCommand(CpywalkerCommand):
    """Tell which logged call created each region: mmap-origins [--log FILE] [ADDR].

    Loading it also declares 'set mmaptracker log FILE'.
    """

    command_name = "mmap-origins"
    parser = parser

    def __init__(self):
        super().__init__()
        mmaptracking.declare_log_setting()

    def run(self, args, from_tty):
        events = mmaptracking.events_for(_tracked_pid(), args.log)
        address = address_of(" ".join(args.address)) if args.address else None
        gdb.write(origins_text(current_regions(), replay(events), address))
