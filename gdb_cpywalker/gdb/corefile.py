"""The core file gdb has open, when one is: is it cut short, and which memory does it lack.

A core file cut short (a core size limit, a full disk) keeps the program headers that
promise the memory past its end. ``core_truncation`` finds it from ``info target`` and
the file's program headers; ``core_memory`` is gdb's reader with that memory unreadable
(gdb would answer with the bytes of the mapped file on disk: a library's .data as linked).
"""

import os

import gdb

from ..coremaps import core_file_path, missing_ranges
from ..errors import TargetError
from ..memory.holes import WithHoles
from ..target.elf import ElfFile


def core_truncation():
    """``(missing ranges, file size)`` when gdb's target is a core file cut short (see
    ``coremaps.missing_ranges``), else None."""
    try:
        path = core_file_path(gdb.execute("info target", to_string=True))
    except gdb.error:
        return None
    if path is None:
        return None
    try:
        core = ElfFile(path)
        size = os.path.getsize(path)
    except (TargetError, OSError):
        return None
    missing = missing_ranges(core.load_segments, size)
    core.close()
    return (missing, size) if missing else None


def core_memory(memory):
    """``memory`` (gdb's reader of a core or remote target) with a truncated core's lost
    memory unreadable."""
    truncation = core_truncation()
    return WithHoles(memory, truncation[0]) if truncation else memory
