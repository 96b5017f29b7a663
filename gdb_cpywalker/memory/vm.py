"""process_vm_readv/process_vm_writev backend through ctypes: many scattered reads per syscall.

``read_many`` packs up to IOV_MAX requests into one call, one remote iovec each,
which is what makes walking an object graph fast. When a call comes back short, it
is redone page-aware like the process_vm_io crate: remote ranges split at page
boundaries, so the partial transfer (the kernel stops at the first remote iovec it
cannot copy) ends exactly at the first unreadable page.

process_vm_writev cannot write read-only pages (code, relro); /proc/PID/mem can
(the kernel forces the write), so a write that stops at such a page goes on there.
"""

import ctypes
import errno
import os
from array import array
from itertools import accumulate, chain

from ..errors import MemoryWriteError, ProcessGone, TargetError
from .base import Memory
from .procfs import ProcMemory

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
IOV_MAX = os.sysconf("SC_IOV_MAX")
_ADDRESS_LIMIT = 1 << 64
#: Largest buffer one optimistic call allocates; bigger reads go page by page.
OPTIMISTIC_LIMIT = 64 << 20


def _syscalls():
    libc = ctypes.CDLL(None, use_errno=True)
    functions = []
    for name in ("process_vm_readv", "process_vm_writev"):
        function = getattr(libc, name)
        function.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong,
                             ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
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


def _flat_pieces(address, size):
    """``page_pieces`` as a flat [address, length, address, length, ...] list (remote iovecs)."""
    if address % PAGE_SIZE + size <= PAGE_SIZE and address + size <= _ADDRESS_LIMIT:
        return [address, size]
    return [number for piece in page_pieces(address, size) for number in piece]


def _spans(address, size):
    """Split a range into spans of at most IOV_MAX pages (one syscall each)."""
    end = min(address + size, _ADDRESS_LIMIT)
    while address < end:
        stop = min(end, (address // PAGE_SIZE + IOV_MAX) * PAGE_SIZE)
        yield address, stop - address
        address = stop


def _vm_call(function, pid, flat, buffer):
    """One process_vm_readv/writev: remote iovecs ``flat``, one local ``buffer``; (count, errno)."""
    remote = array("Q", flat)
    local_memory = (ctypes.c_char * len(buffer)).from_buffer(buffer)
    local = array("Q", (ctypes.addressof(local_memory), len(buffer)))
    count = function(pid, local.buffer_info()[0], 1, remote.buffer_info()[0], len(remote) // 2, 0)
    del local_memory
    return (count, 0) if count >= 0 else (0, ctypes.get_errno())


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

    readable_ranges = ProcMemory.readable_ranges

    def read_partial(self, address, size):
        return self.read_many([(address, size)])[0]

    def read_many(self, requests):
        """Read every ``(address, size)`` in as few syscalls as possible; short where memory ends.

        Optimistic first: one remote iovec per request, IOV_MAX requests per call. Only a
        call that comes back short is redone page by page, to find where each read stops.
        """
        requests = list(requests)
        results = []
        for start in range(0, len(requests), IOV_MAX):
            chunk = requests[start:start + IOV_MAX]
            results.extend(self._read_whole(chunk) or self._read_pieces(chunk))
        return results

    def _read_whole(self, chunk):
        """The results when every byte of ``chunk`` is readable, else None."""
        if not all(0 < size and address + size <= _ADDRESS_LIMIT for address, size in chunk):
            return None
        flat = list(chain.from_iterable(chunk))
        sizes = flat[1::2]
        ends = list(accumulate(sizes))
        if ends[-1] > OPTIMISTIC_LIMIT:
            return None
        buffer = bytearray(ends[-1])
        if self._transfer(_READV, flat, buffer) < ends[-1]:
            return None
        view = memoryview(buffer)
        return [bytes(view[end - size:end]) for size, end in zip(sizes, ends)]

    def _read_pieces(self, requests):
        """The general path: requests split at page boundaries, a new call after each unreadable page."""
        results = [b""] * len(requests)
        batch, flat = [], []
        for index, (address, size) in enumerate(requests):
            if size <= 0 or address >= _ADDRESS_LIMIT:
                continue
            pieces = _flat_pieces(address, size)
            if len(pieces) > 2 * IOV_MAX:
                results[index] = self._read_large(address, size)
                continue
            if len(flat) + len(pieces) > 2 * IOV_MAX:
                self._read_batch(batch, flat, results)
                batch, flat = [], []
            batch.append((index, sum(pieces[1::2]), len(pieces)))
            flat.extend(pieces)
        if batch:
            self._read_batch(batch, flat, results)
        return results

    def _read_batch(self, batch, flat, results):
        """One syscall for ``batch`` [(index, size, flat length)]; after a request that stops
        short (an unreadable page), the rest of the batch goes again in a new call."""
        while batch:
            buffer = bytearray(sum(size for _, size, _ in batch))
            copied = self._transfer(_READV, flat, buffer)
            view = memoryview(buffer)
            offset = 0
            for position, (index, size, _) in enumerate(batch):
                if offset + size > copied:
                    results[index] = bytes(view[offset:max(offset, copied)])
                    break
                results[index] = bytes(view[offset:offset + size])
                offset += size
            else:
                return
            flat = flat[sum(length for _, _, length in batch[:position + 1]):]
            batch = batch[position + 1:]

    def _read_large(self, address, size):
        out = []
        for start, length in _spans(address, size):
            chunk = self._read_pieces([(start, length)])[0]
            out.append(chunk)
            if len(chunk) < length:
                break
        return b"".join(out)

    def write(self, address, data):
        if not self.writable:
            return super().write(address, data)
        data = bytes(data)
        done = 0
        for start, length in _spans(address, len(data)):
            written = self._transfer(_WRITEV, _flat_pieces(start, length),
                                     bytearray(data[done:done + length]))
            if written < length:
                self._write_procfs(start + written, data[done + written:])
                break
            done += length
        return len(data)

    def _write_procfs(self, address, data):
        """Finish a write process_vm_writev refused (read-only page) through /proc/PID/mem."""
        if self._procfs is None:
            self._procfs = ProcMemory(self.pid, write=True)
        try:
            self._procfs.write(address, data)
        except MemoryWriteError as error:
            raise MemoryWriteError(address, len(data), error.reason) from None

    def _transfer(self, function, flat, buffer):
        """Bytes transferred by one call; 0 when the first page is not accessible."""
        count, code = _vm_call(function, self.pid, flat, buffer)
        if code == errno.ESRCH:  # also a zombie: its memory is gone
            raise ProcessGone(self.pid)
        if code == errno.EPERM:
            raise TargetError("not permitted to access process %d (ptrace rights)" % self.pid)
        return count


def _probe_self():
    source = bytearray(b"cpywalker")
    address = ctypes.addressof((ctypes.c_char * len(source)).from_buffer(source))
    target = bytearray(len(source))
    count, _ = _vm_call(_READV, os.getpid(), [address, len(source)], target)
    return count == len(source) and target == source
