"""Which logged call created each page: mmap, munmap, mremap, mprotect and brk replayed in order.

``replay(events)`` builds an ``AddressMap``: sorted, non-overlapping ``Piece`` ranges, each
knowing the call that created it (``origin``) and the later calls that moved or
reprotected it (``changes``). Partial unmaps and mprotect splits cut pieces in two; pages
mapped before tracking began (or by the kernel at exec) are simply not covered.
"""

import bisect
import dataclasses

from . import syscalls

PAGE_SIZE = 4096


@dataclasses.dataclass(frozen=True)
class Piece:
    start: int
    end: int
    origin: object
    changes: tuple = ()

    def contains(self, address):
        return self.start <= address < self.end

    def moved(self, delta, event):
        return Piece(self.start + delta, self.end + delta, self.origin, self.changes + (event,))


class AddressMap:
    """The tracked part of one address space."""

    def __init__(self, page_size=PAGE_SIZE):
        self.page_size = page_size
        self.pieces = []
        self._starts = []
        self.program_break = None

    def apply(self, event):
        if not event.failed:
            getattr(self, "_" + event.name)(event)

    def piece_at(self, address):
        index = bisect.bisect_right(self._starts, address) - 1
        if index >= 0 and self.pieces[index].contains(address):
            return self.pieces[index]
        return None

    def pieces_in(self, start, end):
        """The pieces overlapping ``[start, end)``, clipped to it, in address order."""
        low, high = self._window(start, end)
        return [_clip(piece, start, end) for piece in self.pieces[low:high]]

    def _mmap(self, event):
        start = event.result
        self._replace(start, start + self._pages(event.args[1]), [Piece(start, 0, event)])

    def _munmap(self, event):
        address, length = event.args[:2]
        self._carve(address, address + self._pages(length))

    def _mprotect(self, event):
        address, length = event.args[:2]
        end = address + self._pages(length)
        changed = [dataclasses.replace(piece, changes=piece.changes + (event,))
                   for piece in self._carve(address, end)]
        self._insert(changed)

    def _mremap(self, event):
        old, old_length, new_length, flags = event.args[:4]
        old_length, new_length = self._pages(old_length), self._pages(new_length)
        new = event.result
        if old_length == 0:  # a second mapping of the same shared pages
            self._replace(new, new + new_length, [Piece(new, 0, event)])
            return
        kept = min(old_length, new_length)
        moving = self._carve(old, old + kept)
        self._carve(old + kept, old + old_length)
        if flags & syscalls.MREMAP_DONTUNMAP:
            self._insert([dataclasses.replace(p, changes=p.changes + (event,)) for p in moving])
        pieces = [piece.moved(new - old, event) for piece in moving]
        if new_length > old_length:
            pieces.append(Piece(new + old_length, new + new_length, event))
        self._replace(new, new + new_length, pieces)

    def _brk(self, event):
        old, new = self.program_break, event.result
        self.program_break = new
        if old is None:
            return
        low, high = self._pages(old), self._pages(new)
        if high > low:
            self._replace(low, high, [Piece(low, high, event)])
        elif high < low:
            self._carve(high, low)

    def _pages(self, size):
        return (size + self.page_size - 1) & ~(self.page_size - 1)

    def _replace(self, start, end, pieces):
        """Unmap ``[start, end)`` and put ``pieces`` there (an ``end`` of 0 means up to ``end``)."""
        self._carve(start, end)
        self._insert([piece if piece.end else Piece(piece.start, end, piece.origin, piece.changes)
                      for piece in pieces])

    def _window(self, start, end):
        low = max(bisect.bisect_right(self._starts, start) - 1, 0)
        if low < len(self.pieces) and self.pieces[low].end <= start:
            low += 1
        return low, bisect.bisect_left(self._starts, end)

    def _carve(self, start, end):
        """Remove ``[start, end)``; returns the removed parts, clipped."""
        low, high = self._window(start, end)
        overlapping = self.pieces[low:high]
        remainders = []
        for piece in overlapping:
            if piece.start < start:
                remainders.append(Piece(piece.start, start, piece.origin, piece.changes))
            if piece.end > end:
                remainders.append(Piece(end, piece.end, piece.origin, piece.changes))
        self.pieces[low:high] = remainders
        self._starts[low:high] = [piece.start for piece in remainders]
        return [_clip(piece, start, end) for piece in overlapping]

    def _insert(self, pieces):
        for piece in pieces:
            if piece.end > piece.start:
                index = bisect.bisect_left(self._starts, piece.start)
                self.pieces.insert(index, piece)
                self._starts.insert(index, piece.start)


def _clip(piece, start, end):
    if piece.start >= start and piece.end <= end:
        return piece
    return Piece(max(piece.start, start), min(piece.end, end), piece.origin, piece.changes)


def replay(events, page_size=PAGE_SIZE):
    address_map = AddressMap(page_size)
    for event in events:
        address_map.apply(event)
    return address_map
