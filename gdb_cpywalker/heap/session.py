"""What a heap command needs of its target, whichever front end opened it, and the
commands' work as text: py-heap (census, instances, leaks, memory, save, diff) and py-refs.

A front end (the CLI, the gdb commands) builds a ``HeapTarget`` and calls ``heap_report``
or ``refs_report`` with its parsed options; both return the text to print.
"""

from ..decode import repr_at
from ..errors import CpywalkerError, UsageError
from ..render import heap as render
from . import census as census_module
from . import snapshot
from .census import scan_notes, take_census
from .leaks import leak_census
from .memmap import breakdown
from .objects import instances, similar
from .refs import RefFinder, target_entry
from .scan import HeapScan

#: Characters of an instance's repr shown.
REPR_WIDTH = 100
#: Objects of one type listed, and referrers of one object, when no --limit says.
INSTANCES = REFERRERS = 100


class HeapTarget:
    """A stopped target as the heap commands see it.

    ``resident(region)``: its resident bytes (smaps Rss of a live process, what a core holds);
    ``source`` names that measure ("RSS", "core"); ``stack_pointers``: each thread's;
    ``running``: the process runs while it is read (the CLI without -S).
    """

    def __init__(self, memory, layout, symbols, regions, resident=None, source="RSS",
                 stack_pointers=(), progress=None, running=False):
        self.memory = memory
        self.layout = layout
        self.symbols = symbols
        self.regions = regions
        self.resident = resident or (lambda region: region.size)
        self.source = source
        self.stack_pointers = stack_pointers
        self.progress = progress
        self.running = running

    def scan(self, follow="auto"):
        scan = HeapScan(self.memory, self.layout, self.symbols, self.regions, follow, self.progress)
        scan.running = self.running
        return scan

    def repr_of(self, scan):
        def one_line(address):
            try:
                return repr_at(scan.reader.cache, address, REPR_WIDTH, self.layout)
            except CpywalkerError as error:
                return "<unreadable: %s>" % error
        return one_line


def why_missing(name, names, damaged):
    """Why ``--type name`` found nothing, and what may have been meant."""
    if damaged:
        return "%d left out as damaged" % damaged
    close = similar(name, names)
    return "did you mean %s?" % " or ".join(close) if close else "py-heap lists the type names"


def heap_report(target, options):
    """py-heap's output for ``options`` (type, leaks, memory_report, save, diff, limit,
    min_bytes, format). The files of ``save`` and ``diff`` are checked first."""
    fmt = options.format
    if options.type is not None and not options.type.strip():
        raise UsageError("--type needs a type name (py-heap lists them)")
    if options.memory_report:
        if options.type is not None or options.leaks or options.diff or options.save:
            raise UsageError("--memory is a report of its own: leave out --type, --leaks, "
                             "--save and --diff")
        scan = target.scan()
        take_census(scan)
        total, parts = breakdown(target.regions, target.resident, scan, target.stack_pointers)
        return (render.memory_json if fmt == "json" else render.memory_table)(total, parts, target.source)
    if (options.type is not None or options.leaks) and (options.save or options.diff):
        raise UsageError("--save and --diff go with the census: leave out --type and --leaks")
    if options.save:
        snapshot.check_writable(options.save)
    before = snapshot.load(options.diff) if options.diff else None
    if options.leaks:
        scan = target.scan()
        suspects, finder = leak_census(scan)
        if options.type is not None:
            return _leak_instances(target, scan, finder, options)
        return _census_output(suspects, options, "leak suspects: refcount above the references found")
    if options.type is not None:
        scan = target.scan()
        names = set()
        found, total = instances(scan, options.type, _limit(options, INSTANCES), names=names)
        if not total:
            raise UsageError("no live object of type %r (%s)" % (options.type, why_missing(
                options.type, names, scan.stats.damaged.get(options.type))))
        repr_of = target.repr_of(scan)
        return (render.instances_json if fmt == "json" else render.instances_table)(found, total, repr_of)
    census = take_census(target.scan())
    if before is not None:
        rows = census_module.diff(before, census)
        if fmt == "json":
            text = render.diff_json(rows, options.limit)
        else:
            text = render.diff_table(rows, options.limit, options.diff, "now")
    else:
        text = _census_output(census, options)
    if options.save:
        snapshot.save(census, options.save)
        if fmt != "json":
            text += "saved the census (%d types) to %s\n" % (len(census.rows), options.save)
    return text


def _census_output(census, options, title=None):
    if options.format == "json":
        return render.census_json(census, options.limit, options.min_bytes)
    return render.census_table(census, options.limit, options.min_bytes, title)


def _leak_instances(target, scan, finder, options):
    """The leak suspects of one type: instances with their refcount and references found."""
    counts = {}
    suspects = {address: (refcnt, found) for address, entry, refcnt, found, _, _ in finder.suspects()
                if entry.name == options.type}
    counts.update(suspects)
    found, total = instances(scan, options.type, _limit(options, INSTANCES),
                             keep=lambda address, entry: address in counts)
    repr_of = target.repr_of(scan)
    if options.format == "json":
        return render.instances_json(found, total, repr_of, lambda address: {
            "refcount": counts[address][0], "references": counts[address][1]})
    return render.instances_table(found, total, repr_of, lambda address: "%d/%d" % (
        counts[address][1], counts[address][0]))


def _limit(options, default):
    return default if options.limit is None else options.limit


def diff_files(before_path, after_path, options):
    """The growth per type between two saved censuses (no target needed)."""
    rows = census_module.diff(snapshot.load(before_path), snapshot.load(after_path))
    if options.format == "json":
        return render.diff_json(rows, options.limit)
    return render.diff_table(rows, options.limit, before_path, after_path)


def refs_report(target, address, fmt="text", limit=REFERRERS):
    """py-refs's output: the referrers of the object at ``address`` (the first ``limit``)
    and a path from a root."""
    target_entry(target.scan(), address)
    finder = RefFinder(target.scan())
    referrers, found, entry = finder.referrers(address, limit)
    if entry is None:
        raise UsageError("%#x is not a live object the heap scan found (inside an object, or "
                         "freed)" % address)
    path = finder.shortest_path(address)
    notes = scan_notes(finder.scan.stats)
    if finder.unreadable:
        notes.append("references of %d objects could not be read (%s): they may refer to it too"
                     % (sum(finder.unreadable.values()), ", ".join(sorted(finder.unreadable))))
    if fmt == "json":
        return render.refs_json(referrers, found, path, notes)
    refcnt = finder.scan.reader.head.unpack(finder.scan.reader.read(address, 16))[0]
    return render.refs_text(address, entry.name, refcnt, referrers, found, path, notes)
