"""Decode CPython 2.7 objects from target memory and walk the graph they form.

Public API (used by the gdb front end, the CLI and py-bt):

- ``walk(memory, address, budgets=Budgets(), layout=None) -> Graph``: never raises for a
  bad object; a corrupt or unreadable object becomes an error node (ProcessGone, a live
  target that died, stops the walk instead). ``Graph.visits()`` streams the walk.
- ``repr_at(memory, address, max_chars=None, layout=None, budgets=UNLIMITED) -> str``:
  the target's own ``repr()`` of one object as a one-liner, truncation shown.
- ``Budgets(max_depth=None, max_items=None, max_objects=None, max_string=None)``:
  None = unlimited.

``layout`` defaults to ``layouts.layout_for(8, 4)`` (x86_64, UCS4). ``memory`` is any
Memory; it is wrapped in a PageCache unless it is one.
"""

from .graph import UNLIMITED, Budgets, Node
from .objects import decode
from .reader import ObjectReader, TypeInfo
from .walker import Graph, WalkIndex, edge_labels, walk


def repr_at(memory, address, max_chars=None, layout=None, budgets=UNLIMITED):
    """``repr()`` of the object at ``address``; longer than ``max_chars`` ends in ``...``."""
    from ..render.repr import repr_at as render_repr_at  # render builds on decode

    return render_repr_at(memory, address, max_chars, layout, budgets)


__all__ = ["walk", "repr_at", "Budgets", "Node", "Graph", "WalkIndex", "ObjectReader",
           "TypeInfo", "decode", "edge_labels", "UNLIMITED"]
