"""A sparse in-memory image: the backend unit tests build synthetic targets in."""

import bisect

from ..errors import MemoryWriteError
from .base import Memory


class ImageMemory(Memory):
    """Non-overlapping segments of bytes at chosen addresses; everything else is unmapped."""

    name = "image"
    writable = True

    def __init__(self, segments=()):
        self._starts = []
        self._segments = {}
        for address, data in segments:
            self.map(address, data)

    def map(self, address, data):
        """Map a new segment of ``data`` (bytes or size) at ``address``."""
        if isinstance(data, int):
            data = bytes(data)
        bisect.insort(self._starts, address)
        self._segments[address] = bytearray(data)

    def _segment_at(self, address):
        index = bisect.bisect_right(self._starts, address) - 1
        if index < 0:
            return None, None
        start = self._starts[index]
        segment = self._segments[start]
        if address >= start + len(segment):
            return None, None
        return start, segment

    def read_partial(self, address, size):
        out = b""
        while size > 0:
            start, segment = self._segment_at(address)
            if segment is None:
                break
            chunk = bytes(segment[address - start:address - start + size])
            out += chunk
            address += len(chunk)
            size -= len(chunk)
        return out

    def readable_ranges(self):
        return [(start, start + len(self._segments[start])) for start in self._starts]

    def write(self, address, data):
        start, segment = self._segment_at(address)
        if segment is None or address + len(data) > start + len(segment):
            raise MemoryWriteError(address, len(data))
        segment[address - start:address - start + len(data)] = data
        return len(data)
