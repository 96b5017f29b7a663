"""The report of who holds the memory, in each of its formats: table, json, folded, svg, and
the timeline of mapped bytes. Shared by ``report`` (CLI) and ``mmap-report`` (gdb).

Data in (an ``accounting.Report``), text out. Names come from the traced program: the
table shows them ``printable``, JSON holds them as they are but for bytes that were not
UTF-8 (written ``\\xHH``, as JSON has no bytes).
"""

import json
import os
import re

from ..render import flamegraph
from ..render.flamegraph import printable
from ..render.units import format_size
from .accounting import BEFORE_TRACKING, frame_function, native_label, native_leaf

FORMATS = ("table", "json", "folded", "svg")
#: Caller lines shown under a site in the table: Python ones, native ones.
TABLE_PYTHON_FRAMES = 12
TABLE_NATIVE_FRAMES = 4
TIMELINE_ROWS = 20


def render(report, form="table", limit=None, timeline=False, timeline_rows=TIMELINE_ROWS):
    """The report as text in ``form``; ``limit`` sites at most (None: all)."""
    if form == "table":
        text = table(report, limit)
        return text + ("\n" + timeline_table(report, timeline_rows) if timeline else "")
    if form == "json":
        return json_text(document(report, limit, timeline))
    if form == "folded":
        return flamegraph.folded(flame_stacks(report, limit))
    if form == "svg":
        chart = [(seq, mapped) for seq, _, mapped in report.timeline] if timeline else None
        return flamegraph.svg(flame_stacks(report, limit), _title(report), chart=chart,
                              chart_label="bytes mapped by tracked calls, event 1 to %d"
                              % len(report.timeline))
    raise ValueError("unknown format %r" % form)


def _title(report):
    run = report.run
    return "Live mapped memory of pid %d (%s), by %s" % (run.pid, os.path.basename(run.program),
                                                        report.group_by)


def _shown(report, limit):
    return report.sites if limit is None else report.sites[:limit]


def table(report, limit=None):
    """Columns live, peak, mapped (bytes), calls (and rss with smaps), then the site and,
    under it, its callers (``<-``)."""
    run = report.run
    with_rss = any(site.rss is not None for site in report.sites)
    lines = ["mmaptracker report: pid %d (%s), %s, %d events%s" % (
        run.pid, run.mode, printable(run.program), len(run.events),
        ", " + printable(run.end) if run.end else ", no end line"),
        "grouped by %s; sorted by live bytes; bytes in whole pages" % report.group_by, ""]
    header = ["live", "peak", "mapped", "calls"] + (["rss"] if with_rss else [])
    lines.append("".join(cell.rjust(10) for cell in header) + "  site")
    indent = " " * (10 * len(header) + 2)
    shown = _shown(report, limit)
    for site in shown:
        cells = [format_size(site.live), format_size(site.peak), format_size(site.mapped), str(site.calls)]
        if with_rss:
            cells.append(format_size(site.rss or 0))
        lines.append("".join(cell.rjust(10) for cell in cells) + "  " + printable(site.label))
        lines += [indent + "<- " + printable(caller) for caller in _callers(site)]
    hidden = report.sites[len(shown):]
    if hidden:
        lines.append("%10s%30s  ... %d more sites (--limit)" % (
            format_size(sum(site.live for site in hidden)), "", len(hidden)))
    if report.before:
        before = report.before
        cells = [format_size(before.live), "", "", ""] + ([format_size(before.rss or 0)] if with_rss else [])
        lines.append("".join(cell.rjust(10) for cell in cells) + "  " + BEFORE_TRACKING)
    lines.append("%10s%30s  total live, peak %s" % (format_size(report.live_total), "",
                                                    format_size(report.peak_total)))
    lines += ["skipped: " + printable(note) for note in report.skipped]
    return "\n".join(lines) + "\n"


def _callers(site):
    if site.python:
        callers = [frame.text() for frame in reversed(site.python[:-1])]
        most = TABLE_PYTHON_FRAMES
    else:
        callers = [native_label(frame) for frame in site.native[len(native_leaf(site.native)):]]
        most = TABLE_NATIVE_FRAMES
    if len(callers) > most:
        callers = callers[:most] + ["... %d more frames" % (len(callers) - most)]
    return callers


def document(report, limit=None, timeline=False):
    """The JSON document: ``sites``, ``skipped`` and totals (``timeline`` when asked)."""
    run = report.run
    out = {"run": {"pid": run.pid, "mode": run.mode, "program": _json_text(run.program),
                   "events": len(run.events), "end": _json_text(run.end) or None},
           "group_by": report.group_by,
           "live_bytes": report.live_total, "peak_bytes": report.peak_total,
           "sites": [_site_document(site) for site in _shown(report, limit)],
           "mapped_before_tracking": None if report.before is None else _before_document(report.before),
           "skipped": [_json_text(note) for note in report.skipped]}
    if limit is not None and len(report.sites) > limit:
        out["skipped"].append("%d more sites not shown (--limit %d)" % (len(report.sites) - limit, limit))
    if timeline:
        out["timeline"] = [{"event": seq, "time": when, "mapped_bytes": mapped}
                           for seq, when, mapped in report.timeline]
    return out


def json_text(document_):
    """The document with one key, site or timeline point per line: readable, and written by
    json's C encoder (an indent would make it use the pure-Python one, 5x slower)."""
    parts = []
    for key, value in document_.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(item) for item in value)
            parts.append("%s: [\n  %s\n ]" % (json.dumps(key), items))
        else:
            parts.append("%s: %s" % (json.dumps(key), json.dumps(value)))
    return "{\n " + ",\n ".join(parts) + "\n}\n"


#: A byte that was not UTF-8, as the log reader keeps it (a surrogate escape).
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _json_text(text):
    """``text`` with each byte that was not UTF-8 as ``\\xHH``: a lone surrogate is no valid JSON."""
    if text.isascii():
        return text
    return _NOT_UTF8.sub(lambda m: "\\x%02x" % (ord(m.group(0)) - 0xdc00), text)


def _site_document(site):
    out = {"python": [{"file": _json_text(f.file), "line": f.line, "function": _json_text(f.function)}
                      for f in site.python],
           "native": [_json_text(frame) for frame in site.native], "calls": site.calls,
           "mapped_bytes": site.mapped,
           "live_bytes": site.live, "peak_bytes": site.peak}
    if site.rss is not None:
        out["rss_bytes"] = site.rss
    return out


def _before_document(site):
    out = {"live_bytes": site.live}
    if site.rss is not None:
        out["rss_bytes"] = site.rss
    return out


def flame_stacks(report, limit=None):
    """``(frames outermost first, live bytes)`` of each site: a Python site's frames, then
    the native code from its caller down to the system call; a native site's backtrace."""
    stacks = []
    for site in _shown(report, limit):
        frames = [flamegraph.Frame("%s (%s:%d)" % (f.function, os.path.basename(f.file), f.line),
                                   f.text(), "python") for f in site.python]
        native = native_leaf(site.native) if site.python else site.native
        if site.key[0] == "native-function":
            native = native[-1:]
        frames += [flamegraph.Frame(_native_name(frame), native_label(frame), "native")
                   for frame in reversed(native)]
        stacks.append((tuple(frames), site.live))
    if report.before and report.before.live:
        stacks.append(((flamegraph.Frame(BEFORE_TRACKING, BEFORE_TRACKING, "other"),), report.before.live))
    return stacks


def _native_name(frame):
    function = frame_function(frame)
    if function != "??":
        return function
    label = native_label(frame)
    return "?? " + os.path.basename(label.split(" from ", 1)[1]) if " from " in label else label


def timeline_table(report, rows=TIMELINE_ROWS):
    """Bytes mapped by the tracked calls after events spread evenly over the run."""
    points = report.timeline
    if not points:
        return "timeline: no event\n"
    step = max(1, len(points) // rows)
    chosen = points[step - 1::step]
    if chosen[-1] is not points[-1]:
        chosen.append(points[-1])
    peak = max(points, key=lambda point: point[2])
    lines = ["timeline of bytes mapped by tracked calls (peak %s after event #%d)"
             % (format_size(peak[2]), peak[0]), "%8s %11s %10s" % ("event", "seconds", "mapped")]
    for seq, when, mapped in chosen:
        lines.append("%8d %11s %10s" % (seq, "-" if when is None else "%.3f" % when, format_size(mapped)))
    return "\n".join(lines) + "\n"
