"""A backend with holes: reads stop where the target's bytes are known to be lost.

gdb answers a read of memory a truncated core file lacks with the bytes of the mapped
file on disk (a library's .data as linked, not as the process had it): plausible and
wrong. ``WithHoles`` makes those ranges unreadable, and says why.
"""

from .base import Memory


class WithHoles(Memory):
    """``backend`` with ``holes`` (``[(start, end)]``) unreadable because of ``reason``."""

    def __init__(self, backend, holes, reason):
        self.backend = backend
        self.holes = sorted(holes)
        self.reason = reason
        self.name = backend.name
        self.writable = backend.writable

    def _hole_at(self, address):
        return any(start <= address < end for start, end in self.holes)

    def read_partial(self, address, size):
        if self._hole_at(address):
            return b""
        for start, _ in self.holes:
            if address < start < address + size:
                size = start - address
        return self.backend.read_partial(address, size)

    def readable_ranges(self):
        return self.backend.readable_ranges()

    def unreadable_reason(self, address):
        return self.reason if self._hole_at(address) else self.backend.unreadable_reason(address)

    def write(self, address, data):
        return self.backend.write(address, data)
