"""Choosing the backend for a live local process: ``auto`` prefers process_vm_readv."""

from ..errors import UsageError
from .procfs import ProcMemory
from .vm import ProcessVmMemory

#: Backends that read a live local process directly (gdb's own reader is the front end's).
PROCESS_KINDS = ("auto", "procfs", "vm")


def open_process_memory(pid, kind="auto", write=False):
    """The Memory of live process ``pid``: ``vm`` when available (or asked), else ``procfs``."""
    if kind not in PROCESS_KINDS:
        raise UsageError("unknown memory backend %r (choose from %s)" % (kind, ", ".join(PROCESS_KINDS)))
    if kind == "vm" or (kind == "auto" and ProcessVmMemory.available()):
        return ProcessVmMemory(pid, write=write)
    return ProcMemory(pid, write=write)
