"""process_vm_readv/process_vm_writev backend (placeholder until implemented)."""
from .procfs import ProcMemory


class ProcessVmMemory(ProcMemory):
    name = "vm"

    @staticmethod
    def available():
        return False
