"""Renderers of a walked graph: ``render(graph, "repr"|"tree"|"json", color=False) -> str``."""

FORMATS = ("tree", "repr", "json")


def render(graph, fmt="tree", color=False):
    """Text of ``graph`` (from ``decode.walk``) in format ``fmt``."""
    raise NotImplementedError


__all__ = ["render", "FORMATS"]
