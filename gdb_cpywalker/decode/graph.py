"""The walked object graph: budgets in, nodes keyed by address out."""

from collections import namedtuple


class Budgets(namedtuple("Budgets", "max_depth max_items max_objects max_string")):
    """Limits of one walk; ``None`` means unlimited. Each is independent of the others.

    ``max_depth``: levels below the root; ``max_items``: entries shown per container;
    ``max_objects``: distinct objects decoded in total; ``max_string``: bytes of a str,
    bytearray or buffer (characters of a unicode) read and shown.
    """

    def __new__(cls, max_depth=None, max_items=None, max_objects=None, max_string=None):
        return super().__new__(cls, max_depth, max_items, max_objects, max_string)

    @property
    def limits_graph(self):
        """Whether a budget decides which objects are shown (all but max_string)."""
        return self.max_depth is not None or self.max_items is not None \
            or self.max_objects is not None


UNLIMITED = Budgets()


class Node:
    """One decoded object.

    ``kind`` names the decoder ("int", "list", "instance", "error", ...); ``value`` is the
    Python value of scalars (int, float, bytes, str, ...) or None; ``edges`` lists
    ``(label, address)`` pairs to the objects it references, in repr order;
    ``truncated`` counts edges left out by ``max_items``; ``error`` is the typed error
    (MemoryReadError / DecodeError) of an error node.
    """

    __slots__ = ("address", "kind", "type_name", "type_address", "refcount", "size",
                 "value", "edges", "truncated", "error", "info")

    def __init__(self, address, kind, type_name=None, type_address=None, refcount=None,
                 size=None, value=None, edges=(), truncated=0, error=None, info=None):
        self.address = address
        self.kind = kind
        self.type_name = type_name
        self.type_address = type_address
        self.refcount = refcount
        self.size = size
        self.value = value
        self.edges = edges
        self.truncated = truncated
        self.error = error
        self.info = info

    def __repr__(self):
        return "<Node %s %#x>" % (self.kind, self.address)
