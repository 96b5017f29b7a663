"""The core file gdb has open, read from the file itself: its program headers, and the
memory it lacks when it was cut short (a core size limit, a full disk).

A cut core keeps the program headers that promise the memory past its end. gdb answers a
read there with the bytes of the mapped file on disk (a library's .data as linked, its
pointers unrelocated): ``core_memory`` makes that memory unreadable instead, and says why.

Every command asks, so what the file says is read once per file (path, inode, size and
modification time), not once per command.
"""

import os
from collections import namedtuple

import gdb

from ..corefile import CoreFile, CoreFileError
from ..corefile.regions import load_sections
from ..coremaps import core_file_path, missing_ranges, truncation_note
from ..memory.holes import WithHoles

#: ``load_sections``: (start, end, perms) of each PT_LOAD segment; ``lost``: ``lost_memory``.
CoreFacts = namedtuple("CoreFacts", "load_sections lost")

_facts = {}


def gdb_core_facts():
    """The ``CoreFacts`` of gdb's core file, or None (no core, or not readable here)."""
    try:
        path = core_file_path(gdb.execute("info target", to_string=True))
        status = os.stat(path) if path is not None else None
    except (gdb.error, OSError):
        return None
    if status is None:
        return None
    key = (path, status.st_ino, status.st_size, status.st_mtime_ns)
    if key not in _facts:
        _facts.clear()
        try:
            with CoreFile(path) as core:
                _facts[key] = CoreFacts(load_sections(core), lost_memory(core))
        except CoreFileError:
            _facts[key] = None
    return _facts[key]


def lost_memory(core):
    """``(missing ranges, file size)`` of a ``CoreFile`` cut short, else None."""
    if core.truncated_at is None:
        return None
    return missing_ranges(core.loads, core.truncated_at), core.truncated_at


def core_truncation():
    """``lost_memory`` of gdb's core file."""
    facts = gdb_core_facts()
    return facts.lost if facts else None


def core_memory(memory):
    """``memory`` (gdb's reader of a core or remote target) with a truncated core's lost
    memory unreadable, for that reason."""
    truncation = core_truncation()
    if not truncation:
        return memory
    missing, file_size = truncation
    return WithHoles(memory, missing, truncation_note(file_size))
