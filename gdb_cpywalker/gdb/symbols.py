"""``GdbSymbols``: the target/symbols.py protocol for the selected inferior, live or core;
``current_python``: which CPython build it runs and the layout to decode it with;
``open_python``: its memory (a fresh page cache) and that layout, for one command.

Object files and load biases come from the memory map gdb sees (/proc for a live local
process, ``info proc mappings`` for a core); symbols from their ELF files, opened as the
target sees them (``local_path``: a container's own files), first (.dynsym
is all a stripped build has), then from gdb itself (full symbols from debug info,
minimal symbols), which also answers when the ELF files are not readable here.
"""

import os
import re

import gdb

from ..errors import CpywalkerError, TargetError, UnsupportedTarget
from ..layouts import layout_for
from ..memory.cache import PageCache
from ..procfs import path_in_process, readable_ranges
from ..target.detect import detect_python
from ..target.symbols import MappedSymbols
from . import parameters
from .layoutcheck import warn_on_mismatch
from .memory import live_local_pid, open_memory
from .regions import current_regions

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class GdbSymbols(MappedSymbols):
    """Symbols of gdb's selected inferior; build one per command (the target may change)."""

    def __init__(self):
        try:
            regions = current_regions()
        except CpywalkerError:
            regions = []
        super().__init__(regions, gdb.current_progspace().filename)
        self._pid = live_local_pid()

    def local_path(self, path):
        start = self.first_mappings().get(path)
        return target_file(path, self._pid, gdb.solib_name(start) if start is not None else None)

    def address(self, name):
        found = super().address(name)
        if found is None and _IDENTIFIER.match(name):
            found = _gdb_symbol_address(name)
        return found

    def type_size(self, type_name):
        try:
            return gdb.lookup_type(type_name).sizeof
        except gdb.error:
            return None


def target_file(path, pid, loaded=None):
    """Where this gdb opens the file the target calls ``path``: live process ``pid``'s own
    view (/proc/PID/root: its mount namespace), else ``loaded`` (the file gdb loaded for
    it: ``set sysroot``, ``solib-search-path``), else sysroot + ``path``, else the program
    gdb was given when the names agree, else ``path``."""
    if pid is not None:
        return path_in_process(pid, path)
    candidates = [_local(loaded)] if loaded else []
    if sysroot():
        candidates.append(sysroot() + path)
    program = gdb.current_progspace().filename
    if program and os.path.basename(program) == os.path.basename(path):
        candidates.append(program)
    return next((candidate for candidate in candidates if os.access(candidate, os.R_OK)), path)


def sysroot():
    """gdb's ``set sysroot`` as a folder of this machine, or None (unset, ``/`` or ``target:``)."""
    folder = _local(gdb.parameter("sysroot") or "").rstrip("/")
    return folder or None


def _local(path):
    """A gdb file name without its ``target:`` prefix (on a core or a native target that is
    this machine's file system; a live process is read through /proc/PID/root instead)."""
    return path[len("target:"):] if path.startswith("target:") else path


def _gdb_symbol_address(name):
    """Address of ``name`` from debug info, else from gdb's minimal symbols; None if unknown."""
    for lookup in (gdb.lookup_global_symbol, gdb.lookup_static_symbol):
        try:
            symbol = lookup(name)
        except gdb.error:
            symbol = None
        if symbol is not None and (symbol.is_variable or symbol.is_function):
            try:
                return int(symbol.value().address.cast(gdb.lookup_type("unsigned long")))
            except (gdb.error, AttributeError):
                pass
    try:
        value = gdb.parse_and_eval("&'%s'" % name)
        return int(value.cast(gdb.lookup_type("unsigned long")))
    except gdb.error:
        return None


_python_targets = {}


def current_python(memory):
    """``(PythonTarget, layout)`` of the selected inferior, detected once per program state.

    Raises TargetError without a process or core, UnsupportedTarget for anything but
    CPython 2.7 (remembered too: the pretty-printer asks on every PyObject* it meets);
    the first detection with debug info also cross-checks the layout tables (one
    warning on a mismatch).
    """
    inferior = gdb.selected_inferior()
    if not inferior.threads():
        raise TargetError("no process or core file: attach (gdb -p PID), run the program "
                          "or load a core (core FILE)")
    key = (inferior.num, inferior.pid, gdb.current_progspace().filename, len(gdb.objfiles()))
    if key not in _python_targets:
        try:
            python = detect_python(memory, GdbSymbols())
        except UnsupportedTarget as error:
            _python_targets[key] = error
            raise
        layout = layout_for(python.pointer_size, python.unicode_width)
        warn_on_mismatch(layout)
        _python_targets[key] = python, layout
    known = _python_targets[key]
    if isinstance(known, UnsupportedTarget):
        raise known
    return known


def open_python(kind=None):
    """``(memory, layout)`` of the selected inferior: a fresh page cache (valid while the
    target stays stopped: one command) over the ``kind`` backend, else ``set cpywalker
    memory``, and the layout of the CPython 2.7 it runs (see ``current_python``)."""
    kind = parameters.memory_kind(kind)
    memory = PageCache(open_memory(kind), ranges=lambda: readable_ranges(current_regions(kind)))
    return memory, current_python(memory)[1]
