"""Runs of equal-sized slots decoded from bytes all at once: which slots hold live objects.

A pool's blocks and a run of int blocks' ints are each ``count`` slots of ``stride`` bytes
from ``base``; a static section is a run of 8-byte slots where an object may start. The
run's bytes are viewed as words (``memoryview.cast``), and each slot's refcount and type
word (at the slot's start for a non-GC type, ``gc_head`` in for a GC type) are taken with
one stepped slice each: the live slots are those with a positive refcount and a known type
of the right kind. ``Batch.entries`` holds one TypeEntry (or None) per slot, which a census
counts without a per-object step; ``Batch.column`` gives one field of every object the
same way; ``Batch.items()`` lists ``(address, entry, off)`` for the rest.
"""

import struct
from itertools import compress, repeat
from operator import is_

from .types import MAX_REFCNT

_WORD = struct.Struct("<q")
#: (refcount, type) at a chunk's start and a GC header in (gc_next, gc_prev, gc_refs, pad)
_HEADERS = struct.Struct("<qQqqqQ")


class Batch:
    """Live objects of one run of slots: ``entries[i]`` is slot ``i``'s type, or None."""

    __slots__ = ("data", "base", "first", "stride", "entries", "gc_head")

    def __init__(self, data, base, first, stride, entries, gc_head):
        self.data = data
        self.base = base
        self.first = first
        self.stride = stride
        self.entries = entries
        self.gc_head = gc_head

    def offsets(self, index, entry):
        """(address, offset in ``data``) of the object in slot ``index``."""
        step = index * self.stride + (self.gc_head if entry.gc else 0)
        return self.first + step, self.base + step

    def indexes(self, entry):
        """The slots holding an object of ``entry``."""
        return list(compress(range(len(self.entries)), map(is_, self.entries, repeat(entry))))

    def column(self, entry, field, indexes=None, every=False):
        """The signed word at ``field`` bytes into each object of ``entry`` (in ``indexes``,
        else in every slot of ``entry``; ``every``: the word of every slot, one per slot)."""
        shift = (self.gc_head if entry.gc else 0) + field
        inside = shift + 8 <= self.stride and not shift % 8
        if every and inside:
            return self._column(shift)
        if indexes is None:
            if inside:
                return compress(self._column(shift), map(is_, self.entries, repeat(entry)))
            indexes = self.indexes(entry)
        if not inside:
            return [_WORD.unpack_from(self.data, self.base + index * self.stride + shift)[0]
                    for index in indexes]
        values = self._column(shift)
        return [values[index] for index in indexes]

    def _column(self, shift):
        """The signed word ``shift`` bytes into every slot."""
        words = memoryview(self.data)[self.base:self.base + len(self.entries) * self.stride].cast("q")
        return words[shift // 8::self.stride // 8]

    def items(self):
        """``(address, entry, off)`` of every live object of the run."""
        first, base, stride, gc_head = self.first, self.base, self.stride, self.gc_head
        return [(first + index * stride + (gc_head if entry.gc else 0), entry,
                 base + index * stride + (gc_head if entry.gc else 0))
                for index, entry in enumerate(self.entries) if entry is not None]


class SlotDecoder:
    """Decodes runs of slots against a TypeTable's known types."""

    def __init__(self, table, gc_head):
        self.table = table
        self.gc_head = gc_head
        self.gc_word = gc_head // 8

    def decode(self, data, base, stride, count, free=(), gc=True):
        """One entry or None per slot (see the module docstring); ``gc``: slots may hold
        GC objects (a GC header then the object)."""
        table = self.table
        gc = gc and stride >= self.gc_head + 16
        words = memoryview(data)[base:base + count * stride].cast("q")
        per_slot = stride // 8
        entries = self._uniform(words, per_slot, count, free, gc)
        if entries is not None:
            return entries
        if gc:
            shift = self.gc_word
            entries = [first if first is not None and 0 < refcnt <= MAX_REFCNT else
                       (second if second is not None and 0 < gc_refcnt <= MAX_REFCNT else None)
                       for first, second, refcnt, gc_refcnt in zip(
                           map(table.nongc.get, words[1::per_slot]),
                           map(table.gc.get, words[shift + 1::per_slot]),
                           words[0::per_slot], words[shift::per_slot])]
        else:
            entries = [entry if entry is not None and 0 < refcnt <= MAX_REFCNT else None
                       for entry, refcnt in zip(map(table.nongc.get, words[1::per_slot]),
                                                words[0::per_slot])]
        for index in free:
            entries[index] = None
        if entries.count(None) > len(free):
            self._new_types(entries, words, per_slot, gc, free)
        return entries

    def _uniform(self, words, per_slot, count, free, gc):
        """The entries when every slot not free holds a live object of a known type, all
        at the slot's start or all after a GC header (one pass in C), else None."""
        first = list(map(self.table.nongc.get, words[1::per_slot]))
        missing = first.count(None)
        refcnts = words[0::per_slot]
        if missing and gc and missing == count:
            first = list(map(self.table.gc.get, words[self.gc_word + 1::per_slot]))
            missing = first.count(None)
            refcnts = words[self.gc_word::per_slot]
        if missing:
            return None
        if free:
            refcnts = list(refcnts)
            for index in free:
                refcnts[index] = 1
                first[index] = None
        if min(refcnts) <= 0 or max(refcnts) > MAX_REFCNT:
            return None
        return first

    def _new_types(self, entries, words, per_slot, gc, free):
        """Slots no known type explains: validate their type words once (the table
        remembers both verdicts)."""
        table = self.table
        shift = self.gc_word
        for index, entry in enumerate(entries):
            if entry is not None or index in free:
                continue
            first = index * per_slot
            if gc and 0 < words[first + shift] <= MAX_REFCNT:
                candidate = table.get(words[first + shift + 1])
                if candidate is not None and candidate.gc:
                    entries[index] = candidate
                    continue
            if 0 < words[first] <= MAX_REFCNT:
                candidate = table.get(words[first + 1])
                if candidate is not None and not candidate.gc:
                    entries[index] = candidate

    def one(self, data, off):
        """The entry of the object at ``data[off:]`` (at the start, or a GC header in), or None."""
        refcnt, type_address, _, _, gc_refcnt, gc_type = _HEADERS.unpack_from(data, off)
        table = self.table
        if 0 < refcnt <= MAX_REFCNT:
            entry = table.nongc.get(type_address)
            if entry is not None:
                return entry
        if 0 < gc_refcnt <= MAX_REFCNT:
            entry = table.gc.get(gc_type)
            if entry is not None:
                return entry
        if not (0 < refcnt <= MAX_REFCNT or 0 < gc_refcnt <= MAX_REFCNT):
            return None
        entries = [None]
        self._new_types(entries, (refcnt, type_address, 0, 0, gc_refcnt, gc_type), 6, True, ())
        return entries[0]

    def numbers(self, data, base, stride, count):
        """The int and float entries of a run of int or float slots (other slots None): a
        free slot's type word is a free-list link, never the type."""
        table = self.table
        words = memoryview(data)[base:base + count * stride].cast("q")
        per_slot = stride // 8
        numbers = table.numbers
        entries = list(map(numbers.get, words[1::per_slot]))
        if len(numbers) < 2 and entries.count(None) == count:
            known = len(numbers)
            for type_address, refcnt in zip(words[1::per_slot], words[0::per_slot]):
                if 0 < refcnt <= MAX_REFCNT and type_address not in numbers:
                    table.get(type_address)
            if len(numbers) > known:
                return self.numbers(data, base, stride, count)
        return entries

    def decode_words(self, words):
        """One entry or None per word of a static section: an object of any type may start
        at any word (static objects carry no GC header)."""
        get = self.table.get
        return [get(type_address) if 0 < refcnt <= MAX_REFCNT and type_address > 0
                and not type_address & 7 else None
                for refcnt, type_address in zip(words, words[1:])] + [None]
