"""The files a core's process had mapped, found on this machine: ``FileLocator``, ``CoreSymbols``.

A path named in NT_FILE is looked up as: the executable given with ``--exe``; each
``--lib-path`` folder holding a file of the same name; ``--sysroot`` + the path; the path
itself (only without ``--sysroot``). A candidate whose GNU build-id differs from the one
the core dumped for that mapping (the ELF header page) is another build and is refused.
"""

import contextlib
import os

from ..memory.cache import PAGE_SIZE
from ..target.elf import ElfError, ElfFile
from ..target.symbols import LIBPYTHON_NAME, MappedSymbols
from .source import CoreFileError


class FileLocator:
    """Target path -> local ELF file (or None with a reason), decided once per path."""

    def __init__(self, core, exe=None, sysroot=None, lib_path=()):
        self.core = core
        self.exe = exe
        self.sysroot = sysroot
        self.lib_path = list(lib_path or ())
        program = core.executable_mapping()
        #: The program's path as the target mapped it (NT_FILE), or None.
        self.executable = program.path if program else None
        self._found = {}

    def find(self, path):
        """``(local path, None)`` or ``(None, why not)`` for the file the target mapped as ``path``."""
        if path not in self._found:
            self._found[path] = self._find(path)
        return self._found[path]

    def local_path(self, path):
        return self.find(path)[0]

    def _find(self, path):
        candidates = self._candidates(path)
        refused = None
        for candidate in candidates:
            if not os.path.isfile(candidate) or not os.access(candidate, os.R_OK):
                continue
            problem = self._mismatch(path, candidate)
            if problem is None:
                return candidate, None
            refused = refused or problem
        if refused:
            return None, refused
        return None, "%s is not readable here%s" % (
            path, "" if self.sysroot or self.lib_path else " (--sysroot DIR, --lib-path DIR)")

    def _candidates(self, path):
        if self.exe and path == self.executable:
            return [self.exe]
        out = [os.path.join(folder, os.path.basename(path)) for folder in self.lib_path]
        out.append(os.path.join(self.sysroot, path.lstrip("/")) if self.sysroot else path)
        return out

    def _mismatch(self, path, candidate):
        """Why ``candidate`` is not the file the core mapped as ``path`` (build-ids), or None."""
        dumped = self.dumped_build_id(path)
        if dumped is None:
            return None
        try:
            with contextlib.closing(ElfFile(candidate)) as elf:
                local = elf.build_id()
        except ElfError:
            return "%s is not an ELF file" % candidate
        if local is not None and local != dumped:
            return "%s is another build than the one the core mapped as %s (build-id %s, core %s)" % (
                candidate, path, local[:12], dumped[:12])
        return None

    def dumped_build_id(self, path):
        """The build-id in the ELF header page the core dumped for ``path``, or None."""
        for mapping in self.core.files or ():
            if mapping.path == path and mapping.offset == 0:
                image = self.core.dumped(mapping.start, PAGE_SIZE)
                if not image.startswith(b"\x7fELF"):
                    return None
                try:
                    return ElfFile(path, image=image).build_id()
                except ElfError:
                    return None
        return None


class CoreSymbols(MappedSymbols):
    """The target/symbols.py protocol for a core: its NT_FILE mappings, the files found by a locator."""

    def __init__(self, regions, locator):
        super().__init__(regions, locator.executable)
        self.locator = locator

    def local_path(self, path):
        return self.locator.local_path(path) or path

    def elf(self, path):
        if self.locator.local_path(path) is None:
            return None
        return super().elf(path)

    def libpython(self):
        """As ``Symbols.libpython``; when no file found here holds the interpreter but one the
        core names as libpython or the program was not found, CoreFileError says which."""
        found = super().libpython()
        if found is None:
            paths = sorted(self.first_mappings(), key=lambda path: not LIBPYTHON_NAME.search(path))
            for path in paths:
                local, why = self.locator.find(path)
                if local is None and (path == self.executable or LIBPYTHON_NAME.search(path)):
                    raise CoreFileError("no CPython interpreter found: %s" % why)
        return found
