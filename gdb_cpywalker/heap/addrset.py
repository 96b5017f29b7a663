"""Sets of addresses. ``AddressSet``: object addresses at one bit per 8 bytes of address
space, in 1 MiB granules allocated on first use: bounded memory (1/64 of the memory the
objects are in) where a Python set would keep an int per object. ``Spans``: ranges of
address space, asked with bisect."""

import bisect

GRANULE_SHIFT = 20
_GRANULE_BYTES = 1 << (GRANULE_SHIFT - 6)
_INDEX_MASK = (1 << (GRANULE_SHIFT - 3)) - 1


class AddressSet:
    """``new = seen.add_new(addresses)``: the addresses not seen before, now marked; an
    address outside ``where`` (Spans of the memory objects can be in) starts no granule and
    is never new (garbage words of a damaged object cannot make the set grow)."""

    def __init__(self, where=None):
        self.granules = {}
        self.count = 0
        self.where = where

    def add_new(self, addresses):
        granules = self.granules
        where = self.where
        new = []
        append = new.append
        for address in addresses:
            granule = granules.get(address >> GRANULE_SHIFT)
            if granule is None:
                if where is not None and address not in where:
                    continue
                granule = granules[address >> GRANULE_SHIFT] = bytearray(_GRANULE_BYTES)
            index = (address >> 3) & _INDEX_MASK
            bit = 1 << (index & 7)
            byte = granule[index >> 3]
            if not byte & bit:
                granule[index >> 3] = byte | bit
                append(address)
        self.count += len(new)
        return new

    def __contains__(self, address):
        granule = self.granules.get(address >> GRANULE_SHIFT)
        if granule is None:
            return False
        index = (address >> 3) & _INDEX_MASK
        return bool(granule[index >> 3] & (1 << (index & 7)))


class Spans:
    """``address in spans``: whether it lies in one of ``[(start, end)]`` (sorted, disjoint)."""

    def __init__(self, spans=()):
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        self.ends = [end for _, end in self.spans]

    def __contains__(self, address):
        return self.end(address) is not None

    def end(self, address):
        """The end of the span ``address`` lies in, or None."""
        index = bisect.bisect_right(self.starts, address) - 1
        return self.ends[index] if index >= 0 and address < self.ends[index] else None

    def overlap(self, start, end):
        """How many bytes of ``[start, end)`` the spans cover."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = bisect.bisect_left(self.starts, end)
        return sum(max(0, min(stop, end) - max(begin, start))
                   for begin, stop in self.spans[first:last])
