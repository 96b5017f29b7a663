"""``CoreMemory``: the Memory protocol over a core file and the files its process mapped.

A byte at ``address`` comes from the PT_LOAD segment that dumped it; a page the core did
not dump (code, read-only data: ``filesz`` short of ``memsz``, or no segment at all as
gcore writes) comes from the file NT_FILE says was mapped there, as found by the
``FileLocator``. ``unreadable_reason`` says why an address has neither.
"""

import bisect
import os

from ..coremaps import truncation_note
from ..memory.base import Memory, read_contiguous
from .core import segment_perms


class CoreMemory(Memory):
    """Read-only memory of a ``CoreFile``; mapped files opened on first use."""

    name = "core"

    def __init__(self, core, locator):
        self.core = core
        self.locator = locator
        self._files = sorted(core.files or (), key=lambda mapping: mapping.start)
        self._file_starts = [mapping.start for mapping in self._files]
        self._fds = {}

    def close(self):
        for fd in self._fds.values():
            if fd is not None:
                os.close(fd)
        self._fds.clear()

    def readable_ranges(self):
        """Where the core has bytes to give: its PT_LOAD segments and the files it maps."""
        return [(segment.vaddr, segment.vaddr + segment.memsz) for segment in self.core.loads] + \
            [(mapping.start, mapping.end) for mapping in self._files]

    def read_partial(self, address, size):
        return read_contiguous(self._read_piece, address, size)

    def _read_piece(self, address, size):
        """Bytes from one source (a segment's dump, or one mapped file) at ``address``."""
        segment = self.core.load_at(address)
        if segment is not None and address < segment.vaddr + segment.filesz:
            return self.core.dumped(address, size)
        mapping = self.mapping_at(address)
        if mapping is None:
            return b""
        fd = self._file(mapping.path)
        if fd is None:
            return b""
        limit = mapping.end - address
        if segment is None:  # gcore: no segment here; stop where the next dumped one starts
            following = self.core.next_load(address)
            if following is not None:
                limit = min(limit, following.vaddr - address)
        offset = mapping.offset + address - mapping.start
        if offset >> 63:  # a damaged NT_FILE page offset: no file has such an offset
            return b""
        return os.pread(fd, min(size, limit), offset)

    def mapping_at(self, address):
        """The NT_FILE mapping holding ``address``, or None."""
        index = bisect.bisect_right(self._file_starts, address) - 1
        if index >= 0 and address < self._files[index].end:
            return self._files[index]
        return None

    def _file(self, path):
        if path not in self._fds:
            local = self.locator.local_path(path)
            try:
                self._fds[path] = os.open(local, os.O_RDONLY) if local else None
            except OSError:
                self._fds[path] = None
        return self._fds[path]

    def unreadable_reason(self, address):
        """Why ``address`` cannot be read: a cut core, a page not dumped, or nothing mapped."""
        segment = self.core.load_at(address)
        mapping = self.mapping_at(address)
        if segment is not None and address < segment.vaddr + segment.filesz:
            if self.core.truncated_at is not None:
                return truncation_note(self.core.truncated_at)
            return "not in the core file"
        if mapping is not None:
            found, why = self.locator.find(mapping.path)
            if found is None:
                return "not in the core file, and %s" % why
            return "not in the core file, nor in %s (past its end)" % found
        if segment is not None:
            return "not in the core file (%s: not dumped)" % segment_perms(segment.flags)
        return "not mapped"
