"""gdb's mapping texts -> Region records (pure), for targets without /proc: core files, remotes.

``info proc mappings`` names the file-backed mappings (with perms on a live target);
a core file's load sections (``maintenance info sections``) add the anonymous ones
and the permissions gdb knows from the core's program headers. A core file cut short
(a core size limit, a full disk) lacks the bytes its program headers promise past its
end: ``mark_truncated`` records where each region's bytes stop.
"""

import re

from .procfs import Region

_PERMS = re.compile(r"^[r-][w-][x-][ps]$")
_CORE_FILE = re.compile(r"core dump file:\s*`(.*)', file type")
_SECTION = re.compile(r"^\s*\[\d+\]\s+0x([0-9a-f]+)->0x([0-9a-f]+) at 0x[0-9a-f]+: (\S+) (.*)$")
#: Perms shown for a mapping the core has no load section for (not dumped, so unknown).
UNKNOWN_PERMS = "???p"
#: The legacy vsyscall page of x86_64, at a fixed address.
VSYSCALL_ADDRESS = 0xffffffffff600000
#: How far above the program the kernel may start the brk heap (x86_64: 1 GiB since Linux 5.18,
#: 32 MiB before).
BRK_SPREAD = 1 << 30


def parse_proc_mappings(text):
    """Rows of ``info proc mappings``: Start, End, Size, Offset, [Perms,] objfile."""
    regions = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 4 or not all(w.startswith("0x") for w in words[:4]):
            continue
        start, end, _, offset = (int(w, 16) for w in words[:4])
        rest = line.split(None, 4)[4] if len(words) > 4 else ""
        perms = UNKNOWN_PERMS
        first = rest.split(None, 1)
        if first and _PERMS.match(first[0]):
            perms = first[0]
            rest = first[1] if len(first) > 1 else ""
        regions.append(Region(start, end, perms, offset, path=rest.strip()))
    return regions


def parse_core_sections(text):
    """The core file's ``loadN`` sections of ``maintenance info sections`` as (start, end, perms)."""
    sections = []
    in_core = False
    for line in text.splitlines():
        if not line.startswith(" "):
            in_core = line.startswith("Core file:")
            continue
        match = _SECTION.match(line)
        if not in_core or not match or not match.group(3).startswith("load"):
            continue
        flags = match.group(4).split()
        perms = "r" + ("-" if "READONLY" in flags else "w") + ("x" if "CODE" in flags else "-") + "p"
        sections.append((int(match.group(1), 16), int(match.group(2), 16), perms))
    return sections


def core_file_path(info_target_text):
    """The core file ``info target`` names (```/path/core', file type elf64-x86-64.``), or None."""
    match = _CORE_FILE.search(info_target_text)
    return match.group(1) if match else None


def vdso_address(auxv_text):
    """AT_SYSINFO_EHDR of ``info auxv``: where the kernel mapped the vDSO, or None."""
    for line in auxv_text.splitlines():
        words = line.split()
        if len(words) > 2 and words[1] == "AT_SYSINFO_EHDR":
            return int(words[-1], 16)
    return None


def merge_core_regions(mappings, sections, landmarks=None):
    """File mappings with the perms of their load section, plus sections no file covers.

    ``landmarks`` names anonymous regions by an address inside them
    (``{"[stack]": sp, "[vdso]": vdso}``); the first writable anonymous region the kernel
    may have started brk at, above the program, is ``[heap]``; others are ``[anon]``.
    """
    landmarks = dict(landmarks or {}, **{"[vsyscall]": VSYSCALL_ADDRESS})
    program_end = _program_end(mappings)
    regions = list(mappings)
    for region in mappings:
        for start, end, perms in sections:
            if (start, end) == (region.start, region.end) and region.perms == UNKNOWN_PERMS:
                region.perms = perms
    for start, end, perms in sections:
        if any(r.start < end and start < r.end for r in mappings):
            continue
        names = [name for name, address in landmarks.items()
                 if address is not None and start <= address < end]
        regions.append(Region(start, end, perms, path=names[0] if names else ""))
    regions.sort(key=lambda r: r.start)
    heaps = [r for r in regions if not r.path and r.perms.startswith("rw") and program_end is not None
             and 0 <= r.start - program_end <= BRK_SPREAD]
    if heaps and not any(r.path == "[heap]" for r in regions):
        heaps[0].path = "[heap]"
    return regions


def _program_end(mappings):
    """End of the program's last mapping: the program is the lowest file mapping (a PIE at
    0x55..., a fixed one at 0x400000; libraries sit near the top), the heap follows it."""
    files = [r for r in mappings if r.path.startswith("/")]
    if not files:
        return None
    program = min(files, key=lambda r: r.start).path
    return max(r.end for r in files if r.path == program)


def truncation_note(file_size):
    """Why memory of a truncated core cannot be read (the CLI's core reader says the same)."""
    return "not in the core file (truncated at offset %d)" % file_size


def missing_ranges(load_segments, file_size):
    """``[(start, end)]`` of the memory the core's PT_LOAD segments hold bytes for past the
    file's end (a segment that holds no bytes was not dumped, which is no truncation)."""
    missing = []
    for segment in load_segments:
        present = max(0, file_size - segment.offset)
        if segment.filesz > present:
            missing.append((segment.vaddr + present, segment.vaddr + segment.filesz))
    return missing


def mark_truncated(regions, missing, file_size):
    """Set ``truncated`` of each region that ``missing`` (``missing_ranges``) cuts."""
    for region in regions:
        cuts = [(max(start, region.start), min(end, region.end)) for start, end in missing
                if start < region.end and region.start < end]
        if cuts:
            region.truncated = (min(cut[0] for cut in cuts), max(cut[1] for cut in cuts), file_size)
    return regions
