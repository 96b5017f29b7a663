"""Region tables (mem-info, CLI info/statm): Region records in, lines of text out.

Layout as procmem: ``start-end  size  perms``, then the file offset and the path or
``[anon]``; ``--smaps`` adds Rss, Pss, Private_Dirty and Swap; a totals line ends each table.
"""

from ..coremaps import truncation_note
from ..procfs import SMAPS_COLUMNS
from .units import format_size

_SIZE_WIDTH = 10


def _count(regions):
    return "%d region%s" % (len(regions), "" if len(regions) == 1 else "s")


def _span(region):
    """``000000400000-000000401000    4.00KiB``: where every row of a region starts."""
    return "%012x-%012x  %*s" % (region.start, region.end, _SIZE_WIDTH, format_size(region.size))


def region_row(region):
    """``000000400000-000000401000    4.00KiB  r--p  00000000  /usr/bin/python2.7``, then
    ``[not in the core file ...]`` when a truncated core lacks its bytes (or some of them)."""
    row = "%s  %s  %08x  %s" % (_span(region), region.perms, region.offset, region.name)
    if region.truncated:
        start, end, file_size = region.truncated
        part = "" if (start, end) == (region.start, region.end) else "%#x-%#x " % (start, end)
        row += "  [%s%s]" % (part, truncation_note(file_size))
    return row


def region_table(regions):
    lines = [region_row(region) for region in regions]
    total = "%s, %s mapped" % (_count(regions), format_size(sum(r.size for r in regions)))
    cut = [region for region in regions if region.truncated]
    if cut:
        total += ", %s %s" % (format_size(sum(r.truncated[1] - r.truncated[0] for r in cut)),
                              truncation_note(cut[0].truncated[2]))
    lines.append(total)
    return "\n".join(lines) + "\n"


def smaps_table(regions):
    """Each region with its smaps counters, a header and a totals line."""
    header = "%-25s  %*s  " % ("start-end", _SIZE_WIDTH, "size") + "  ".join(
        "%*s" % (_SIZE_WIDTH, column) for column in SMAPS_COLUMNS) + "  perms  path"
    lines = [header]
    for region in regions:
        counters = "  ".join("%*s" % (_SIZE_WIDTH, format_size(region.smaps.get(column, 0)))
                             for column in SMAPS_COLUMNS)
        lines.append("%s  %s  %s  %s" % (_span(region), counters, region.perms, region.name))
    totals = "  ".join("%*s" % (_SIZE_WIDTH, format_size(sum(r.smaps.get(column, 0) for r in regions)))
                       for column in SMAPS_COLUMNS)
    lines.append("%-25s  %*s  %s  (%s)" % (
        "total", _SIZE_WIDTH, format_size(sum(r.size for r in regions)), totals, _count(regions)))
    return "\n".join(lines) + "\n"


def address_report(address, region):
    """The region row holding ``address`` and where ``address`` falls in it."""
    delta = address - region.start
    where = "%#x = %#x + %#x (%d bytes into %s)" % (address, region.start, delta, delta, region.name)
    if region.path.startswith("/"):
        where += ", file offset %#x" % (region.offset + delta)
    if region.cut_at(address):
        where += ", %s" % truncation_note(region.truncated[2])
    return region_row(region) + "\n" + where + "\n"


def statm_table(statm):
    """procmem's statm layout: sizes right-aligned, then what they measure."""
    rows = [(statm.size, "total program size"), (statm.resident, "resident set size"),
            (statm.shared, "shared size"), (statm.text, "text"), (statm.data, "data + stack")]
    sizes = [format_size(pages * statm.page_size) for pages, _ in rows]
    width = max(len(size) for size in sizes)
    return "".join("%*s  %s\n" % (width, size, label) for size, (_, label) in zip(sizes, rows))
