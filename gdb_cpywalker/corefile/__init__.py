"""ELF core files read without gdb: the memory, mapped files, threads and registers of a crash.

``open_core(path, exe=None, sysroot=None, lib_path=())`` -> ``Core``::

    core = open_core("core.4242")            # .gz/.xz/.bz2/.zst and "-" (stdin) too
    core.memory                               # a Memory backend (memory/base.py)
    core.symbols                              # the target/symbols.py protocol
    core.regions()                            # procfs.Region records, /proc/PID/maps style
    core.file.threads                         # [CoreThread(lwp, signal, registers{name: int})]
    core.file.thread_of(python_thread_id)     # the CoreThread of a Python thread (fs_base)

Layers: source.py (bytes, decompression) -> core.py + notes.py (headers, notes) ->
files.py (mapped files here, build-ids) -> memory.py, regions.py.
"""

import os

from .core import CoreFile, segment_perms, signal_text
from .files import CoreSymbols, FileLocator
from .memory import CoreMemory
from .notes import CoreThread, FileMapping, ProcessInfo, SignalInfo
from .regions import core_regions, file_regions, perms_from_files
from .source import CoreFileError

__all__ = ["Core", "CoreFile", "CoreFileError", "CoreMemory", "CoreSymbols", "CoreThread",
           "FileLocator", "FileMapping", "ProcessInfo", "SignalInfo", "open_core",
           "perms_from_files", "segment_perms", "signal_text"]


class Core:
    """An opened core: ``file`` (CoreFile), ``locator``, ``memory``, ``symbols``, ``regions()``."""

    def __init__(self, core_file, locator):
        self.file = core_file
        self.locator = locator
        self.memory = CoreMemory(core_file, locator)
        self._regions = None
        self.symbols = CoreSymbols(file_regions(core_file), locator)

    def regions(self):
        """Every region, in address order (computed once)."""
        if self._regions is None:
            self._regions = core_regions(self.file, self.symbols)
        return self._regions

    def warnings(self):
        """One-line notes a front end shows before its output: cut cores, unverified files."""
        out = []
        source = self.file.source
        if source.truncated_stream:
            out.append("%s: the %s stream ends early (%s): reading the %d bytes it held"
                       % (self.file.name, source.compression, source.truncated_stream, source.size))
        if self.file.truncated_at is not None:
            out.append("%s: truncated core file: memory past offset %d is missing"
                       % (self.file.name, self.file.truncated_at))
        return out

    def close(self):
        self.memory.close()
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_core(path, exe=None, sysroot=None, lib_path=()):
    """The ``Core`` of the core file at ``path``; CoreFileError (one line) when it cannot be used."""
    core_file = CoreFile(path)
    try:
        if core_file.files is None:
            raise CoreFileError("%s has no NT_FILE note: cannot tell which files were mapped "
                                "(a core from Linux before 3.7?)" % core_file.name)
        if sysroot is not None and not os.path.isdir(sysroot):
            raise CoreFileError("--sysroot %s: not a directory" % sysroot)
        locator = FileLocator(core_file, exe, sysroot, lib_path)
        if exe is not None:
            _check_exe(core_file, locator, exe)
        return Core(core_file, locator)
    except BaseException:
        core_file.close()
        raise


def _check_exe(core_file, locator, exe):
    if not os.path.isfile(exe):
        raise CoreFileError("--exe %s: no such file" % exe)
    if locator.executable is None:
        raise CoreFileError("%s: cannot tell which mapped file is the program (no AT_ENTRY)"
                            % core_file.name)
    found, why = locator.find(locator.executable)
    if found is None:
        raise CoreFileError("--exe %s is not the program of this core: %s" % (exe, why))
