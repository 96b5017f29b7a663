"""``origins -p PID --log FILE [ADDR]``: the regions of a live process matched to an mmaptracker log."""

import argparse
import sys

from ..frontend.report import load_runs
from ..procfs import read_regions
from ..tracking.log import chosen_path, run_of
from ..tracking.origins import replay
from ..tracking.report import origins_text

NAME = "origins"
HELP = "tell which logged call created each region of a live process (or the one holding ADDR)"


def _address(text):
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not an address: %r" % text) from None


def add_arguments(parser):
    parser.add_argument("-p", "--pid", type=int, required=True, help="the process mmaptracker.gdb tracked")
    parser.add_argument("--log", metavar="FILE",
                        help="the mmaptracker log (default: $MMAPTRACKER_LOG, else /tmp/mmaptracker.log)")
    parser.add_argument("address", nargs="?", type=_address, metavar="ADDR",
                        help="only the region holding this address (0x7f..., decimal)")


def run(args):
    path = args.log or chosen_path()
    runs, notes = load_runs(path)
    events = run_of(runs, args.pid, path).events
    sys.stdout.write(origins_text(read_regions(args.pid), replay(events), args.address))
    for note in notes:
        sys.stderr.write("%s: %s\n" % (NAME, note))
    return 0
