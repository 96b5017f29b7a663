"""py-heap and py-refs output: census, instances, diff, memory and referrer tables as
text, and the JSON documents (addresses as JSON integers). Data in, text out."""

import json

from .units import format_size


def _number(value, signed=False):
    return ("{:+,}" if signed else "{:,}").format(value)


def census_table(census, limit=None, min_bytes=0, title=None):
    """One row per type, biggest first: objects, bytes, size, type; then the total."""
    rows = census.select(limit, min_bytes)
    lines = [title] if title else []
    lines.append("%12s %16s %10s  %s" % ("objects", "bytes", "size", "type"))
    for row in rows:
        lines.append("%12s %16s %10s  %s" % (_number(row.count), _number(row.bytes),
                                            format_size(row.bytes), row.type))
    shown = "" if len(rows) == len(census.rows) else " (%d shown)" % len(rows)
    lines.append("%12s %16s %10s  total: %s types%s" % (
        _number(census.objects), _number(census.bytes), format_size(census.bytes),
        _number(len(census.rows)), shown))
    if census.found:
        lines.append(found_line(census.found))
    if census.inexact:
        lines.append("sizes as object.__sizeof__ (their own __sizeof__ is not emulated): "
                     + ", ".join(census.inexact))
    lines += census.notes
    return "\n".join(lines) + "\n"


def found_line(found):
    """Where a scan found its objects, in one line."""
    how = "arenas from the symbol table" if found["pools_by"] == "symbol" else "found by their headers"
    line = "found %s objects in %s pymalloc pools (%s), %s in malloc chunks, %s in static data" % (
        _number(found["pymalloc"]), _number(found["pools"]), how, _number(found["malloc"]),
        _number(found["static"]))
    if "by_reference" in found:
        line += ", %s by following references" % _number(found["by_reference"])
    return line


def census_json(census, limit=None, min_bytes=0):
    return json.dumps(census.to_json(limit, min_bytes), indent=1) + "\n"


def instances_table(found, total, repr_of, extra=None):
    """``found``: [(bytes, address, entry)], the biggest of ``total`` objects;
    ``repr_of(address)`` gives the one-line repr; ``extra(address)``: more columns
    (``refcount/found`` of leak suspects)."""
    head = "%-18s %10s  %s" % ("address", "bytes", "repr")
    if extra is not None:
        head = "%-18s %10s %15s  %s" % ("address", "bytes", "refs/refcount", "repr")
    lines = [head]
    for size, address, _ in found:
        if extra is not None:
            lines.append("%-18s %10s %15s  %s" % ("%#x" % address, _number(size), extra(address),
                                                   repr_of(address)))
        else:
            lines.append("%-18s %10s  %s" % ("%#x" % address, _number(size), repr_of(address)))
    if len(found) == total:
        lines.append("%s objects" % _number(total))
    else:
        lines.append("%s of %s objects shown, the biggest (--limit N for more)"
                     % (_number(len(found)), _number(total)))
    return "\n".join(lines) + "\n"


def instances_json(found, total, repr_of, extra=None):
    objects = []
    for size, address, _ in found:
        item = {"address": address, "bytes": size, "repr": repr_of(address)}
        if extra is not None:
            item.update(extra(address))
        objects.append(item)
    return json.dumps({"objects": objects, "found": total}, indent=1) + "\n"


def diff_table(rows, limit=None, before="before", after="now"):
    """Growth per type between two censuses, biggest byte growth first."""
    shown = rows if limit is None else rows[:limit]
    lines = ["%12s %16s %12s  %s" % ("objects", "bytes", "%s objects" % after, "type")]
    for row in shown:
        lines.append("%12s %16s %12s  %s" % (_number(row.count, True), _number(row.bytes, True),
                                             _number(row.now_count), row.type))
    lines.append("%12s %16s %12s  total growth from %s (%d types changed%s)" % (
        _number(sum(r.count for r in rows), True), _number(sum(r.bytes for r in rows), True), "",
        before, len(rows), "" if len(shown) == len(rows) else ", %d shown" % len(shown)))
    return "\n".join(lines) + "\n"


def diff_json(rows, limit=None):
    shown = rows if limit is None else rows[:limit]
    return json.dumps({"objects": sum(r.count for r in rows), "bytes": sum(r.bytes for r in rows),
                       "types": [row._asdict() for row in shown]}, indent=1) + "\n"


def memory_table(total, parts, source):
    """One line per part: bytes, size and percent of ``total``."""
    width = max(len(part.name) for part in parts)
    lines = []
    for part in parts:
        lines.append("%-*s %16s %10s %6.1f%%" % (width, part.name, _number(part.bytes),
                                                format_size(part.bytes), part.percent))
    lines.append("%-*s %16s %10s %6.1f%%" % (width, "total (%s)" % source, _number(total),
                                            format_size(total), 100.0 if total else 0.0))
    return "\n".join(lines) + "\n"


def memory_json(total, parts, source):
    return json.dumps({"total": total, "source": source,
                       "parts": [part._asdict() for part in parts]}, indent=1) + "\n"


def refs_text(target, type_name, refcnt, referrers, found, path, notes=()):
    """The referrers of ``target`` (the first of ``found``), the path from a root, and
    what the scan could not read."""
    lines = ["%#x is a %s (refcount %d), referred to %s" % (
        target, type_name, refcnt, "%s time%s:" % (_number(found), "s" if found > 1 else "")
        if found else "by nothing found")]
    for ref in referrers:
        where = "%#x" % ref.address if ref.address is not None else "-"
        lines.append("  %-18s %-24s %s" % (where, ref.type, ref.via))
    if found > len(referrers):
        lines.append("  ... %s more (--limit N for more)" % _number(found - len(referrers)))
    if path:
        lines.append("shortest path from a root (%d steps):" % (len(path) - 1))
        width = max(len(ref.via) for ref in path)
        for ref in path:
            lines.append("  %-*s  %-24s %#x" % (width, ref.via, ref.type, ref.address))
    else:
        lines.append("no path from a root: only objects no root reaches refer to it "
                     "(an uncollected cycle, or a leaked reference)")
    lines += notes
    return "\n".join(lines) + "\n"


def refs_json(referrers, found, path, notes=()):
    document = {"referrers": [ref._asdict() for ref in referrers], "found": found,
                "path": [ref._asdict() for ref in path]}
    if notes:
        document["notes"] = list(notes)
    return json.dumps(document, indent=1) + "\n"
