"""Which objects are greenlets: every one the front end's heap scan finds, and the ones
reachable from the threads and the modules (the fast path, also alone: no heap scan).

Roots: each thread's current greenlet as greenlet 0.4/1.x keeps it in the thread state dict
(``__greenlet_ts_curkey``, and ``__greenlet_ts_delkey``'s list of greenlets to kill), every
thread's frames, and the globals of every module of ``sys.modules``. From each greenlet found
the search follows its parent, its 2.0 main greenlet and its thread's current greenlet, and the
frames it saved. A value is looked into (containers, instance ``__dict__``s and slots) down
to ``MAX_DEPTH`` levels, within ``MAX_OBJECTS`` objects in all. A greenlet referenced only from
C (a gevent hub's libev watchers, a leaked reference) is not reachable this way.
"""

from ..decode.objects import decode
from ..errors import CpywalkerError
from .frames import frame_chain
from .greenlets import find_release, is_greenlet, main_stack_stop, read_greenlets
from .namespaces import frame_locals

#: levels below a global or a local that are looked into
MAX_DEPTH = 4
#: objects decoded in one search
MAX_OBJECTS = 200000
#: entries looked at per container
MAX_ITEMS = 10000
#: kinds whose references are followed
CONTAINER_KINDS = frozenset(("list", "tuple", "dict", "set", "frozenset", "deque", "defaultdict",
                             "ordereddict", "instance", "classic_instance", "cell"))
#: keys of the thread state dict greenlet 0.4/1.x keeps greenlets under
THREAD_DICT_KEYS = ("__greenlet_ts_curkey", "__greenlet_ts_delkey")


class _Search:
    def __init__(self, process, release):
        self.process = process
        self.reader = process.reader
        self.release = release
        self.found = set()
        self.pending = []
        self.seen = set()
        self.budget = MAX_OBJECTS

    def look(self, address, depth=MAX_DEPTH):
        stack = [(address, depth)]
        while stack and self.budget > 0:
            address, depth = stack.pop()
            if not address or address in self.seen:
                continue
            self.seen.add(address)
            self.budget -= 1
            if is_greenlet(self.reader, self.release, address):
                if address not in self.found:
                    self.found.add(address)
                    self.pending.append(address)
                continue
            if depth == 0:
                continue
            node = decode(self.reader, address, MAX_ITEMS)
            if node.kind in CONTAINER_KINDS or node.info and "labels" in node.info:
                stack.extend((edge, depth - 1) for edge in node.edges)

    def namespace(self, dict_address):
        try:
            values = self.reader.str_keyed(dict_address).values()
        except CpywalkerError:
            return
        for value in values:
            self.look(value)

    def frames(self, address):
        frames, _ = frame_chain(self.reader, address)
        for frame in frames:
            try:
                names = frame_locals(self.reader, frame)
            except CpywalkerError:
                continue
            for name in names:
                self.look(name.address)

    def greenlet(self, address):
        """Follow what one greenlet references: its parent, main greenlet, thread's current
        greenlet and saved frames."""
        reader = self.reader
        layout = self.release.layout
        try:
            if self.release.layout_name == "c":
                fields = reader.fields(layout.PyGreenlet, address)
                self.look(fields["parent"], 0)
                self.frames(fields["top_frame"])
                return
            pimpl = reader.fields(layout.PyGreenlet, address)["pimpl"]
            common = reader.fields(layout.MainGreenlet, pimpl)
            if common["self"] != address:
                return
            self.frames(common["top_frame"])
            if common["stack_stop"] == main_stack_stop(reader):
                state = reader.fields(layout.ThreadState, common["thread_state"])
                self.look(state["current_greenlet"], 0)
                return
            user = reader.fields(layout.UserGreenlet, pimpl)
            self.look(user["parent"], 0)
            self.look(user["main_greenlet"], 0)
        except CpywalkerError:
            return


def reachable_greenlets(process, release, threads):
    """Addresses of the greenlets reachable from ``threads`` and the modules (a set)."""
    search = _Search(process, release)
    reader = process.reader
    for thread in threads:
        try:
            state_dict = reader.word(thread.address + reader.layout.PyThreadState.dict)
            entries = reader.str_keyed(state_dict) if state_dict else {}
        except CpywalkerError:
            entries = {}
        for key in THREAD_DICT_KEYS:
            search.look(entries.get(key, 0), 1)
        search.frames(thread.frame)
    modules = reader.fields(reader.layout.PyInterpreterState, process.interpreter.address)["modules"]
    for module in reader.str_keyed(modules).values():
        if not reader.is_exact(module, "module"):
            continue
        try:
            search.namespace(reader.word(module + reader.layout.PyModuleObject.md_dict))
        except CpywalkerError:
            continue
    while search.pending:
        search.greenlet(search.pending.pop())
    return search.found


#: what ``find_greenlets`` says it looked at
REACHABLE = "reachable from the threads and the modules' globals"
ON_THE_HEAP = "every object on the heap whose type is greenlet.greenlet or a subclass"
#: the front ends' help of ``--reachable``
REACHABLE_HELP = ("with --greenlets: only the greenlets reachable from the threads and the modules' "
                  "globals: no heap scan (quicker on a big heap; misses greenlets only C code refers to)")


def find_greenlets(process, only=None, instances=None):
    """``(release, greenlets, how)``: the greenlet release, every greenlet found as
    ``read_greenlets`` orders them (only those of the threads ``only`` when given), and how
    they were found.

    ``instances(type_names)`` is the front end's heap scan (``heap.find_instances``):
    ``(address, entry)`` of every live object of those types or their subclasses. Without
    it, only the greenlets reachable from the threads and the modules are found.
    """
    release = find_release(process)
    threads = process.threads()
    addresses = reachable_greenlets(process, release, threads)
    how = REACHABLE
    if instances is not None:
        on_heap = {address for address, _ in instances(["greenlet.greenlet"])
                   if is_greenlet(process.reader, release, address)}
        missed = addresses - on_heap
        how = ON_THE_HEAP + ("; %d more reachable from the threads and modules" % len(missed)
                             if missed else "")
        addresses |= on_heap
    greenlets = read_greenlets(process, release, addresses, threads)
    if only is not None:
        greenlets = [greenlet for greenlet in greenlets if greenlet.thread in only]
    return release, greenlets, how
