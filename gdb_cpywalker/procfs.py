"""/proc/PID/maps, smaps and statm text -> region records (pure: text in, data out).

``read_regions(pid)`` and friends are the only functions that touch /proc; every
parser takes the text so tests run on captured samples.
"""

import fnmatch
import os
from dataclasses import dataclass, field

from .errors import ProcessGone, TargetError, UsageError

#: smaps fields the ``--smaps`` view shows, in order.
SMAPS_COLUMNS = ("Rss", "Pss", "Private_Dirty", "Swap")


@dataclass
class Region:
    """One mapping ``[start, end)`` of a target's address space."""

    start: int
    end: int
    perms: str = "r--p"
    offset: int = 0
    dev: str = "00:00"
    inode: int = 0
    path: str = ""
    #: smaps counters in bytes ("Rss" -> 4096), empty unless read from smaps.
    smaps: dict = field(default_factory=dict)
    #: A region of a truncated core file: (start, end) of the part its file lacks, and the
    #: file's size: ``(start, end, file_size)``.
    truncated: tuple = None

    @property
    def size(self):
        return self.end - self.start

    @property
    def name(self):
        """The path, or ``[anon]`` for an anonymous mapping (``[anon:name]`` stays as named)."""
        return self.path or "[anon]"

    @property
    def readable(self):
        return self.perms[:1] == "r"

    @property
    def writable(self):
        return self.perms[1:2] == "w"

    def contains(self, address):
        return self.start <= address < self.end

    def cut_at(self, address):
        """True when ``address`` is in the part of this region a truncated core file lacks."""
        return bool(self.truncated) and self.truncated[0] <= address < self.truncated[1]


@dataclass
class Statm:
    """/proc/PID/statm: every count in pages of ``page_size`` bytes."""

    size: int
    resident: int
    shared: int
    text: int
    lib: int
    data: int
    dirty: int
    page_size: int = 4096


def parse_maps_line(line):
    """``start-end perms offset dev inode [path]`` -> Region (the path may hold spaces)."""
    parts = line.split(None, 5)
    if len(parts) < 5 or "-" not in parts[0]:
        raise ValueError("not a maps line: %r" % line)
    start, end = parts[0].split("-", 1)
    path = parts[5].strip() if len(parts) > 5 else ""
    return Region(int(start, 16), int(end, 16), parts[1], int(parts[2], 16), parts[3],
                  int(parts[4]), path)


def maps_line(region):
    """The /proc/PID/maps line of ``region`` (without the newline): ``parse_maps_line``'s inverse."""
    return ("%x-%x %s %08x %s %d %s" % (region.start, region.end, region.perms, region.offset,
                                         region.dev, region.inode, region.path)).rstrip()


def parse_maps(text):
    """Every region of a /proc/PID/maps text, in address order."""
    return [parse_maps_line(line) for line in text.splitlines() if line.strip()]


def parse_smaps(text):
    """Regions of a /proc/PID/smaps text with their ``kB`` counters converted to bytes."""
    regions = []
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if rest and " " not in key and "-" not in key:
            if key == "VmFlags" or not regions:
                continue
            words = rest.split()
            if words and words[0].isdigit():
                unit = 1024 if words[1:2] == ["kB"] else 1
                regions[-1].smaps[key] = int(words[0]) * unit
        elif line.strip():
            regions.append(parse_maps_line(line))
    return regions


def parse_statm(text, page_size=4096):
    """The seven page counts of /proc/PID/statm."""
    values = [int(word) for word in text.split()]
    if len(values) != 7:
        raise ValueError("not a statm line: %r" % text)
    return Statm(*values, page_size=page_size)


def _read(pid, name):
    path = "/proc/%d/%s" % (pid, name)
    try:
        with open(path) as handle:
            return handle.read()
    except OSError as error:
        raise TargetError("cannot read %s: %s" % (path, error.strerror)) from None


def read_regions(pid):
    """The regions of live process ``pid`` from /proc/PID/maps; ProcessGone when it died
    (a zombie's maps are empty: that is not "no regions")."""
    text = _read(pid, "maps")
    if not text and process_gone(pid):
        raise ProcessGone(pid)
    return parse_maps(text)


def read_smaps(pid):
    return parse_smaps(_read(pid, "smaps"))


def read_statm(pid, page_size=None):
    return parse_statm(_read(pid, "statm"), page_size or os.sysconf("SC_PAGE_SIZE"))


def process_state(pid):
    """The one-letter state of /proc/PID/stat ('R', 'S', 'T', 'Z', ...)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            text = handle.read()
    except OSError as error:
        raise TargetError("no process %d: %s" % (pid, error.strerror)) from None
    return text[text.rindex(")") + 2]


def readable_ranges(regions):
    """``(start, end)`` of the regions that may be read: perms ``r...``, or unknown (``?``,
    a core's region gdb did not describe)."""
    return [(region.start, region.end) for region in regions if region.perms[:1] in ("r", "?")]


def process_gone(pid):
    """True when ``pid`` no longer runs: no /proc/PID, or a zombie (Z) or dead (X) process
    not yet reaped, whose memory is gone."""
    try:
        return process_state(pid) in ("Z", "X")
    except TargetError:
        return True


def wait_status(pid):
    """The waitpid(2) status of ``pid`` once it died and is not yet reaped (state Z: the last
    field of /proc/PID/stat); None while it runs; TargetError when there is no such process."""
    with_state = _read(pid, "stat")
    fields = with_state[with_state.rindex(")") + 2:].split()
    return int(fields[-1]) if fields[0] == "Z" else None


def path_in_process(pid, path):
    """Where this machine opens the file that process ``pid`` calls ``path`` (absolute):
    through /proc/PID/root, its own mount namespace and root (a container, a chroot), when
    that is readable; else ``path`` itself."""
    rooted = "/proc/%d/root%s" % (pid, path)
    return rooted if os.access(rooted, os.R_OK) else path


def process_start_time(pid):
    """When ``pid`` started, in seconds since the epoch (/proc/PID/stat field 22, clock ticks
    after boot, plus the boot time of /proc/stat), or None when /proc does not say."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def region_at(regions, address):
    """The region holding ``address``, or None."""
    for region in regions:
        if region.contains(address):
            return region
    return None


def name_matches(name, pattern):
    """Glob match on the whole name or its basename; ``[heap]`` and ``[anon:*]`` keep their brackets."""
    literal_brackets = pattern.replace("[", "[[]")
    for candidate in (name, os.path.basename(name)):
        if candidate == pattern or fnmatch.fnmatchcase(candidate, pattern) \
                or fnmatch.fnmatchcase(candidate, literal_brackets):
            return True
    return False


def select_regions(regions, pattern=None, writable=False, min_size=0):
    """Regions whose name matches the glob ``pattern``, writable ones if asked, at least ``min_size``.

    A pattern that matches no region at all is a UsageError (a typo, not an empty answer).
    """
    if pattern is not None:
        regions = [r for r in regions if name_matches(r.name, pattern)]
        if not regions:
            raise UsageError("no region matches %r" % pattern)
    return [r for r in regions if (not writable or r.writable) and r.size >= min_size]
