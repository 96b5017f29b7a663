"""Runs of equal-sized slots decoded from bytes all at once: which slots hold live objects.

A pool group's blocks and a run of int blocks' ints are each ``count`` slots of ``stride``
bytes from ``base``; a static section is a run of 8-byte slots where an object may start.
Each slot's refcount and type word (at the slot's start for a non-GC type, ``gc_head`` in
for a GC type) are taken with one stepped slice each over the run's words: the live slots
are those with a refcount of a live object and a known type of the right kind.

Most runs are decoded without a step per object (``wordbits``): a run whose slots all hold
one type is recognized by comparing bytes; a run of the types seen before in runs of its
slot size is matched type by type; ints and floats are matched by their type word. Only
the other runs are decoded slot by slot. ``Batch.tally`` is the count per type a census
needs, ``Batch.entries`` (one TypeEntry or None per slot) is built when first asked for,
``Batch.column`` gives one field of every object of a type, ``Batch.items()`` lists
``(address, entry, off)``.
"""

import struct
from array import array
from itertools import chain, compress, repeat
from operator import is_, or_

from . import wordbits
from .types import MAX_REFCNT

_WORD = struct.Struct("<q")
_NOT_POSITIVE, _TOO_BIG = (0).__ge__, (MAX_REFCNT - 1).__lt__
#: (refcount, type) at a chunk's start and a GC header in (gc_next, gc_prev, gc_refs, pad)
_HEADERS = struct.Struct("<qQqqqQ")
#: Types a decoder remembers per slot size, tried in turn on the next run of that size.
MAX_CANDIDATES = 6
#: Slots of a run those types leave unexplained that are decoded one by one (at least
#: this many, else an eighth of the run; more, and the run is decoded slot by slot).
MIN_RESIDUE = 64


class Batch:
    """Live objects of one run of ``count`` slots: ``entries[i]`` is slot ``i``'s type, or None.

    Slot ``i``'s bytes are at ``data[base + i * stride:]``; in the target it is at
    ``first + i * stride``, or for a run made of several pieces (the pools of a
    PoolGroup), at ``starts[i // per_start] + i % per_start * stride``. ``entries`` may
    be given as a function that builds them; the decoder may also know the ``tally``
    (``{entry: count}``) and the ``masks`` (``{entry: wordbits mask of its slots}``).
    """

    __slots__ = ("data", "base", "first", "stride", "gc_head", "starts", "per_start", "count",
                 "_entries", "_tally", "_masks")

    def __init__(self, data, base, first, stride, entries, gc_head, starts=None, per_start=None,
                 tally=None, masks=None, count=None):
        self.data = data
        self.base = base
        self.first = first
        self.stride = stride
        self.gc_head = gc_head
        self.starts = starts
        self.per_start = per_start
        self.count = len(entries) if count is None else count
        self._entries = entries
        self._tally = tally
        self._masks = masks

    @property
    def entries(self):
        if not isinstance(self._entries, list):
            self._entries = self._entries()
        return self._entries

    @property
    def tally(self):
        """``{entry: count}`` of the live objects."""
        if self._tally is None:
            entries = self.entries
            self._tally = {entry: entries.count(entry) for entry in set(entries) if entry is not None}
        return self._tally

    def retyped(self, entries):
        """Set ``entries`` anew (classic instances filed under their classes)."""
        self._entries = entries
        self._tally = self._masks = None

    def selector(self, entry):
        """One truth value per slot: whether it holds an object of ``entry``."""
        mask = self._masks.get(entry) if self._masks else None
        if mask is not None:
            return wordbits.flags(mask, self.count)
        return map(is_, self.entries, repeat(entry))

    def offsets(self, index, entry):
        """(address, offset in ``data``) of the object in slot ``index``."""
        shift = self.gc_head if entry.gc else 0
        step = index * self.stride + shift
        if self.starts is None:
            return self.first + step, self.base + step
        piece, slot = divmod(index, self.per_start)
        return self.starts[piece] + slot * self.stride + shift, self.base + step

    def addresses(self, shift=0):
        """The address of every slot, plus ``shift`` (an iterable)."""
        stride = self.stride
        if self.starts is None:
            first = self.first + shift
            return range(first, first + self.count * stride, stride) if stride else [first]
        firsts = [start + shift for start in self.starts]
        span = self.per_start * stride
        return chain.from_iterable(map(range, firsts, [first + span for first in firsts], repeat(stride)))

    def indexes(self, entry):
        """The slots holding an object of ``entry``."""
        return list(compress(range(self.count), self.selector(entry)))

    def column(self, entry, field, indexes=None, every=False):
        """The signed word at ``field`` bytes into each object of ``entry`` (in ``indexes``,
        else in every slot of ``entry``; ``every``: the word of every slot, one per slot)."""
        shift = (self.gc_head if entry.gc else 0) + field
        inside = shift + 8 <= self.stride and not shift % 8
        if inside and (every or (indexes is None and self.tally.get(entry) == self.count)):
            return self._column(shift)
        if indexes is None:
            if inside:
                return compress(self._column(shift), self.selector(entry))
            indexes = self.indexes(entry)
        if not inside:
            return [_WORD.unpack_from(self.data, self.base + index * self.stride + shift)[0]
                    for index in indexes]
        values = self._column(shift)
        return [values[index] for index in indexes]

    def _column(self, shift):
        """The signed word ``shift`` bytes into every slot."""
        words = memoryview(self.data)[self.base:self.base + self.count * self.stride].cast("q")
        return words[shift // 8::self.stride // 8]

    def items(self):
        """``(address, entry, off)`` of every live object of the run."""
        base, stride, gc_head = self.base, self.stride, self.gc_head
        return [(address + (gc_head if entry.gc else 0), entry,
                 base + index * stride + (gc_head if entry.gc else 0))
                for index, (address, entry) in enumerate(zip(self.addresses(), self.entries))
                if entry is not None]


def _alive(entries, refcnts, free):
    """``entries`` as a list, None where the slot is free or its refcount is not that of a
    live object (one pass in C when every refcount is)."""
    entries = list(entries)
    for index in free:
        entries[index] = None
    live = list(compress(refcnts, entries))
    if live and (min(live) <= 0 or max(live) >= MAX_REFCNT):
        for index in compress(range(len(entries)), map(or_, map(_NOT_POSITIVE, refcnts),
                                                       map(_TOO_BIG, refcnts))):
            entries[index] = None
    return entries


def _first_not_in(indexes, count):
    """The first of ``range(count)`` not in ``indexes`` (sorted or not; fewer than count)."""
    taken = set(indexes)
    return next(index for index in range(count) if index not in taken)


class SlotDecoder:
    """Decodes runs of slots against a TypeTable's known types."""

    def __init__(self, table, gc_head):
        self.table = table
        self.gc_head = gc_head
        self.gc_word = gc_head // 8
        #: stride -> {entry: count} of the types found in the last runs of that stride
        self._seen = {}

    def decode(self, data, base, stride, count, free=(), gc=True):
        """``(entries, tally, masks)`` of a run: one entry or None per slot (see the module
        docstring; a function that builds them when the run was matched as bytes), the
        count per type, and each type's wordbits mask when it was matched (else None).
        ``free``: slots not in use; ``gc``: slots may hold GC objects (a GC header then the
        object)."""
        gc = gc and stride >= self.gc_head + 16
        if len(free) >= count:
            return [None] * count, {}, None
        words = array("q")
        words.frombytes(memoryview(data)[base:base + count * stride])
        per_slot = stride // 8
        decoded = self._uniform(words, per_slot, count, free, gc) \
            or self._matched(words, per_slot, count, free, gc, stride)
        if decoded is None:
            entries = self._known(words, per_slot, count, free, gc)
            if entries.count(None) > len(free) and self._learn(entries, words, per_slot, gc):
                entries = self._known(words, per_slot, count, free, gc)
            tally = {entry: entries.count(entry) for entry in set(entries) if entry is not None}
            decoded = entries, tally, None
        self._remember(stride, decoded[1])
        return decoded

    def _remember(self, stride, tally):
        seen = self._seen.setdefault(stride, {})
        seen.update(tally)
        if len(seen) > MAX_CANDIDATES:
            kept = sorted(seen.items(), key=lambda item: -item[1])[:MAX_CANDIDATES]
            seen.clear()
            seen.update(kept)

    def _uniform(self, words, per_slot, count, free, gc):
        """The decoding when every slot in use holds a live object of one type (the words
        compared as bytes), else None."""
        for shift in (0, self.gc_word) if gc else (0,):
            types, refcnts = words[shift + 1::per_slot], words[shift::per_slot]
            if free:
                live = _first_not_in(free, count)
                for index in free:
                    types[index] = types[live]
                    refcnts[index] = 1
            type_address = wordbits.same_word(types)
            if type_address is None:
                continue
            entry = self.table.get(type_address)
            if entry is None or entry.gc != bool(shift) \
                    or wordbits.live_refcounts(refcnts.tobytes()) != wordbits.every(count):
                continue
            entries = [entry] * count
            for index in free:
                entries[index] = None
            return entries, {entry: count - len(free)}, None
        return None

    def _matched(self, words, per_slot, count, free, gc, stride):
        """The decoding when (nearly) every slot in use holds an object of a type seen
        before in runs of this ``stride``: matched type by type as bytes (a dead one,
        refcount 0 on a free list, is no object), the few other slots one by one; else None."""
        seen = self._seen.get(stride)
        if not seen:
            return None
        in_use = wordbits.every(count)
        if free:
            marks = bytearray(count)
            for index in free:
                marks[index] = 1
            in_use ^= int.from_bytes(marks, "little")
        ranked = sorted(seen, key=seen.get, reverse=True)
        explained = 0
        masks = {}
        for shift, candidates in ((0, [entry for entry in ranked if not entry.gc]),
                                  (self.gc_word, [entry for entry in ranked if entry.gc] if gc else ())):
            if not candidates:
                continue
            types = words[shift + 1::per_slot].tobytes()
            live = wordbits.live_refcounts(words[shift::per_slot].tobytes())
            for entry in candidates:
                found = wordbits.matches(types, entry.address) & in_use & ~explained
                if found:
                    explained |= found
                    if found & live:
                        masks[entry] = found & live
                    if explained == in_use:
                        break
            if explained == in_use:
                break
        residue = in_use & ~explained
        if residue:
            if wordbits.count_of(residue, count) > max(MIN_RESIDUE, count // 8):
                return None
            gc_word = self.gc_word if gc else None
            for index in compress(range(count), wordbits.flags(residue, count)):
                first = index * per_slot
                entry = self.entry_at(words[first], words[first + 1],
                                      *((words[first + gc_word], words[first + gc_word + 1]) if gc else (0, 0)))
                if entry is not None:
                    masks[entry] = masks.get(entry, 0) | 1 << 8 * index
            if len(masks) > 255:
                return None

        def entries():
            codes = 0
            for code, mask in enumerate(masks.values(), 1):
                codes |= mask * code
            return list(map(([None] + list(masks)).__getitem__, wordbits.flags(codes, count)))
        return entries, {entry: wordbits.count_of(mask, count) for entry, mask in masks.items()}, masks

    def _known(self, words, per_slot, count, free, gc):
        """One entry or None per slot, from the types the table knows: an object at the
        slot's start first (a GC object's header never looks like one: its first word is
        a pointer or 0), then a GC header in."""
        table = self.table
        refcnts = words[0::per_slot]
        if gc and not wordbits.live_refcounts(refcnts.tobytes()):
            entries = [None] * count
        else:
            entries = _alive(map(table.nongc.get, words[1::per_slot]), refcnts, free)
        missing = entries.count(None) - len(free)
        if missing and gc:
            shift = self.gc_word
            collected = _alive(map(table.gc.get, words[shift + 1::per_slot]), words[shift::per_slot], free)
            if missing == count - len(free):
                return collected
            earlier = {entry: entry for entry in table.nongc.values()}
            entries = list(map(earlier.get, entries, collected))
        return entries

    def _learn(self, entries, words, per_slot, gc):
        """Validate the type words of the slots no known type explains where the refcount
        is a live object's, each distinct word once; whether a new type was found (the
        table remembers both verdicts)."""
        table = self.table
        count = len(entries)
        unexplained = int.from_bytes(bytes(map(is_, entries, repeat(None))), "little")
        candidates = set()
        for shift in (0, self.gc_word) if gc else (0,):
            alive = wordbits.live_refcounts(words[shift::per_slot].tobytes()) & unexplained
            if alive:
                candidates.update(compress(words[shift + 1::per_slot], wordbits.flags(alive, count)))
        known = len(table.entries)
        for address in candidates:
            table.get(address)
        return len(table.entries) > known

    def one(self, data, off):
        """The entry of the object at ``data[off:]`` (at the start, or a GC header in), or None."""
        refcnt, type_address, _, _, gc_refcnt, gc_type = _HEADERS.unpack_from(data, off)
        return self.entry_at(refcnt, type_address, gc_refcnt, gc_type)

    def entry_at(self, refcnt, type_address, gc_refcnt, gc_type):
        """The entry of a slot whose first two words are ``refcnt, type_address`` and whose
        two words after a GC header are ``gc_refcnt, gc_type`` (new types validated), or None."""
        table = self.table
        if 0 < refcnt < MAX_REFCNT:
            entry = table.nongc.get(type_address) or table.get(type_address)
            if entry is not None and not entry.gc:
                return entry
        if 0 < gc_refcnt < MAX_REFCNT:
            entry = table.gc.get(gc_type) or table.get(gc_type)
            if entry is not None and entry.gc:
                return entry
        return None

    def numbers(self, data, base, stride, count):
        """``(tally, masks, entries)`` of a run of int or float slots: ``{entry: count}``,
        ``{entry: wordbits mask}`` and a function that builds the entries (other slots
        None). A free slot's type word is a free-list link, never the type, so the type
        words are matched as bytes."""
        table = self.table
        words = array("q")
        words.frombytes(memoryview(data)[base:base + count * stride])
        per_slot = stride // 8
        types = words[1::per_slot]
        raw = types.tobytes()
        numbers = table.numbers
        masks = {entry: wordbits.matches(raw, address) for address, entry in numbers.items()}
        if len(numbers) < 2 and not any(masks.values()):
            known = len(numbers)
            for type_address, refcnt in zip(types, words[0::per_slot]):
                if 0 < refcnt < MAX_REFCNT and type_address not in numbers:
                    table.get(type_address)
            if len(numbers) > known:
                return self.numbers(data, base, stride, count)
        masks = {entry: mask for entry, mask in masks.items() if mask}
        tally = {entry: wordbits.count_of(mask, count) for entry, mask in masks.items()}
        return tally, masks, lambda: list(map(numbers.get, types))

    def decode_words(self, words):
        """One entry or None per word of a static section: an object of any type may start
        at any word (static objects carry no GC header)."""
        get = self.table.get
        return [get(type_address) if 0 < refcnt < MAX_REFCNT and type_address > 0
                and not type_address & 7 else None
                for refcnt, type_address in zip(words, words[1:])] + [None]
