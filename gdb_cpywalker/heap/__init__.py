"""The heap of a CPython 2.7 target, read from memory only: every live object, a census by
type sized as ``sys.getsizeof``, leak suspects, referrers and paths, where the memory goes.

Layers: pymalloc.py and glibc.py find pools and malloc chunks; types.py validates type
objects; slots.py decodes runs of object headers from bytes; scan.py puts them together
(follow.py when a heap cannot be walked); sizeof.py, referents.py, census.py, objects.py,
leaks.py, refs.py and memmap.py build on a scan; session.py is what the front ends call.

Public API:

- ``HeapScan(memory, layout, symbols, regions, follow="auto", progress=None).batches()``
- ``find_instances(memory, layout, symbols, regions, type_names, subclasses=True)``:
  ``[(address, TypeEntry)]`` of every live object of those types (greenlet uses it)
- ``take_census(scan)``, ``leak_census(scan)``, ``RefFinder(scan)``, ``breakdown(...)``
"""

from .census import Census, take_census
from .leaks import leak_census
from .memmap import breakdown
from .objects import live_objects, subclass_of
from .refs import RefFinder
from .scan import HeapScan


def find_instances(memory, layout, symbols, regions, type_names, subclasses=True, progress=None):
    """``[(address, TypeEntry)]`` of every live object whose type is named in ``type_names``
    (its census name, ``module.Class``, or its tp_name, ``greenlet.greenlet``) or, with
    ``subclasses``, has such a type in its MRO. One heap scan: no census, no references."""
    scan = HeapScan(memory, layout, symbols, regions, follow="auto", progress=progress)
    names = frozenset(type_names)
    if subclasses:
        predicate = subclass_of(scan.types, names)
    else:
        def predicate(entry):
            return entry.name in names or (entry.info is not None and entry.info.name in names)
    return list(live_objects(scan, predicate))


__all__ = ["HeapScan", "find_instances", "live_objects", "subclass_of", "Census", "take_census",
           "leak_census", "RefFinder", "breakdown"]
