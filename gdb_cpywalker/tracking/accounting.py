"""Who holds the memory: a run of the log replayed into call sites, each with its calls and
its mapped, live and peak bytes, and the timeline of the bytes mapped.

Pure: a ``log.Run`` in, a ``Report`` out. Bytes are whole pages as the kernel maps them:
munmaps (partial ones too), mremap moves and brk shrinks are applied in order (origins.py's
``AddressMap``); pages that move stay charged to the call that first mapped them, growth
(mremap, brk) to the call that grew them. An event's site is what ``group_by`` keeps of
its stacks: the Python stack when it has one (so an arena pymalloc maps for the object a
line creates is charged to that line), else its native backtrace.
"""

import dataclasses

from .events import Event
from .origins import PAGE_SIZE, AddressMap, Piece

GROUPINGS = ("python", "native", "python-line", "native-function")
#: The site of the regions a run that attached found already mapped.
BEFORE_TRACKING = "mapped before tracking"
_BEFORE = Event(0, 0, "mmap", (0, 0, 0, 0, -1, 0), 0)


@dataclasses.dataclass(eq=False)
class Site:
    """One call site: its Python frames (outermost first, maybe none), the native backtrace
    of its first call (innermost first), and what it holds."""

    key: tuple
    python: tuple = ()
    native: tuple = ()
    calls: int = 0
    mapped: int = 0
    live: int = 0
    peak: int = 0
    #: resident bytes of its pages in the live process (``add_rss``), None when not read
    rss: int = None

    @property
    def label(self):
        """One line naming the site: its innermost Python frame, else its calling function."""
        if self.key == (BEFORE_TRACKING,):
            return BEFORE_TRACKING
        if self.python:
            return self.python[-1].text()
        return caller_label(self.native) or "(no backtrace)"


@dataclasses.dataclass
class Report:
    """A run replayed: sites sorted by live bytes, totals, timeline, and what was skipped."""

    run: object
    group_by: str
    sites: list
    before: Site = None
    #: (event number, seconds or None, bytes mapped by tracked calls) after each event
    timeline: list = dataclasses.field(default_factory=list)
    skipped: list = dataclasses.field(default_factory=list)
    peak_total: int = 0
    ledger: object = None

    @property
    def live_total(self):
        return sum(site.live for site in self.sites) + (self.before.live if self.before else 0)


def native_label(frame):
    """A backtrace line without its number and PC: ``make_map () at maps.c:12``."""
    _, _, rest = frame.partition(" in ")
    return rest or frame


def frame_function(frame):
    """The function of a backtrace line (or label): ``make_map``, ``??``."""
    return native_label(frame).split(" (", 1)[0]


def caller_label(frames):
    """The frame that made the call: the first one past the system call wrapper (the leading
    frames of one function: an inlined wrapper repeats); the wrapper itself when alone."""
    if not frames:
        return None
    wrapper = frame_function(frames[0])
    for frame in frames[1:]:
        if frame_function(frame) != wrapper or wrapper == "??":
            return native_label(frame)
    return native_label(frames[0])


def native_leaf(frames):
    """The frames from the caller down to the system call, innermost first."""
    caller = caller_label(frames)
    for index, frame in enumerate(frames):
        if native_label(frame) == caller:
            return frames[:index + 1]
    return frames


def site_key(event, group_by):
    if group_by not in GROUPINGS:
        raise ValueError("unknown grouping %r (choose from %s)" % (group_by, ", ".join(GROUPINGS)))
    if event.python and group_by == "python":
        return ("python",) + event.python
    if event.python and group_by == "python-line":
        return ("python-line", event.python[-1])
    if group_by in ("python", "native"):
        return ("native",) + tuple(native_label(frame) for frame in event.frames)
    caller = caller_label(event.frames)
    function = caller and frame_function(caller)
    return ("native-function", caller if function in (None, "??") else function)


class Ledger(AddressMap):
    """An ``AddressMap`` that keeps each site's live bytes as pieces come and go."""

    def __init__(self, group_by, page_size=PAGE_SIZE):
        super().__init__(page_size)
        self.group_by = group_by
        self.sites = {}
        #: bytes of every piece: what the tracked calls (and the regions before) hold now
        self.total = 0
        self.unmatched = {}
        self._site_of = {}
        self._event = None
        self._touched = set()

    def site_of(self, event):
        site = self._site_of.get(id(event))  # not its seq: a damaged log can repeat one
        if site is None:
            key = (BEFORE_TRACKING,) if event is _BEFORE else site_key(event, self.group_by)
            site = self.sites.get(key)
            if site is None:
                python = key[1:] if key[0] in ("python", "python-line") else ()
                site = self.sites[key] = Site(key, python, event.frames)
            self._site_of[id(event)] = site
        return site

    def add_before(self, regions):
        """Regions mapped before tracking began, charged to BEFORE_TRACKING; the program
        break is the end of the heap among them."""
        self._insert([Piece(region.start, region.end, _BEFORE) for region in regions])
        heap = [region for region in regions if region.path == "[heap]"]
        if heap:
            self.program_break = heap[-1].end

    def apply(self, event):
        self._event = event
        self._touched.clear()
        super().apply(event)
        for site in self._touched:
            site.peak = max(site.peak, site.live)
        self._event = None

    def _munmap(self, event):
        address, length = event.args[:2]
        if not self._carve(address, address + self._pages(length)):
            self._note_unmatched(event)

    def _mprotect(self, event):
        address, length = event.args[:2]
        if not self.pieces_in(address, address + self._pages(length)):
            self._note_unmatched(event)
        super()._mprotect(event)

    def _mremap(self, event):
        old, old_length = event.args[:2]
        if old_length and not self.pieces_in(old, old + self._pages(old_length)):
            self._note_unmatched(event)  # mapped where the log never saw: all new to us
            self._carve(old, old + self._pages(old_length))
            new_length = self._pages(event.args[2])
            self._replace(event.result, event.result + new_length, [Piece(event.result, 0, event)])
            return
        super()._mremap(event)

    def _note_unmatched(self, event):
        self.unmatched[event.name] = self.unmatched.get(event.name, 0) + 1

    def _insert(self, pieces):
        own = False
        for piece in pieces:
            size = piece.end - piece.start
            if size > 0:
                site = self.site_of(piece.origin)
                site.live += size
                self.total += size
                self._touched.add(site)
                if piece.origin is self._event:
                    site.mapped += size
                    own = True
        if own:
            self.site_of(self._event).calls += 1
        super()._insert(pieces)

    def _carve(self, start, end):
        removed = super()._carve(start, end)
        for piece in removed:
            self.site_of(piece.origin).live -= piece.end - piece.start
            self.total -= piece.end - piece.start
        return removed


def account(run, group_by="python", page_size=PAGE_SIZE):
    """The ``Report`` of one ``log.Run``."""
    ledger = Ledger(group_by, page_size)
    if run.before:
        ledger.add_before(run.before)
    timeline = []
    peak_total = ledger.total
    for event in run.events:
        ledger.apply(event)
        peak_total = max(peak_total, ledger.total)
        timeline.append((event.seq, event.time, ledger.total))
    before_site = ledger.sites.pop((BEFORE_TRACKING,), None)
    sites = sorted(ledger.sites.values(), key=lambda site: (-site.live, -site.peak, -site.mapped))
    sites = [site for site in sites if site.calls or site.live]
    skipped = ["%d %s call%s on memory the log never saw mapped (made before tracking or by "
               "the kernel)" % (count, name, "" if count == 1 else "s")
               for name, count in sorted(ledger.unmatched.items())]
    return Report(run, group_by, sites, before_site, timeline, skipped, peak_total, ledger)


def add_rss(report, regions):
    """Each site's resident bytes from the live process's smaps ``regions``: a region's Rss
    shared among the sites whose pages it holds, in proportion to their bytes in it."""
    for site in report.sites + ([report.before] if report.before else []):
        site.rss = 0
    ledger = report.ledger
    for region in regions:
        rss = region.smaps.get("Rss")
        if not rss or not region.size:
            continue
        for piece in ledger.pieces_in(region.start, region.end):
            ledger.site_of(piece.origin).rss += rss * (piece.end - piece.start) // region.size
