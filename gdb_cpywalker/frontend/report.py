"""What ``report`` (CLI) and ``mmap-report`` (gdb) share: their options, reading the log,
making the report's text and writing it to its destination."""

import contextlib
import gc
import os
import sys

from ..errors import UsageError
from ..procfs import read_smaps
from ..tracking.accounting import GROUPINGS, account, add_rss
from ..tracking.log import LogError, read_log, run_of
from ..tracking.usage_report import FORMATS, render
from .options import count
from .output import write_file

#: Sites the table shows when --limit is not given.
TABLE_LIMIT = 20


def add_report_options(parser):
    """The options ``report`` and ``mmap-report`` share."""
    parser.add_argument("--group-by", choices=GROUPINGS, default="python",
                        help="python (default): the Python stack when there is one, else the native "
                             "backtrace; native; python-line (innermost Python line); native-function")
    parser.add_argument("--limit", type=count, metavar="N",
                        help="the N sites that hold the most (default: %d in the table, all in the "
                             "other formats; 0: all)" % TABLE_LIMIT)
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="table (default), json, folded (flamegraph.pl, inferno, speedscope) or "
                             "svg (a flame graph of live bytes)")
    parser.add_argument("--timeline", action="store_true",
                        help="also the bytes mapped over time (a table; a chart above the svg)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")


@contextlib.contextmanager
def gc_paused():
    """Reading and replaying a log makes millions of objects and no reference cycle: the
    collector's passes over them took half the time (100,000 sites: 11 s -> 4.5 s of CPU)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_runs(path):
    """``(runs, notes)`` of the log at ``path``: lines that are not a log's are skipped and
    noted (in a few lines); LogError when nothing in it is a run."""
    notes = []
    with gc_paused():
        runs = read_log(path, notes)
    if not runs:
        raise LogError("%s holds no mmaptracker run%s"
                       % (path, " (%s)" % notes[0] if notes else ": it is empty"))
    return runs, notes


def pick_run(runs, pid, path, notes):
    """The last run of ``pid``, else the log's last run; with several runs to choose from, a
    note says which one the report is of."""
    chosen = run_of(runs, pid, path) if pid is not None else runs[-1]
    if len(runs) > 1:
        others = pid is None and any(run.pid != chosen.pid for run in runs)
        which = "the last, pid %d" % chosen.pid if pid is None else "pid %d's last" % pid
        notes.append("%s holds %d runs (%s): this is %s (%s), started %s%s"
                     % (path, len(runs), ", ".join("pid %d %s" % (run.pid, run.mode) for run in runs[:6])
                        + (", ..." if len(runs) > 6 else ""), which, chosen.mode, chosen.started,
                        "; -p PID picks another" if others else ""))
    return chosen


def produce(run, args, notes=(), smaps_pid=None):
    """The report text of ``run`` as ``args`` ask, and the notes that go to stderr (for the
    formats that have no place for them). ``smaps_pid``: read RSS from that live process."""
    try:
        with gc_paused():
            report = account(run, args.group_by)
    except ValueError as error:
        raise UsageError(str(error)) from None
    report.skipped[:0] = list(notes)
    if not run.events:
        report.skipped.append("the run has no event")
    if not run.end and smaps_pid is None:
        report.skipped.append("the run has no end line: the program still ran, or the log was cut short")
    if smaps_pid is not None:
        add_rss(report, read_smaps(smaps_pid))
    limit = args.limit if args.limit is not None else (TABLE_LIMIT if args.format == "table" else 0)
    with gc_paused():
        text = render(report, args.format, limit or None, args.timeline)
    return text, report.skipped if args.format in ("folded", "svg") else []


def deliver(text, output, name):
    """Write ``text`` to ``output`` (a file, as ``walk --output`` writes one: a full disk is
    one line) or stdout; one line saying where it went."""
    if not output:
        sys.stdout.write(text)
        return None
    size = write_file([text], output)
    return "%s: wrote %d bytes to %s" % (name, size, os.path.abspath(output))
