"""Who refers to an object, and one shortest path to it from a root (``py-refs``).

``referrers(scan, target)`` is one pass over the heap: every live object whose references
(referents.py) include the target, with how (key, index, attribute), plus the interpreter
roots and C static words that point to it. ``shortest_path(scan, target)`` is a
breadth-first search from the interpreter's roots (sys.modules, sys and builtins dicts,
each thread's frame, dict and exception state), then, if that fails, from the static
words too: each level is kept as an array of addresses (a visited bit per 8 bytes), and
the path is found backwards through the levels.
"""

from array import array
from collections import Counter, namedtuple

from ..decode import repr_at
from ..errors import CpywalkerError, UsageError
from . import roots
from .addrset import AddressSet
from .referents import Referents

#: One referrer or one step of a path: ``via`` says how the previous object (or the root)
#: refers to ``address``; ``type`` is the census type name.
Ref = namedtuple("Ref", "address type via")
#: Characters of a dict key shown in a label.
KEY_WIDTH = 40


def target_entry(scan, address):
    """The TypeEntry of the live object at ``address``; UsageError when there is none."""
    found = scan.types.read_object(address)
    if found is None:
        raise UsageError("%#x is not a live object (no refcount and type there)" % address)
    return found[1]


class RefFinder:
    """Referrers and paths of objects of one scan (see the module docstring)."""

    def __init__(self, scan):
        self.scan = scan
        self.referents = Referents(scan.reader, scan.types, running_stacks=False)
        #: objects whose references could not be read, by type name
        self.unreadable = Counter()

    def label(self, label):
        """Text of a referents label: ``['key']`` for a mapping's value."""
        if isinstance(label, tuple):
            try:
                return "[%s]" % repr_at(self.scan.reader.cache, label[1], KEY_WIDTH, self.scan.layout)
            except CpywalkerError:
                return "[key %#x]" % label[1]
        if label in ("key", "item") or not label.isidentifier():
            return label
        return "." + label

    def labels(self, address, entry, data, off, target):
        """How the object at ``address`` refers to ``target`` (one label per reference)."""
        pairs = self.referents.of(entry, data, off, address, labelled=True)
        return [self.label(label) for label, value in pairs if value == target]

    def referrers(self, target, limit=None):
        """``(refs, found, entry)``: Refs of the objects and roots referring to ``target``
        (the first ``limit``), how many there are, and the TypeEntry the scan met
        ``target`` with (None: not a live object it found)."""
        of = self.referents.of
        out = []
        found = 0
        seen = None
        for batch in self.scan.batches():
            data = batch.data
            for address, entry, off in batch.items():
                if address == target:
                    seen = entry
                try:
                    if target not in of(entry, data, off, address):
                        continue
                    labels = self.labels(address, entry, data, off, target)
                except CpywalkerError:
                    self.unreadable[entry.name] += 1
                    continue
                found += len(labels)
                if limit is None or len(out) < limit:
                    out += [Ref(address, entry.name, label) for label in labels]
        for label, address in self.interpreter_roots():
            if address == target:
                found += 1
                out.append(Ref(None, "root", label))
        for label, address in self.static_roots(target):
            found += 1
            out.append(Ref(None, "static", label))
        return out[:limit], found, seen

    def interpreter_roots(self):
        found, problem = roots.interpreter_roots(self.scan.reader.cache, self.scan.symbols,
                                                 self.scan.layout)
        self.scan.stats.roots_problem = problem
        return found

    def static_roots(self, target=None):
        """``(label, word)`` of static words pointing to objects (to ``target`` if given)."""
        for start, data in roots.static_data(self.scan.reader.cache, self.scan.symbols):
            words = array("Q", data)
            if target is not None:
                index = -1
                while True:
                    try:
                        index = words.index(target, index + 1)
                    except ValueError:
                        break
                    yield roots.static_label(self.scan.symbols, start + index * 8), target
                continue
            for index, word in enumerate(words):
                if word > 4096 and not word & 7:
                    yield roots.static_label(self.scan.symbols, start + index * 8), word

    def shortest_path(self, target):
        """Refs from a root object to ``target`` (the first one's ``via`` is the root's
        name), or [] when no root reaches it."""
        for sources in (self.interpreter_roots, self.static_roots):
            path = self._search(list(sources()), target)
            if path:
                return path
        return []

    def _search(self, sources, target):
        visited = AddressSet(self.scan.types.mapped)
        named = {}
        for label, address in sources:
            named.setdefault(address, label)
        levels = [array("Q", visited.add_new(sorted(named)))]
        while levels[-1] and target not in levels[-1]:
            following = []
            for address in levels[-1]:
                found = self.scan.types.read_object(address)
                if found is None:
                    continue
                body, entry = found
                try:
                    refs = self.referents.of(entry, body, 0, address)
                except CpywalkerError:
                    continue
                following += refs
            following = visited.add_new([a for a in following if a > 0 and not a & 7])
            following.sort()
            levels.append(array("Q", following))
            self.scan.progress("searching a path", visited.count, 0)
        if not levels[-1]:
            return []
        return self._backwards(levels, target, named)

    def _backwards(self, levels, target, named):
        """The path to ``target``, found level by level from the last one."""
        path = []
        current = target
        for level in reversed(levels[:-1]):
            for address in level:
                found = self.scan.types.read_object(address)
                if found is None:
                    continue
                body, entry = found
                try:
                    labels = self.labels(address, entry, body, 0, current)
                except CpywalkerError:
                    continue
                if labels:
                    path.append(Ref(current, self._type_name(current), labels[0]))
                    current = address
                    break
        path.append(Ref(current, self._type_name(current), named.get(current, "root")))
        return path[::-1]

    def _type_name(self, address):
        found = self.scan.types.read_object(address)
        return found[1].name if found else "?"
