"""CPython 2.7 struct layouts as data tables, compiled per data model."""

import functools

from . import cpython27, heapobjects, obmalloc, pystate
from .model import DataModel, Layout


@functools.lru_cache(maxsize=None)
def layout_for(pointer_size=8, unicode_width=4):
    """The compiled CPython 2.7 layout for a build (cached)."""
    declarations = dict(cpython27.DECLARATIONS, **pystate.DECLARATIONS, **obmalloc.DECLARATIONS,
                        **heapobjects.DECLARATIONS)
    return Layout(declarations, DataModel(pointer_size, unicode_width))


__all__ = ["layout_for", "DataModel"]
