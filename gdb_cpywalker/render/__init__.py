"""Renderers of a walked graph: ``render(graph, "repr"|"tree"|"json", color=False) -> str``,
and ``stream(graph, fmt, color)``: the same text in pieces, each as soon as the walk has
made it, for front ends to write as they go.

``graph`` is what ``decode.walk`` returns. ``repr`` streams from the graph's memory
(see render/repr.py); ``tree`` and ``json`` render its decoded nodes.
"""

from ..errors import ProcessGone

FORMATS = ("tree", "repr", "json")
#: Lines of --format tree in one piece.
TREE_LINES = 512


def _tree_pieces(graph, color=False):
    from .tree import tree_lines

    lines = []
    try:
        for line in tree_lines(graph, color):
            lines.append(line)
            if len(lines) >= TREE_LINES:
                yield "\n".join(lines) + "\n"
                lines = []
    except ProcessGone:
        if lines:  # the lines made before the target died
            yield "\n".join(lines) + "\n"
        raise
    if lines:
        yield "\n".join(lines) + "\n"


def stream(graph, fmt="tree", color=False):
    """The text of ``graph`` in format ``fmt`` (one of FORMATS) as an iterator of pieces;
    the last one ends in a newline."""
    if fmt == "repr":
        from .repr import repr_pieces as pieces
    elif fmt == "tree":
        pieces = _tree_pieces
    elif fmt == "json":
        from .json import json_pieces as pieces
    else:
        raise ValueError("unknown format %r (expected one of %s)" % (fmt, ", ".join(FORMATS)))
    yield from pieces(graph, color=color)
    if fmt != "tree":
        yield "\n"


def render(graph, fmt="tree", color=False):
    """Text of ``graph`` in format ``fmt`` (one of FORMATS), without a final newline."""
    return "".join(stream(graph, fmt, color)).rstrip("\n")


__all__ = ["render", "stream", "FORMATS"]
