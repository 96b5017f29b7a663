"""``report --log FILE [-p PID]``: which call sites hold how much mapped memory, from an
mmaptracker log (the options and the making of the text are ``frontend.report``'s, shared
with gdb's ``mmap-report``)."""

import sys

from ..frontend.report import add_report_options, deliver, load_runs, pick_run, produce
from ..procfs import process_gone
from ..tracking.log import chosen_path

NAME = "report"
HELP = "which call sites of a tracked program hold how much mapped memory (table, json, folded, svg)"


def add_arguments(parser):
    parser.add_argument("--log", metavar="FILE",
                        help="the mmaptracker log (default: $MMAPTRACKER_LOG, else /tmp/mmaptracker.log)")
    parser.add_argument("-p", "--pid", type=int,
                        help="the run of this process (default: the log's last run); while it runs, "
                             "also the RSS of each site's pages (from its smaps)")
    add_report_options(parser)


def run(args):
    path = args.log or chosen_path()
    runs, notes = load_runs(path)
    chosen = pick_run(runs, args.pid, path, notes)
    smaps_pid = None
    if args.pid is not None:
        if chosen.end or process_gone(args.pid):
            notes.append("no RSS: process %d is not running the logged run (%s)"
                         % (args.pid, chosen.end or "it is gone"))
        else:
            smaps_pid = args.pid
    text, stderr_notes = produce(chosen, args, notes, smaps_pid)
    said = deliver(text, args.output, NAME)
    for line in stderr_notes + ([said] if said else []):
        sys.stderr.write("%s: %s\n" % (NAME, line) if not line.startswith(NAME + ":") else line + "\n")
    return 0
