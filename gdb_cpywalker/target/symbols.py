"""Where things are in a target: symbol addresses, the interpreter's object file, its sections.

``Symbols`` is the protocol every front end provides (``ProcessSymbols`` from
/proc/PID/maps and the mapped ELF files here; ``gdb/symbols.py:GdbSymbols`` inside gdb).
Addresses returned are run-time addresses: the ELF link-time value plus the load bias.
"""

import os
import re

from ..procfs import path_in_process, read_regions
from .elf import ElfError, ElfFile

#: A defined symbol that only the object file holding the CPython interpreter has.
INTERPRETER_SYMBOL = "Py_GetVersion"
LIBPYTHON_NAME = re.compile(r"libpython\d+\.\d+")


class Symbols:
    """Protocol. Subclasses provide ``objfiles()`` (``[(path, load bias)]``); the rest derives."""

    def __init__(self):
        self._elves = {}

    def objfiles(self):
        """Every mapped object file as ``(path, load bias)``, the main executable first."""
        raise NotImplementedError

    def elf(self, path):
        """The parsed ELF file at ``path`` (cached), or None if it cannot be read."""
        if path not in self._elves:
            try:
                self._elves[path] = ElfFile(self.local_path(path))
            except ElfError:
                self._elves[path] = None
        return self._elves[path]

    def local_path(self, path):
        """Where this machine can open the object file the target mapped as ``path``."""
        return path

    def load_bias(self, path):
        for objfile, bias in self.objfiles():
            if objfile == path:
                return bias
        return None

    def address(self, name):
        """Run-time address of the defined symbol ``name`` (libpython searched first), or None."""
        interpreter = self.libpython()
        ordered = ([interpreter] if interpreter else []) + [
            entry for entry in self.objfiles() if not interpreter or entry[0] != interpreter[0]]
        for path, bias in ordered:
            elf = self.elf(path)
            symbol = elf.symbol(name) if elf else None
            if symbol is not None:
                return symbol.value + bias
        return None

    def libpython(self):
        """``(path, load bias)`` of the object file holding the interpreter, or None.

        A mapped ``libpython*.so`` wins; else the first object file (usually the python
        executable itself, statically linked) that defines the interpreter's symbols.
        """
        candidates = self.objfiles()
        named = [entry for entry in candidates
                 if LIBPYTHON_NAME.search(os.path.basename(entry[0]))]
        for path, bias in named + candidates:
            elf = self.elf(path)
            if elf is not None and elf.symbol(INTERPRETER_SYMBOL) is not None:
                return path, bias
        return None

    def section(self, objfile, name):
        """``(start, end)`` run-time range of section ``name`` of ``objfile``, or None."""
        elf = self.elf(objfile)
        bias = self.load_bias(objfile)
        section = elf.section(name) if elf else None
        if section is None or bias is None or not section.addr:
            return None
        return section.addr + bias, section.addr + bias + section.size

    def pointer_size(self):
        """Pointer size of the interpreter's object file (8 when unknown)."""
        interpreter = self.libpython()
        elf = self.elf(interpreter[0]) if interpreter else None
        return elf.pointer_size if elf else 8

    def type_size(self, type_name):
        """``sizeof(type_name)`` from debug info when the front end has it, else None."""
        return None


class MappedSymbols(Symbols):
    """Symbols from the target's memory map: each file's first mapping gives its load bias."""

    def __init__(self, regions, executable=None):
        super().__init__()
        self.regions = regions
        self.executable = executable
        self._objfiles = None

    def first_mappings(self):
        """``{path: start}`` of each file mapped from offset 0 (where its ELF header lands)."""
        first_mapping = {}
        for region in self.regions:
            if region.path.startswith("/") and region.offset == 0:
                first_mapping.setdefault(region.path, region.start)
        return first_mapping

    def objfiles(self):
        if self._objfiles is None:
            objfiles = []
            for path, start in self.first_mappings().items():
                elf = self.elf(path)
                if elf is not None:
                    objfiles.append((path, start - elf.first_load_vaddr))
            objfiles.sort(key=lambda entry: entry[0] != self.executable)
            self._objfiles = objfiles
        return self._objfiles


class ProcessSymbols(MappedSymbols):
    """Symbols of a live local process: /proc/PID/maps plus the ELF files it mapped."""

    def __init__(self, pid):
        try:
            executable = os.readlink("/proc/%d/exe" % pid)
        except OSError:
            executable = None
        super().__init__(read_regions(pid), executable)
        self.pid = pid

    def local_path(self, path):
        return path_in_process(self.pid, path)
