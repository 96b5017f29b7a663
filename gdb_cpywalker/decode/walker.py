"""The iterative walker: every object reachable from a root, once, within budgets.

``Graph`` is what ``walk`` returns: the root, the budgets and the reader. ``visits()``
walks it depth first, in pre-order, and yields each step as it goes: renderers stream
from it and keep nothing but what the walk itself needs (the visited set and the current
path; each level holds its node's edge list). Where a budget stops the walk is recorded
as it happens: ``depth_cut`` (nodes whose edges were not followed), ``objects_cut``
(edges never decoded because max_objects ran out); ``shared`` holds addresses reached
more than once (shared objects and cycles). ``nodes`` decodes the whole graph into a dict,
for callers that want it all at once; ``WalkIndex`` answers, for the repr renderer, which
objects a walk decodes, walking only as far ahead as each question needs.
"""

from collections import OrderedDict

from .graph import UNLIMITED
from .objects import cut_by_max_string, decode
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

#: What one step of ``Graph.visits`` is (its first item); ``parent`` is the node whose
#: edge number ``index`` led there (None and 0 for the root):
#: ``(NODE, depth, parent, index, node)``: an object decoded for the first time;
#: ``(SEEN, depth, parent, index, address)``: an object decoded before (shared, or a cycle);
#: ``(CUT, depth, parent, index, address)``: an object max-objects left out;
#: ``(END, depth, node)``: the node's edges are all visited (not sent for a node
#: without edges nor for one in ``depth_cut``).
NODE, SEEN, CUT, END = range(4)


def _named_labels(node):
    return node.info.get("labels", ()) if isinstance(node.info, dict) else ()


def edge_label(node, index):
    """The label of edge ``index`` of ``node``: ``[i]`` for sequences, ``key``/``value``
    for mappings, the field or attribute name otherwise."""
    named = _named_labels(node)
    own = len(node.edges) - len(named)
    if index >= own:
        return named[index - own]
    kind = node.kind
    if kind in MAPPING_KINDS:
        return "value" if index % 2 else "key"
    if kind in FIXED_LABELS:
        return FIXED_LABELS[kind][index]
    return "[%d]" % index


def iter_edge_labels(node):
    """The label of each edge of ``node``, in order, lazily."""
    named = _named_labels(node)
    count = len(node.edges) - len(named)
    kind = node.kind
    if kind in MAPPING_KINDS:
        for i in range(count):
            yield "value" if i % 2 else "key"
    elif kind in FIXED_LABELS:
        yield from FIXED_LABELS[kind][:count]
    else:
        for i in range(count):
            yield "[%d]" % i
    yield from named


def edge_labels(node):
    """The labels of ``iter_edge_labels`` as a list."""
    return list(iter_edge_labels(node))


class Graph:
    """The object graph reachable from ``root`` within ``budgets``, walked on demand."""

    def __init__(self, reader, root, budgets=UNLIMITED):
        self.reader = reader
        self.root = root
        self.budgets = budgets
        self._nodes = None
        self.visited = set()
        self.depth_cut = set()
        self.objects_cut = set()
        self.shared = set()

    @property
    def nodes(self):
        """address -> Node of every object the walk decodes, in pre-order."""
        if self._nodes is None:
            self._nodes = {step[4].address: step[4] for step in self.visits() if step[0] == NODE}
        return self._nodes

    def visits(self):
        """Walk the graph (again, from scratch) and yield each step (see NODE).

        The path is two flat lists (nodes, and the next edge of each): a 100,000-deep
        nest costs no generator or iterator per level.
        """
        max_depth, max_items, max_objects = self.budgets[:3]
        reader = self.reader
        visited, depth_cut, objects_cut, shared = (self.visited, self.depth_cut,
                                                   self.objects_cut, self.shared)
        for found in (visited, depth_cut, objects_cut, shared):
            found.clear()
        parents, positions = [], []
        address, parent, index = self.root, None, 0
        while True:
            depth = len(parents)
            if address in visited:
                shared.add(address)
                yield SEEN, depth, parent, index, address
            elif max_objects is not None and len(visited) >= max_objects:
                objects_cut.add(address)
                yield CUT, depth, parent, index, address
            else:
                node = decode(reader, address, max_items)
                visited.add(address)
                cut = node.edges and max_depth is not None and depth >= max_depth
                if cut:
                    depth_cut.add(address)
                yield NODE, depth, parent, index, node
                if not cut and (node.edges or node.truncated and not cut_by_max_string(node)):
                    parents.append(node)
                    positions.append(0)
            while parents:
                parent = parents[-1]
                index = positions[-1]
                if index < len(parent.edges):
                    positions[-1] = index + 1
                    address = parent.edges[index]
                    break
                parents.pop()
                positions.pop()
                yield END, len(parents), parent
            else:
                return


class WalkIndex:
    """Which objects a walk of ``graph`` decodes, asked one address at a time.

    The walk advances only until the address asked about is decoded (or can no longer
    be); the last ``keep`` nodes it decoded are kept for ``node()``, older ones are
    decoded again when asked for.
    """

    def __init__(self, graph, keep=4096):
        self.graph = graph
        self._steps = graph.visits()
        self._recent = OrderedDict()
        self._keep = keep
        self._finished = False

    def _reaches(self, address):
        graph = self.graph
        visited = graph.visited
        max_objects = graph.budgets.max_objects
        while address not in visited:
            if self._finished or max_objects is not None and len(visited) >= max_objects:
                return False
            step = next(self._steps, None)
            if step is None:
                self._finished = True
                return False
            if step[0] == NODE:
                self._remember(step[4])
        return True

    def _remember(self, node):
        recent = self._recent
        recent[node.address] = node
        if len(recent) > self._keep:
            recent.popitem(last=False)

    def __contains__(self, address):
        return self._reaches(address)

    def node(self, address):
        """The Node of ``address`` if the walk decodes it, else None."""
        if not self._reaches(address):
            return None
        node = self._recent.get(address)
        if node is None:
            node = decode(self.graph.reader, address, self.graph.budgets.max_items)
            self._remember(node)
        return node

    def depth_cut(self, address):
        """Whether the walk stopped below ``address`` (max-depth); ask after ``node()``."""
        return address in self.graph.depth_cut


def walk(memory, address, budgets=UNLIMITED, layout=None):
    """The Graph of everything reachable from ``address`` (walked on demand); strings are
    read up to ``budgets.max_string``."""
    return Graph(ObjectReader(memory, layout, budgets.max_string), address, budgets)
