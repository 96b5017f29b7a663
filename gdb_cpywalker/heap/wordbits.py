"""Questions about every 8-byte word of a run, answered on bytes at once: no Python object
per word.

A column is the bytes of ``count`` little-endian words (``array('q').tobytes()`` of a
stepped slice). Its byte ``j`` of every word is the stepped slice ``raw[j::8]``; marking
the bytes of a wanted value with ``bytes.translate`` and reading the marks as one integer
(``int.from_bytes``) gives a mask with bit ``8 * i`` set for word ``i``: masks combine with
``&``, ``|`` and ``^``, and ``count_of`` counts their words.
"""

from .types import MAX_REFCNT

#: byte value -> a translation table marking that value 1 and every other byte 0
_MARKS = {}
#: translation tables: 1 for a byte below MAX_REFCNT's fifth byte; 1 for a nonzero byte
_SMALL_FIFTH = bytes(int(code < MAX_REFCNT >> 32) for code in range(256))
_NONZERO = bytes(int(code != 0) for code in range(256))
#: The byte positions of a word in the order ``matches`` compares them: type objects
#: differ most in bytes 1 and 2, so a value absent from the column is ruled out early.
_ORDER = (1, 2, 0, 3, 4, 5, 6, 7)


def every(count):
    """The mask of all ``count`` words."""
    return int.from_bytes(b"\1" * count, "little")


def count_of(mask, count):
    """How many of ``count`` words ``mask`` marks."""
    return flags(mask, count).count(1)


def flags(mask, count):
    """``mask`` as ``count`` bytes, 1 for a marked word and 0 for the others."""
    return mask.to_bytes(count, "little")


def same_word(column):
    """The word every element of ``column`` (a non-empty ``array('q')``) holds, or None."""
    raw = column.tobytes()
    return column[0] if raw == raw[:8] * len(column) else None


def matches(raw, value):
    """The mask of the words of column ``raw`` equal to ``value``."""
    found = -1
    data = value.to_bytes(8, "little", signed=True)
    for position in _ORDER:
        found &= _marks(raw[position::8], data[position])
        if not found:
            break
    return found


def live_refcounts(raw):
    """The mask of the words of column ``raw`` that are a live object's refcount: positive
    and below MAX_REFCNT (bytes 5 to 7 zero, byte 4 small, bytes 0 to 4 not all zero)."""
    count = len(raw) // 8
    small = _marks(raw[5::8], 0) & _marks(raw[6::8], 0) & _marks(raw[7::8], 0) \
        & int.from_bytes(raw[4::8].translate(_SMALL_FIFTH), "little")
    if not small:
        return 0
    low = 0
    for byte in range(5):
        low |= int.from_bytes(raw[byte::8], "little")
    return small & int.from_bytes(low.to_bytes(count, "little").translate(_NONZERO), "little")


def _marks(plane, byte):
    table = _MARKS.get(byte)
    if table is None:
        table = _MARKS[byte] = bytes(int(code == byte) for code in range(256))
    return int.from_bytes(plane.translate(table), "little")
