"""``/proc/PID/mem`` backend: pread/pwrite on a live process we may ptrace (or as root).

A process that died keeps its open file, whose reads then return nothing: a short read
asks /proc whether the process is gone (or a zombie), and from then on every read raises
ProcessGone.
"""

import errno
import os

from ..errors import MemoryWriteError, ProcessGone, TargetError
from ..procfs import process_gone, read_regions, readable_ranges
from .base import Memory, read_contiguous


class ProcMemory(Memory):
    name = "procfs"
    writable = True

    def __init__(self, pid, write=False):
        self.pid = pid
        self._fd = None
        self._gone = False
        path = "/proc/%d/mem" % pid
        try:
            self._fd = os.open(path, os.O_RDWR if write else os.O_RDONLY)
        except OSError as error:
            raise TargetError("cannot open %s: %s" % (path, error.strerror)) from None
        self.writable = write

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self):
        self.close()

    def readable_ranges(self):
        return readable_ranges(read_regions(self.pid))

    def read_partial(self, address, size):
        if self._gone:
            raise ProcessGone(self.pid)
        if self._fd is None:
            raise TargetError("%s memory of process %d is closed" % (self.name, self.pid))
        data = read_contiguous(self._pread, address, size)
        if len(data) < size and process_gone(self.pid):
            self._gone = True
            raise ProcessGone(self.pid)
        return data

    def _pread(self, address, size):
        try:
            return os.pread(self._fd, size, address)
        except (OSError, OverflowError):
            return b""

    def write(self, address, data):
        if not self.writable:
            return super().write(address, data)
        try:
            written = os.pwrite(self._fd, data, address)
        except OSError as error:
            reason = "not mapped" if error.errno in (errno.EIO, errno.EFAULT) else error.strerror
            raise MemoryWriteError(address, len(data), reason) from None
        if written != len(data):
            raise MemoryWriteError(address, len(data), "only %d written" % written)
        return written
