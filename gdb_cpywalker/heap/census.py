"""The census: live objects per type, counted and sized as the target's ``sys.getsizeof``.

``take_census(scan)`` streams a HeapScan's batches into one tally per type entry (no
per-object state is kept) and merges entries that share a name. ``Census`` is the result
and the snapshot format: ``to_json()``/``from_json()`` (files: snapshot.py);
``diff(before, after)`` is the growth per type.
"""

from collections import Counter, namedtuple

from ..errors import UsageError

#: One row of a census: the type's name, how many objects, their bytes.
Row = namedtuple("Row", "type count bytes")
#: One row of a diff: growth in count and bytes (negative: shrinkage), and the counts now.
DiffRow = namedtuple("DiffRow", "type count bytes now_count now_bytes")


class Census:
    """Rows (type, count, bytes) of every type found, biggest first, with totals and notes.

    ``inexact`` names the types sized as ``object.__sizeof__`` because their own
    ``__sizeof__`` is not emulated; ``notes`` says what the scan could not read.
    """

    def __init__(self, rows, inexact=(), notes=(), found=None):
        self.rows = sorted(rows, key=lambda row: (-row.bytes, -row.count, row.type))
        self.inexact = sorted(inexact)
        self.notes = list(notes)
        #: where the objects were found (objects per place, pools, how pools were found)
        self.found = found

    @property
    def objects(self):
        return sum(row.count for row in self.rows)

    @property
    def bytes(self):
        return sum(row.bytes for row in self.rows)

    def select(self, limit=None, min_bytes=0):
        """The rows shown: at least ``min_bytes`` each, the first ``limit`` of them."""
        rows = [row for row in self.rows if row.bytes >= min_bytes]
        return rows if limit is None else rows[:limit]

    def to_json(self, limit=None, min_bytes=0):
        """``{"objects", "bytes", "types": [{"type", "count", "bytes"}]}`` (totals cover every row)."""
        out = {"objects": self.objects, "bytes": self.bytes,
               "types": [row._asdict() for row in self.select(limit, min_bytes)]}
        if self.found:
            out["found"] = self.found
        if self.inexact:
            out["inexact"] = self.inexact
        if self.notes:
            out["notes"] = self.notes
        return out

    @classmethod
    def from_json(cls, data, source="census"):
        """The Census of a ``to_json`` document; UsageError for any other JSON."""
        types = data.get("types") if isinstance(data, dict) else None
        if not isinstance(types, list):
            raise UsageError('%s is not a py-heap census (no "types" list)' % source)
        rows = {}
        for index, item in enumerate(types):
            if not isinstance(item, dict) or not isinstance(item.get("type"), str) \
                    or not _count(item.get("count")) or not _count(item.get("bytes")):
                raise UsageError('%s is not a py-heap census (types[%d] is not {"type": name, '
                                 '"count": n, "bytes": n})' % (source, index))
            if item["type"] in rows:
                raise UsageError("%s is not a py-heap census (type %r twice)" % (source, item["type"]))
            rows[item["type"]] = Row(item["type"], item["count"], item["bytes"])
        texts = {}
        for key in ("inexact", "notes"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
                raise UsageError('%s is not a py-heap census ("%s" is not a list of strings)' % (source, key))
            texts[key] = value
        return cls(rows.values(), texts["inexact"], texts["notes"])


def _count(value):
    """Whether a JSON value is a count: a whole number, not negative (true is no count)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def diff(before, after):
    """Growth per type from ``before`` to ``after``, biggest byte growth first; types that
    did not change are left out."""
    old = {row.type: row for row in before.rows}
    new = {row.type: row for row in after.rows}
    rows = []
    for name in set(old) | set(new):
        was = old.get(name, Row(name, 0, 0))
        now = new.get(name, Row(name, 0, 0))
        if (was.count, was.bytes) != (now.count, now.bytes):
            rows.append(DiffRow(name, now.count - was.count, now.bytes - was.bytes, now.count, now.bytes))
    return sorted(rows, key=lambda row: (-row.bytes, -row.count, row.type))


def take_census(scan, predicate=None):
    """The Census of everything ``scan`` finds (``predicate(entry)``: only those types).

    Counting is per batch and per type (a count of each type in the batch's entries); the
    sizes of types whose size varies come from columns of the batch's bytes.
    """
    sizer = scan.types.sizer
    counts = Counter()
    sizes = Counter()
    for batch in scan.batches():
        for entry, count in batch.tally.items():
            counts[entry] += count
            if entry.fixed is None:
                size, bad = sizer.total(entry, batch, count)
                sizes[entry] += size
                if bad:
                    counts[entry] -= bad
                    scan.stats.damaged[entry.name] += bad
    merged = {}
    for entry, count in counts.items():
        if count <= 0 or (predicate is not None and not predicate(entry)):
            continue
        size = count * entry.fixed if entry.fixed is not None else sizes[entry]
        row = merged.get(entry.name, (0, 0))
        merged[entry.name] = (row[0] + count, row[1] + size)
    inexact = {entry.name for entry in counts if not entry.exact and entry.name in merged}
    notes = scan_notes(scan.stats)
    return Census([Row(name, count, size) for name, (count, size) in merged.items()], inexact, notes,
                  found_by(scan.stats))


def found_by(stats):
    """``{"pymalloc": objects, "malloc": ..., "static": ..., "pools": n, "pools_by": how}``."""
    found = {place: stats.objects[place] for place in ("pymalloc", "malloc", "static")}
    found.update(pools=stats.pools, pools_by=stats.method)
    if stats.followed:
        found["by_reference"] = stats.objects["found by reference"]
    return found


def scan_notes(stats):
    """What a scan could not read, one line each."""
    notes = []
    for kind, count in sorted(stats.corrupt.items()):
        notes.append("%d unreadable %s%s" % (count, kind, "s" if count > 1 else ""))
    notes += ["  " + problem for problem in stats.first_problems]
    if stats.damaged:
        notes.append("%d objects whose size cannot be read or cannot be (damaged: %s) are left out"
                     % (sum(stats.damaged.values()), ", ".join(sorted(stats.damaged))))
    if stats.unreadable_types:
        notes.append("%d type words point to memory that is not readable (not in the core?): "
                     "the objects there are not counted" % stats.unreadable_types)
    if stats.roots_problem:
        notes.append("interpreter roots not read: %s" % stats.roots_problem)
    if stats.running:
        notes.append("read while the process ran (-S stops it meanwhile): objects that moved "
                     "meanwhile may be missed or counted twice")
    return notes


