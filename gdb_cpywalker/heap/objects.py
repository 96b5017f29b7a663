"""Live objects by type: every instance of a type (or of its subclasses), and the biggest
instances of one type with their sizes.

``live_objects(scan, predicate)`` is the enumeration other features build on (greenlet
uses it to find every greenlet): it yields ``(address, entry)`` for each live object whose
TypeEntry passes ``predicate``, deciding once per type; ``subclass_of(table, names)``
builds a predicate from type names. ``instances(scan, name, limit)`` sizes the objects of
one census type and keeps the biggest.
"""

import heapq

from ..errors import CpywalkerError


def live_objects(scan, predicate=None):
    """``(address, entry)`` of every live object ``scan`` finds whose entry passes
    ``predicate(entry)`` (every object when None), in scan order."""
    verdicts = {}
    for batch in scan.batches():
        entries = batch.entries
        wanted = []
        for entry in set(entries):
            if entry is None:
                continue
            verdict = verdicts.get(entry)
            if verdict is None:
                verdict = verdicts[entry] = predicate is None or bool(predicate(entry))
            if verdict:
                wanted.append(entry)
        if not wanted:
            continue
        if len(wanted) == 1 and batch.stride == 0:
            yield batch.first + (batch.gc_head if wanted[0].gc else 0), wanted[0]
            continue
        wanted = set(wanted)
        for index, entry in enumerate(entries):
            if entry in wanted:
                yield batch.offsets(index, entry)[0], entry


def subclass_of(table, names):
    """A predicate: the type, or a type of its MRO, has a name in ``names`` (its census name
    or its tp_name, e.g. ``greenlet.greenlet``)."""
    names = frozenset(names)

    def predicate(entry):
        if entry.name in names or (entry.info and entry.info.name in names):
            return True
        return any(name in names for name in table.mro_names(entry))
    return predicate


def instances(scan, name, limit=None, keep=None, names=None):
    """``([(bytes, address, entry)], total)``: the live objects counted as ``name``, biggest
    first (the first ``limit``), and how many there are; ``keep(address, entry)`` may refuse
    some (leak suspects only); ``names``, a set, gets every census name met. A damaged object
    (its size cannot be read or cannot be) is left out, as the census leaves it out."""
    sizer = scan.types.sizer
    found = []
    counter = 0
    for batch in scan.batches():
        tally = batch.tally
        if names is not None:
            names.update(entry.name for entry in tally)
        for entry in tally:
            if entry.name != name:
                continue
            if entry.fixed is not None and keep is None and limit is not None \
                    and len(found) >= limit and found[0][0] >= entry.fixed:
                counter += tally[entry]
                continue
            for index in batch.indexes(entry):
                address, off = batch.offsets(index, entry)
                if keep is not None and not keep(address, entry):
                    continue
                try:
                    size = sizer.size(entry, batch.data, off, address, sizer.bound(entry, batch))
                except CpywalkerError:
                    scan.stats.damaged[entry.name] += 1
                    continue
                counter += 1
                item = (size, -counter, address, entry)
                if limit is None:
                    found.append(item)
                elif len(found) < limit:
                    heapq.heappush(found, item)
                else:
                    heapq.heappushpop(found, item)
    found.sort(reverse=True)
    return [(size, address, entry) for size, _, address, entry in found], counter


def similar(name, names):
    """Up to three of ``names`` a mistyped ``name`` may have meant: the same name in
    another case, or with its module (``Order`` for ``__main__.Order``)."""
    wanted = name.lower()
    return sorted(other for other in names if other != name and (
        other.lower() == wanted or other.lower().rpartition(".")[2] == wanted.rpartition(".")[2]))[:3]
