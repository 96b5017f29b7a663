"""``--format tree``: one object per line, indented by depth, line by line as the walk goes.

Each line: edge label, address, type, refcount, size and the value of scalars (or the
one-line repr of functions, modules, ...). An object printed before shows as
``-> 0x... (seen above)``; past MAX_INDENT levels a line shows its depth; budgets
show as ``... (max depth)``, ``... N more items``,
``... (max objects)``.
"""

from ..decode.objects import SCALAR_KINDS
from ..decode.walker import END, NODE, SEEN, edge_label
from .color import paint
from .repr import (KIND_TEXT, display, error_text, has_default_repr, long_string, repr_head,
                   scalar_repr)

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
    if long_string(node) and not has_default_repr(node, graph.reader):
        value = repr_head(node, MAX_VALUE)  # not a whole 1 GB repr for 200 characters
    else:
        value = node_value(node, graph)
    if value is not None:
        if len(value) > MAX_VALUE:
            value = value[:MAX_VALUE - 3] + "..."
        parts.append(value)
    return " ".join(parts)


def node_value(node, graph):
    """The text shown for a node's value, or None for containers and instances."""
    if node.info.__class__ is dict and has_default_repr(node, graph.reader):
        return None
    if node.kind in SCALAR_KINDS:
        return scalar_repr(node)
    text = KIND_TEXT.get(node.kind)
    if text is None or node.kind in ("instance", "generic"):
        return None
    return display(text(node, graph.reader))


def tree_lines(graph, color=False):
    """The lines of the tree (without newlines), each as soon as the walk reaches it."""
    for step in graph.visits():
        what, depth = step[0], step[1]
        if what == END:
            if step[2].truncated:
                yield "%s... %d more items" % (indentation(depth + 1), step[2].truncated)
            continue
        parent = step[2]
        indent = indentation(depth)
        if parent is not None:
            indent += edge_label(parent, step[3]) + " "
        if what == NODE:
            node = step[4]
            yield indent + node_line(node, graph, color)
            if node.address in graph.depth_cut:
                yield "%s... (max depth)" % indentation(depth + 1)
        elif what == SEEN:
            yield "%s-> %#x (seen above)" % (indent, step[4])
        else:
            yield "%s%#x ... (max objects)" % (indent, step[4])


def render_tree(graph, color=False):
    return "\n".join(tree_lines(graph, color))
