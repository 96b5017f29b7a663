"""``CoreFile``: the parsed headers and notes of a 64-bit little-endian Linux ELF core.

What it holds: the PT_LOAD segments (what memory the core dumped, and where in the
file), the threads (NT_PRSTATUS: LWP, signal, registers), the process (NT_PRPSINFO), the
signal that ended it (NT_SIGINFO), the auxiliary vector and the mapped files (NT_FILE).
A core that is not one, is from another architecture, or is cut before its notes is a
``CoreFileError`` with a one-line message; a core cut after them is ``truncated_at`` its size.
"""

import bisect
import os
import signal

from ..target.elf import ELFCLASS64, ET_CORE, PF_R, PF_W, PF_X, ElfError, ElfFile
from . import notes as nt
from .source import CoreFileError, open_source

_ELF_TYPES = {1: "a relocatable object", 2: "an executable", 3: "a shared library or PIE executable"}


def segment_perms(flags):
    """``r-xp`` of a PT_LOAD's p_flags (private: a core does not say, nor does NT_FILE)."""
    return ("r" if flags & PF_R else "-") + ("w" if flags & PF_W else "-") + ("x" if flags & PF_X else "-") + "p"


class CoreFile:
    """``CoreFile(path)``: ``loads``, ``threads``, ``process``, ``signal``, ``auxv``, ``files``.

    ``path`` may be compressed (see source.py) or ``-`` (standard input).
    """

    def __init__(self, path):
        self.source = open_source(path)
        self.name = self.source.name
        self._elf = None
        try:
            self._elf = self._open_elf()
            self._parse()
        except BaseException:
            self.close()
            raise

    def close(self):
        if getattr(self, "_elf", None) is not None:
            self._elf.close()
            self._elf = None
        if self.source.fd is not None:
            os.close(self.source.fd)
            self.source = self.source._replace(fd=None)

    def __del__(self):
        if getattr(self, "source", None) is not None:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _open_elf(self):
        head = os.pread(self.source.fd, 20, 0)
        if len(head) < 20 or head[:4] != b"\x7fELF":
            what = "empty" if not head else "not an ELF file"
            raise CoreFileError("%s is not a core file (%s)" % (self.name, what))
        if head[4] != ELFCLASS64 or head[5] != 1:
            raise CoreFileError("%s: only 64-bit little-endian cores are supported" % self.name)
        kind = int.from_bytes(head[16:18], "little")
        if kind != ET_CORE:
            raise CoreFileError("%s is %s, not a core file" % (self.name, _ELF_TYPES.get(kind, "an ELF file")))
        try:
            return ElfFile(self.name, fd=os.dup(self.source.fd))
        except ElfError:
            raise CoreFileError(self._cut("its ELF headers are cut")) from None

    def _parse(self):
        self.machine = self._elf.machine
        self.loads = sorted((segment for segment in self._elf.load_segments if segment.memsz),
                            key=lambda segment: segment.vaddr)
        self._starts = [segment.vaddr for segment in self.loads]
        self.threads = []
        self.process = self.signal = None
        self.auxv = {}
        self.files = None
        try:
            core_notes = [note for note in self._elf.notes() if note.name in ("CORE", "LINUX")]
        except ElfError:
            raise CoreFileError(self._cut("its notes are missing")) from None
        for note in core_notes:
            try:
                self._note(note)
            except nt.NoteError as error:
                raise CoreFileError("%s: damaged core file: %s" % (self.name, error)) from None
        if not self.threads:
            raise CoreFileError("%s: damaged core file: no NT_PRSTATUS note (no thread)" % self.name)
        ends = [segment.offset + segment.filesz for segment in self.loads if segment.filesz]
        #: The file size when the PT_LOAD data runs past it (a cut core), else None.
        self.truncated_at = self.source.size if ends and max(ends) > self.source.size else None

    def _note(self, note):
        if note.name != "CORE":
            return
        if note.type == nt.NT_PRSTATUS:
            self.threads.append(nt.parse_prstatus(note.desc, self.machine))
        elif note.type == nt.NT_PRPSINFO:
            self.process = nt.parse_prpsinfo(note.desc)
        elif note.type == nt.NT_SIGINFO and self.signal is None:
            self.signal = nt.parse_siginfo(note.desc)
        elif note.type == nt.NT_AUXV:
            self.auxv = nt.parse_auxv(note.desc)
        elif note.type == nt.NT_FILE:
            self.files = nt.parse_file_note(note.desc)

    def _cut(self, what):
        """The one-line error of a core cut too short to use."""
        text = "%s: truncated core file (%d bytes): %s" % (self.name, self.source.size, what)
        if self.source.truncated_stream:
            text += " (the %s stream ends early: %s)" % (self.source.compression, self.source.truncated_stream)
        return text

    def load_at(self, address):
        """The PT_LOAD segment whose ``[vaddr, vaddr + memsz)`` holds ``address``, or None."""
        index = bisect.bisect_right(self._starts, address) - 1
        if index >= 0 and address < self.loads[index].vaddr + self.loads[index].memsz:
            return self.loads[index]
        return None

    def next_load(self, address):
        """The first PT_LOAD starting above ``address``, or None."""
        index = bisect.bisect_right(self._starts, address)
        return self.loads[index] if index < len(self.loads) else None

    def pread(self, offset, size):
        """Up to ``size`` bytes of the core file at ``offset`` (short past its end)."""
        if offset >= self.source.size:  # a cut core, or a damaged p_offset
            return b""
        return os.pread(self.source.fd, min(size, self.source.size - offset), offset)

    def dumped(self, address, size):
        """Bytes at ``address`` the core holds, up to ``size`` and within one segment (b"": none)."""
        segment = self.load_at(address)
        if segment is None or address >= segment.vaddr + segment.filesz:
            return b""
        delta = address - segment.vaddr
        return self.pread(segment.offset + delta, min(size, segment.filesz - delta))

    def main_thread(self):
        """The thread whose LWP is the process's PID (the first note's thread when unknown)."""
        pid = self.process.pid if self.process else None
        return next((thread for thread in self.threads if thread.lwp == pid), self.threads[0])

    def stack_pointer(self, thread):
        name = nt.STACK_POINTER.get(self.machine)
        return thread.registers.get(name) if name else None

    def pthread_id(self, thread):
        """The thread's pthread_t (``thread.get_ident()`` of a Python thread), or None."""
        name = nt.THREAD_POINTER.get(self.machine)
        return thread.registers.get(name) if name else None

    def thread_of(self, pthread_id):
        """The ``CoreThread`` whose pthread_t is ``pthread_id`` (a Python thread id), or None."""
        return next((thread for thread in self.threads if self.pthread_id(thread) == pthread_id), None)

    def executable_mapping(self):
        """The NT_FILE entry holding the program's entry point (AT_ENTRY, else AT_PHDR), or None."""
        for key in (nt.AT_ENTRY, nt.AT_PHDR):
            address = self.auxv.get(key)
            for mapping in self.files or ():
                if address is not None and mapping.start <= address < mapping.end:
                    return mapping
        return None

    def describe(self):
        """``core file F of PID 42 (python2.7 app.py), signal SIGSEGV at 0x0``: one line."""
        text = "core file %s" % self.name
        if self.process:
            command = self.process.psargs or self.process.fname
            text += " of PID %d (%s)" % (self.process.pid, command.encode("unicode_escape").decode("ascii")
                                         if not command.isprintable() else command)
        if self.signal and self.signal.signo:
            text += ", %s" % signal_text(self.signal)
        if self.truncated_at is not None:
            text += ", truncated at offset %d" % self.truncated_at
        return text


def signal_text(info):
    """``signal SIGSEGV at 0x10`` / ``signal SIGABRT sent by PID 7``: how the dump was triggered."""
    try:
        name = signal.Signals(info.signo).name
    except ValueError:
        name = "signal %d" % info.signo
    text = "signal " + name
    if info.address is not None:
        text += " at %#x" % info.address
    elif info.sender is not None:
        text += " sent by PID %d" % info.sender
    return text
