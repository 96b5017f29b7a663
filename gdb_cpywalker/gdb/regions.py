"""The regions of the selected inferior as gdb sees it.

A live local process: /proc/PID/maps. Otherwise (core file, remote target)
``info proc mappings`` merged with the core's load sections, so anonymous memory shows too;
their permissions come from the core file's own program headers when it can be read here,
and from the mapped files' segments for mappings the core did not dump; the regions a
truncated core file lacks bytes for are marked (``Region.truncated``).
"""

import gdb

from ..corefile import perms_from_files
from ..coremaps import (mark_truncated, merge_core_regions, parse_core_sections, parse_proc_mappings,
                        vdso_address)
from ..errors import TargetError
from ..procfs import read_regions
from ..target.symbols import MappedSymbols
from .memory import live_local_pid
from .truncation import gdb_core_facts


def _gdb_text(command):
    try:
        return gdb.execute(command, to_string=True)
    except gdb.error:
        return ""


def stack_pointer():
    """The selected frame's ``$sp``, or None."""
    try:
        return int(gdb.parse_and_eval("$sp").cast(gdb.lookup_type("unsigned long")))
    except gdb.error:
        return None


def current_regions(kind="auto"):
    """Region records of the selected inferior, in address order (``kind="gdb"``: gdb's view only)."""
    pid = live_local_pid()
    if pid is not None and kind != "gdb":
        return read_regions(pid)
    mappings = parse_proc_mappings(_gdb_text("info proc mappings"))
    core = gdb_core_facts()  # its PT_LOAD segments give exact p_flags
    sections = (core.load_sections if core else None) or parse_core_sections(
        _gdb_text("maintenance info sections"))
    truncation = core.lost if core else None
    if not mappings and not sections:
        raise TargetError("no memory map: no process or core file")
    landmarks = {"[stack]": stack_pointer(), "[vdso]": vdso_address(_gdb_text("info auxv"))}
    regions = merge_core_regions(mappings, sections, landmarks)
    perms_from_files(regions, MappedSymbols(regions, gdb.current_progspace().filename))
    if truncation:
        mark_truncated(regions, *truncation)
    return regions
