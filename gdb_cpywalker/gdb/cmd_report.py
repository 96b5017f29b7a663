"""``mmap-report``: which call sites of the tracked program hold how much mapped memory."""

import gdb

from ..frontend.report import add_report_options, deliver, load_runs, pick_run, produce
from . import mmaptracking
from .command import CpywalkerCommand, make_parser
from .memory import live_local_pid

parser = make_parser("mmap-report", "Which call sites of the tracked program hold how much mapped "
                                    "memory: live, peak and mapped bytes per Python stack or backtrace.")
parser.add_argument("--log", metavar="FILE",
                    help="read this mmaptracker log (default: this session's tracking, else "
                         "$MMAPTRACKER_LOG or /tmp/mmaptracker.log)")
add_report_options(parser)


class MmapReportCommand(CpywalkerCommand):
    """Report who holds the mapped memory: mmap-report [--group-by G] [--format F] [--limit N] ...

    With a live process, each site also shows the RSS of its pages (from /proc/PID/smaps).
    """

    command_name = "mmap-report"
    parser = parser

    def __init__(self):
        super().__init__()
        mmaptracking.declare_log_setting()

    def run(self, args, from_tty):
        pid = live_local_pid()
        notes = []
        run = None if args.log else mmaptracking.current_run()
        if run is None:
            path = args.log or mmaptracking.log_path()
            runs, notes = load_runs(path)
            run = pick_run(runs, pid, path, notes)
        live = pid is not None and run.pid == pid and not run.end
        text, stderr_notes = produce(run, args, notes, pid if live else None)
        said = deliver_gdb(text, args.output)
        for line in stderr_notes + ([said] if said else []):
            gdb.write("mmap-report: %s\n" % line, gdb.STDERR)


def deliver_gdb(text, output):
    if not output:
        gdb.write(text)
        return None
    return deliver(text, output, "mmap-report")[len("mmap-report: "):]
