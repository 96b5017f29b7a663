"""A backend with holes: reads stop where the target's bytes are known to be lost.

gdb answers a read of memory a truncated core file lacks with the bytes of the mapped
file on disk (a library's .data as linked, not as the process had it): plausible and
wrong. ``WithHoles`` makes those ranges unreadable, so readers report them as missing.
"""

from .base import Memory


class WithHoles(Memory):
    """``backend`` with ``holes`` (``[(start, end)]``) unreadable."""

    def __init__(self, backend, holes):
        self.backend = backend
        self.holes = sorted(holes)
        self.name = backend.name
        self.writable = backend.writable

    def read_partial(self, address, size):
        for start, end in self.holes:
            if start <= address < end:
                return b""
            if address < start < address + size:
                size = start - address
        return self.backend.read_partial(address, size)

    def write(self, address, data):
        return self.backend.write(address, data)
