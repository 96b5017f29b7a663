"""CPython 2.7 struct layouts as data tables, compiled per data model."""

import functools

from . import cpython27, greenlet, heapobjects, obmalloc, pystate
from .model import DataModel, Layout


@functools.lru_cache(maxsize=None)
def layout_for(pointer_size=8, unicode_width=4):
    """The compiled CPython 2.7 layout for a build (cached)."""
    declarations = dict(cpython27.DECLARATIONS, **pystate.DECLARATIONS, **obmalloc.DECLARATIONS,
                        **heapobjects.DECLARATIONS)
    return Layout(declarations, DataModel(pointer_size, unicode_width))


@functools.lru_cache(maxsize=None)
def greenlet_layout(name, pointer_size=8):
    """The compiled greenlet layout ``name`` ("c": 0.4/1.x, "cpp": 2.0) for a pointer size."""
    return Layout(greenlet.DECLARATIONS[name], DataModel(pointer_size, 4))


__all__ = ["layout_for", "greenlet_layout", "DataModel"]
