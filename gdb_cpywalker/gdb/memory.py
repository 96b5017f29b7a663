"""Memory backends as gdb sees the target: gdb's own reader, and the choice of fast path."""

import os

import gdb

from ..memory.base import Memory
from ..memory.process import open_process_memory
from ..memory.vm import page_pieces
from ..errors import MemoryWriteError, ProcessGone, UsageError
from ..procfs import process_gone
from .truncation import core_memory

MEMORY_KINDS = ("auto", "gdb", "procfs", "vm")


class GdbMemory(Memory):
    """Reads through ``Inferior.read_memory``: live, core files and remote targets alike.

    ``pid``: the live local process read (None for a core or a remote target): a read that
    stops short then asks /proc whether it is gone, as ProcMemory does.
    """

    name = "gdb"
    writable = True

    def __init__(self, inferior=None, pid=None):
        self.inferior = inferior or gdb.selected_inferior()
        self.pid = pid

    def read_partial(self, address, size):
        try:
            return self.inferior.read_memory(address, size).tobytes()
        except (gdb.MemoryError, OverflowError, ValueError):
            pass
        out = []
        for start, length in page_pieces(address, size):
            try:
                out.append(self.inferior.read_memory(start, length).tobytes())
            except (gdb.MemoryError, OverflowError, ValueError):
                break
        if self.pid is not None and process_gone(self.pid):
            raise ProcessGone(self.pid)
        return b"".join(out)

    def write(self, address, data):
        try:
            self.inferior.write_memory(address, data)
        except gdb.MemoryError as error:
            raise MemoryWriteError(address, len(data), str(error)) from None
        return len(data)


def live_local_pid():
    """PID of the selected inferior when it is a live process on this machine, else None."""
    inferior = gdb.selected_inferior()
    if not inferior.pid or not inferior.threads():
        return None
    connection = getattr(inferior, "connection", None)
    kind = getattr(connection, "type", None)
    if kind is not None and kind != "native":
        return None
    if kind is None and "core" in gdb.execute("info target", to_string=True).split("\n", 1)[0]:
        return None
    return inferior.pid if os.path.exists("/proc/%d/mem" % inferior.pid) else None


def open_memory(kind="auto", write=False):
    """The Memory for the selected inferior: ``auto`` takes the fast path when it can."""
    if kind not in MEMORY_KINDS:
        raise UsageError("unknown memory backend %r (choose from %s)" % (kind, ", ".join(MEMORY_KINDS)))
    pid = live_local_pid()
    if pid is not None and process_gone(pid):  # killed, not yet reaped by gdb
        raise ProcessGone(pid)
    if kind == "gdb":
        return GdbMemory(pid=pid) if pid is not None else core_memory(GdbMemory())
    if pid is None:
        if kind == "auto":
            return core_memory(GdbMemory())
        raise UsageError("the %s memory backend needs a live local process: use --memory gdb "
                         "or set cpywalker memory auto" % kind)
    return open_process_memory(pid, kind, write=write)
