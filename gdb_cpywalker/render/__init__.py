"""Renderers of a walked graph: ``render(graph, "repr"|"tree"|"json", color=False) -> str``.

``graph`` is what ``decode.walk`` returns. ``repr`` streams from the graph's memory
(see render/repr.py); ``tree`` and ``json`` render its decoded nodes.
"""

FORMATS = ("tree", "repr", "json")


def render(graph, fmt="tree", color=False):
    """Text of ``graph`` in format ``fmt`` (one of FORMATS)."""
    if fmt == "repr":
        from .repr import render_repr as renderer
    elif fmt == "tree":
        from .tree import render_tree as renderer
    elif fmt == "json":
        from .json import render_json as renderer
    else:
        raise ValueError("unknown format %r (expected one of %s)" % (fmt, ", ".join(FORMATS)))
    return renderer(graph, color=color)


__all__ = ["render", "FORMATS"]
