"""process_vm_readv/process_vm_writev backend through ctypes: many scattered reads per syscall.

Page-aware like the process_vm_io crate: every remote range is split at page
boundaries, so a partial transfer (the kernel stops at the first remote iovec it
cannot copy) ends exactly at the first unreadable page, and at most IOV_MAX remote
iovecs go into one call. ``read_many`` packs many requests into one call, which is
what makes walking an object graph fast.

process_vm_writev cannot write read-only pages (code, relro); /proc/PID/mem can
(the kernel forces the write), so a write that stops at such a page goes on there.
"""

import ctypes
import errno
import os

from ..errors import MemoryWriteError, TargetError
from .base import Memory
from .procfs import ProcMemory

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
IOV_MAX = os.sysconf("SC_IOV_MAX")
_ADDRESS_LIMIT = 1 << 64


class _Iovec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


def _syscalls():
    libc = ctypes.CDLL(None, use_errno=True)
    functions = []
    for name in ("process_vm_readv", "process_vm_writev"):
        function = getattr(libc, name)
        function.argtypes = [ctypes.c_int, ctypes.POINTER(_Iovec), ctypes.c_ulong,
                             ctypes.POINTER(_Iovec), ctypes.c_ulong, ctypes.c_ulong]
        function.restype = ctypes.c_ssize_t
        functions.append(function)
    return functions


try:
    _READV, _WRITEV = _syscalls()
except (AttributeError, OSError):
    _READV = _WRITEV = None


def page_pieces(address, size):
    """Split ``[address, address + size)`` at page boundaries: a list of (address, length)."""
    end = min(address + size, _ADDRESS_LIMIT)
    pieces = []
    while address < end:
        step = min(end, (address // PAGE_SIZE + 1) * PAGE_SIZE) - address
        pieces.append((address, step))
        address += step
    return pieces


class ProcessVmMemory(Memory):
    """The memory of live process ``pid`` through process_vm_readv (writes if ``write``)."""

    name = "vm"
    _available = None

    def __init__(self, pid, write=False):
        if not os.path.exists("/proc/%d" % pid):
            raise TargetError("no process %d" % pid)
        if not self.available():
            raise TargetError("process_vm_readv does not work here; use --memory procfs")
        self.pid = pid
        self.writable = write
        self._procfs = None

    @classmethod
    def available(cls):
        """Whether process_vm_readv works here (tried once on this process's own memory)."""
        if cls._available is None:
            cls._available = _READV is not None and _probe_self()
        return cls._available

    def close(self):
        if self._procfs is not None:
            self._procfs.close()
            self._procfs = None

    def read_partial(self, address, size):
        return self.read_many([(address, size)])[0]

    def read_many(self, requests):
        """Read every ``(address, size)``, IOV_MAX pages per syscall; short results where memory ends."""
        results = [[] for _ in requests]
        pending = []  # (request index, address, length), one per page piece
        for index, (address, size) in enumerate(requests):
            pending.extend((index, a, n) for a, n in page_pieces(address, max(size, 0)))
        start = 0
        while start < len(pending):
            batch = pending[start:start + IOV_MAX]
            data, copied = self._transfer(_READV, batch)
            done = 0
            for index, _, length in batch:
                if done + length > copied:  # this page is unreadable: its request ends here
                    while start < len(pending) and pending[start][0] == index:
                        start += 1
                    break
                results[index].append(data[done:done + length])
                done += length
                start += 1
        return [b"".join(chunks) for chunks in results]

    def write(self, address, data):
        if not self.writable:
            return super().write(address, data)
        data = bytes(data)
        if not data:
            return 0
        pieces = [(0, a, n) for a, n in page_pieces(address, len(data))]
        _, written = self._transfer(_WRITEV, pieces, data)
        if written < len(data):
            self._write_procfs(address + written, data[written:])
        return len(data)

    def _write_procfs(self, address, data):
        """Finish a write process_vm_writev refused (read-only page) through /proc/PID/mem."""
        if self._procfs is None:
            self._procfs = ProcMemory(self.pid, write=True)
        try:
            self._procfs.write(address, data)
        except MemoryWriteError as error:
            raise MemoryWriteError(address, len(data), error.reason) from None

    def _transfer(self, function, pieces, payload=None):
        """One syscall over ``pieces``; returns (local bytes, count transferred)."""
        total = sum(length for _, _, length in pieces)
        buffer = ctypes.create_string_buffer(payload, total) if payload else \
            ctypes.create_string_buffer(total)
        local = _Iovec(ctypes.cast(buffer, ctypes.c_void_p), total)
        remote = (_Iovec * len(pieces))()
        for slot, (_, address, length) in zip(remote, pieces):
            slot.iov_base = address
            slot.iov_len = length
        count = function(self.pid, ctypes.byref(local), 1, remote, len(pieces), 0)
        if count < 0:
            code = ctypes.get_errno()
            if code == errno.ESRCH:
                raise TargetError("process %d is gone" % self.pid)
            if code == errno.EPERM:
                raise TargetError("not permitted to access process %d (ptrace rights)" % self.pid)
            count = 0  # EFAULT and friends: the first page is not accessible
        return (buffer.raw[:count] if payload is None else b""), count


def _probe_self():
    source = ctypes.create_string_buffer(b"cpywalker", 9)
    target = ctypes.create_string_buffer(9)
    local = _Iovec(ctypes.cast(target, ctypes.c_void_p), 9)
    remote = _Iovec(ctypes.cast(source, ctypes.c_void_p), 9)
    return _READV(os.getpid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) == 9 \
        and target.raw == source.raw
