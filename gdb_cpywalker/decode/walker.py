"""The iterative walker: every object reachable from a root, once, within budgets.

``Graph`` is what ``walk`` returns: the root, the budgets and the reader; its ``nodes``
(address -> Node, in depth-first pre-order) are decoded on first use, so the repr
renderer, which streams from memory, never pays for them. Where a budget stops the walk
is recorded: ``depth_cut`` (nodes whose edges were not followed), ``objects_cut``
(edges never decoded because max_objects ran out); ``shared`` holds addresses reached
more than once (shared objects and cycles).
"""

from .graph import UNLIMITED
from .objects import decode
from .reader import ObjectReader

#: kinds whose edges are key, value, key, value, ...
MAPPING_KINDS = frozenset(("dict", "defaultdict", "ordereddict", "counter", "dictview"))
#: edge labels of kinds with a fixed set of references
FIXED_LABELS = {
    "slice": ("start", "stop", "step"), "method": ("im_self",), "cell": ("ob_ref",),
    "buffer": ("b_base",), "classobj": ("__dict__",), "classic_instance": ("__dict__",),
    "dictproxy": ("dict",), "property": ("fget",), "staticmethod": ("__func__",),
    "classmethod": ("__func__",), "file": ("name",),
}


def edge_labels(node):
    """One label per edge of ``node``: ``[i]`` for sequences, ``key``/``value`` for mappings."""
    named = node.info.get("labels", []) if isinstance(node.info, dict) else []
    count = len(node.edges) - len(named)
    kind = node.kind
    if kind in MAPPING_KINDS:
        own = ["key" if i % 2 == 0 else "value" for i in range(count)]
    elif kind in FIXED_LABELS:
        own = list(FIXED_LABELS[kind][:count])
    else:
        own = ["[%d]" % i for i in range(count)]
    return own + list(named)


class Graph:
    """The object graph reachable from ``root``, decoded lazily within ``budgets``."""

    def __init__(self, reader, root, budgets=UNLIMITED):
        self.reader = reader
        self.root = root
        self.budgets = budgets
        self._nodes = None
        self.depth_cut = set()
        self.objects_cut = set()
        self.shared = set()

    @property
    def nodes(self):
        if self._nodes is None:
            self._nodes = self._walk()
        return self._nodes

    def _walk(self):
        budgets = self.budgets
        max_depth, max_items, max_objects = budgets
        nodes = {}
        stack = [(self.root, 0)]
        while stack:
            address, depth = stack.pop()
            if address in nodes:
                self.shared.add(address)
                continue
            if max_objects is not None and len(nodes) >= max_objects:
                self.objects_cut.add(address)
                continue
            node = decode(self.reader, address, max_items)
            nodes[address] = node
            if not node.edges:
                continue
            if max_depth is not None and depth >= max_depth:
                self.depth_cut.add(address)
                continue
            for edge in reversed(node.edges):
                stack.append((edge, depth + 1))
        return nodes


def walk(memory, address, budgets=UNLIMITED, layout=None):
    """The Graph of everything reachable from ``address`` (decoded on first use)."""
    return Graph(ObjectReader(memory, layout), address, budgets)
