"""``--format tree``: one object per line, indented by depth.

Each line: edge label, address, type, refcount, size and the value of scalars (or the
one-line repr of functions, modules, ...). An object printed before shows as
``-> 0x... (seen above)``; past MAX_INDENT levels a line shows its depth; budgets
show as ``... (max depth)``, ``... N more items``,
``... (max objects)``.
"""

from ..decode.objects import SCALAR_KINDS
from ..decode.walker import edge_labels
from .color import paint
from .repr import KIND_TEXT, display, error_text, scalar_repr

#: Longest value text on one line.
MAX_VALUE = 200
#: Deepest indentation; deeper lines start with their depth instead.
MAX_INDENT = 40


def indentation(depth):
    if depth <= MAX_INDENT:
        return "  " * depth
    return "  " * MAX_INDENT + "(depth %d) " % depth


def node_line(node, graph, color=False):
    """Address, type, refcount, size and value of one node."""
    address = paint("%#x" % node.address, "address", color)
    if node.kind == "error":
        return "%s %s" % (address, error_text(node))
    parts = [address, node.type_name, "refcnt=%d" % node.refcount]
    if node.size is not None:
        parts.append("len=%d" % node.size)
    value = node_value(node, graph)
    if value is not None:
        if len(value) > MAX_VALUE:
            value = value[:MAX_VALUE - 3] + "..."
        parts.append(value)
    return " ".join(parts)


def node_value(node, graph):
    """The text shown for a node's value, or None for containers and instances."""
    if node.kind in SCALAR_KINDS:
        return scalar_repr(node)
    text = KIND_TEXT.get(node.kind)
    if text is None or node.kind in ("instance", "generic"):
        return None
    return display(text(node, graph.reader))


def render_tree(graph, color=False):
    nodes = graph.nodes
    lines = []
    printed = set()
    stack = [(graph.root, 0, "")]
    while stack:
        address, depth, label = stack.pop()
        if address is None:
            lines.append(indentation(depth) + label)
            continue
        indent = indentation(depth) + (label + " " if label else "")
        node = nodes.get(address)
        if node is None:
            reason = "max objects" if address in graph.objects_cut else "not walked"
            lines.append("%s%#x ... (%s)" % (indent, address, reason))
            continue
        if address in printed:
            lines.append("%s-> %#x (seen above)" % (indent, address))
            continue
        printed.add(address)
        lines.append(indent + node_line(node, graph, color))
        if address in graph.depth_cut:
            lines.append("%s... (max depth)" % indentation(depth + 1))
            continue
        children = list(zip(node.edges, edge_labels(node)))
        if node.truncated:
            stack.append((None, depth + 1, "... %d more items" % node.truncated))
        for edge, edge_label in reversed(children):
            stack.append((edge, depth + 1, edge_label))
    return "\n".join(lines)
