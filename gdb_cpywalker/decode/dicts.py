"""Hash tables of dicts and sets, and the str-keyed dict lookup the reader itself needs.

Below both reader.py (a heap type's ``__module__``) and objects.py (the decoders): these
functions take an ``ObjectReader`` but never import one.
"""

import itertools

from ..errors import CpywalkerError, DecodeError


def table_words(reader, address, used, fill, mask, table, entry_words):
    """All words of a dict or set hash table, after checking its sizes."""
    slots = mask + 1
    if slots & mask or not 0 <= used <= fill <= slots:
        raise DecodeError(address, "implausible hash table (mask %#x, used %d, fill %d)"
                          % (mask, used, fill))
    reader.check_span(address, table, slots * entry_words * reader.psize, "hash table mask",
                      "%#x" % mask)
    return reader.words(table, slots * entry_words)


def dict_items(reader, address, max_items=None):
    """(ma_used, [key, value, key, value, ...]) in table order, as dict_repr iterates:
    entries with a NULL me_value (never used, or deleted) are skipped."""
    D = reader.layout.PyDictObject
    _, _, fill, used, mask, table, _ = reader.unpack(D, address)[:7]
    words = table_words(reader, address, used, fill, mask, table, 3)
    values = words[2::3]
    keys = list(itertools.compress(words[1::3], values))
    values = list(itertools.compress(values, values))
    shown = len(keys) if max_items is None else min(len(keys), max_items)
    out = [0] * (2 * shown)
    out[0::2] = keys[:shown]
    out[1::2] = values[:shown]
    return used, out


def dict_lookup_str(reader, address, key):
    """Value address of str key ``key`` (bytes) in the dict at ``address``, or 0."""
    if not address:
        return 0
    _, words = dict_items(reader, address)
    for i in range(0, len(words), 2):
        try:
            if reader.str_value(words[i]) == key:
                return words[i + 1]
        except CpywalkerError:
            continue
    return 0
