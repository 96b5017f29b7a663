"""The core file gdb has open, read from the file itself: its program headers, and the
memory it lacks when it was cut short (a core size limit, a full disk).

A cut core keeps the program headers that promise the memory past its end. gdb answers a
read there with the bytes of the mapped file on disk (a library's .data as linked, its
pointers unrelocated): ``core_memory`` makes that memory unreadable instead, and says why.
"""

import contextlib

import gdb

from ..corefile import CoreFile, CoreFileError
from ..coremaps import core_file_path, missing_ranges, truncation_note
from ..memory.holes import WithHoles


@contextlib.contextmanager
def gdb_core_file():
    """gdb's core file as a ``CoreFile``, or None (no core, or not readable here)."""
    try:
        path = core_file_path(gdb.execute("info target", to_string=True))
    except gdb.error:
        path = None
    core = None
    if path is not None:
        try:
            core = CoreFile(path)
        except CoreFileError:
            core = None
    try:
        yield core
    finally:
        if core is not None:
            core.close()


def lost_memory(core):
    """``(missing ranges, file size)`` of a ``CoreFile`` cut short, else None."""
    if core is None or core.truncated_at is None:
        return None
    return missing_ranges(core.loads, core.truncated_at), core.truncated_at


def core_truncation():
    """``lost_memory`` of gdb's core file."""
    with gdb_core_file() as core:
        return lost_memory(core)


def core_memory(memory):
    """``memory`` (gdb's reader of a core or remote target) with a truncated core's lost
    memory unreadable, for that reason."""
    truncation = core_truncation()
    if not truncation:
        return memory
    missing, file_size = truncation
    return WithHoles(memory, missing, truncation_note(file_size))
