"""Runs of equal-sized slots decoded from bytes all at once: which slots hold live objects.

A pool's blocks and an int block's ints are each a run of ``count`` slots of ``stride``
bytes from ``base``; a static section is a run of 8-byte slots where an object may start. One struct unpack per run reads every
slot's refcount and type word (at the slot's start for a non-GC type, ``gc_head`` in for a
GC type); the live ones are those with a positive refcount and a known type of the right
kind. ``Batch.entries`` holds one TypeEntry (or None) per slot, which a census counts
without a per-object step; ``Batch.items()`` lists ``(address, entry, off)`` for the rest.
"""

import struct

from .types import MAX_REFCNT
_WORD = struct.Struct("<q")
#: (refcount, type) at a chunk's start and a GC header in (gc_next, gc_prev, gc_refs, pad)
_HEADERS = struct.Struct("<qQqqqQ")
#: column structs by (stride, slots, offset)
_COLUMNS = {}


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
        return [index for index, found in enumerate(self.entries) if found is entry]

    def column(self, entry, field, indexes):
        """The signed word at ``field`` bytes into each object of ``entry`` in ``indexes``."""
        shift = (self.gc_head if entry.gc else 0) + field
        if shift + 8 > self.stride:
            return [_WORD.unpack_from(self.data, self.base + index * self.stride + shift)[0]
                    for index in indexes]
        key = (self.stride, len(self.entries), shift)
        compiled = _COLUMNS.get(key)
        if compiled is None:
            if len(_COLUMNS) > 4096:
                _COLUMNS.clear()
            compiled = _COLUMNS[key] = struct.Struct(
                "<" + ("%dxq%dx" % (shift, self.stride - shift - 8)) * len(self.entries))
        values = compiled.unpack_from(self.data, self.base)
        return [values[index] for index in indexes]

    def items(self):
        """``(address, entry, off)`` of every live object of the run."""
        out = []
        for index, entry in enumerate(self.entries):
            if entry is not None:
                address, off = self.offsets(index, entry)
                out.append((address, entry, off))
        return out


def single(data, off, address, entry):
    """The Batch of one object at ``address`` whose bytes start at ``data[off]``."""
    return Batch(data, off, address, 0, [entry], 0)


class SlotDecoder:
    """Decodes runs of slots against a TypeTable's known types (structs cached per shape)."""

    def __init__(self, table, gc_head):
        self.table = table
        self.gc_head = gc_head
        self._structs = {}

    def _struct(self, stride, count, gc):
        """Unpacks (refcount, type) at each slot's start, then, with ``gc``, (refcount,
        type) a GC header in."""
        key = (stride, count, gc)
        compiled = self._structs.get(key)
        if compiled is None:
            if len(self._structs) > 4096:
                self._structs.clear()
            if gc:
                slot = "qQ%dxqQ%dx" % (self.gc_head - 16, stride - self.gc_head - 16)
            else:
                slot = "qQ%dx" % (stride - 16)
            compiled = self._structs[key] = struct.Struct("<" + slot * count)
        return compiled

    def decode(self, data, base, stride, count, free=(), gc=True):
        """One entry or None per slot (see the module docstring); ``gc``: slots may hold
        GC objects (a GC header then the object)."""
        table = self.table
        gc = gc and stride >= self.gc_head + 16
        words = self._struct(stride, count, gc).unpack_from(data, base)
        if gc:
            entries = [first if first is not None and 0 < refcnt <= MAX_REFCNT else
                       (second if second is not None and 0 < gc_refcnt <= MAX_REFCNT else None)
                       for first, second, refcnt, gc_refcnt in zip(
                           map(table.nongc.get, words[1::4]), map(table.gc.get, words[3::4]),
                           words[0::4], words[2::4])]
        else:
            entries = [entry if entry is not None and 0 < refcnt <= MAX_REFCNT else None
                       for entry, refcnt in zip(map(table.nongc.get, words[1::2]), words[0::2])]
        for index in free:
            entries[index] = None
        if entries.count(None) > len(free):
            self._new_types(entries, words, 4 if gc else 2, free)
        return entries

    def _new_types(self, entries, words, per_slot, free):
        """Slots no known type explains: validate their type words once (the table
        remembers both verdicts)."""
        table = self.table
        for index, entry in enumerate(entries):
            if entry is not None or index in free:
                continue
            first = index * per_slot
            if per_slot == 4 and 0 < words[first + 2] <= MAX_REFCNT:
                candidate = table.get(words[first + 3])
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
        self._new_types(entries, (refcnt, type_address, gc_refcnt, gc_type), 4, ())
        return entries[0]

    def numbers(self, data, base, stride, count):
        """The int and float entries of a block of them (other slots None)."""
        table = self.table
        words = self._struct(stride, count, False).unpack_from(data, base)
        numbers = table.numbers
        entries = [entry if entry is not None and 0 < refcnt <= MAX_REFCNT else None
                   for entry, refcnt in zip(map(numbers.get, words[1::2]), words[0::2])]
        if len(numbers) < 2 and entries.count(None) == count:
            known = len(numbers)
            for type_address, refcnt in zip(words[1::2], words[0::2]):
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
