"""Origins as text: each region with the logged calls that created its pages and their backtraces.

Shared by ``mmap-origins`` (gdb), ``origins`` (CLI) and the ``mem-info --origins`` column.
"""

import re

from ..errors import UsageError
from ..procfs import region_at
from ..render.flamegraph import printable
from ..render.regions import region_row
from .events import FRAME_INDENT

NO_RECORD = "no logged call created it (mapped at exec, by the kernel, or before tracking began)"
_FUNCTION = re.compile(r" in (\S+) \(")


def origins_text(regions, address_map, address=None):
    """Every region with its origins, or (with ``address``) the region and piece holding it."""
    if address is None:
        return "".join(_region_origins(region, address_map) for region in regions)
    region = region_at(regions, address)
    if region is None:
        raise UsageError("no region holds %#x" % address)
    piece = address_map.piece_at(address)
    lines = [region_row(region), "%#x is %#x bytes into the region" % (address, address - region.start)]
    lines += _piece_lines(piece) if piece else ["  " + NO_RECORD]
    return "\n".join(lines) + "\n"


def origins_table(regions, address_map):
    """``mem-info --origins``: each region row, then the call that created it."""
    return "".join("%s  %s\n" % (region_row(region), origin_column(region, address_map))
                   for region in regions)


def origin_column(region, address_map):
    """One short cell: ``#5 mmap from make_map`` (from ``app.py:12 in load``: the Python line
    when there is one), ``+2 more`` when several calls made the region."""
    pieces = address_map.pieces_in(region.start, region.end)
    if not pieces:
        return "-"
    first = pieces[0].origin
    text = "#%d %s" % (first.seq, first.name)
    caller = first.python[-1].text() if first.python else _caller(first)
    if caller:
        text += " from " + printable(caller)  # a name is the program's: it may hold a newline
    others = len({piece.origin.seq for piece in pieces}) - 1
    return text + (" +%d more" % others if others else "")


def _region_origins(region, address_map):
    lines = [region_row(region)]
    covered = region.start
    for piece in address_map.pieces_in(region.start, region.end):
        if piece.start > covered:
            lines.append("  %x-%x: %s" % (covered, piece.start, NO_RECORD))
        lines += _piece_lines(piece, label="%x-%x: " % (piece.start, piece.end))
        covered = piece.end
    if covered == region.start:
        lines.append("  " + NO_RECORD)
    elif covered < region.end:
        lines.append("  %x-%x: %s" % (covered, region.end, NO_RECORD))
    return "\n".join(lines) + "\n"


def _piece_lines(piece, label=""):
    """The call that made the piece: its Python stack first when it has one, then its backtrace."""
    lines = ["  %screated by %s" % (label, piece.origin.call_line())]
    lines += [FRAME_INDENT + line for line in piece.origin.python_lines()]
    lines += [FRAME_INDENT + frame for frame in piece.origin.frames]
    lines += ["  then %s" % change.call_line() for change in piece.changes]
    return lines


def _caller(event):
    """The function that made the call: the first frame outside the system call wrapper."""
    names = [match.group(1) for match in map(_FUNCTION.search, event.frames) if match]
    return next((name for name in names[1:] if name not in (names[0], "??")), None)
