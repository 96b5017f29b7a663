"""The interpreter's Python threads: thread states, the GIL holder and ``threading`` names."""

from collections import namedtuple

from ..errors import CpywalkerError, UsageError
from .frames import frame_chain
from .locate import find_interpreter, gil_holder
from .objects import StateReader

#: A thread-state list longer than this is corrupt.
MAX_THREADS = 100000

#: ``thread_id`` is what ``thread.get_ident()`` returns (pthread_self on Linux); ``name``
#: the ``threading`` name or None; ``frame`` the innermost frame's address (0: none).
PythonThread = namedtuple("PythonThread", "address thread_id frame holds_gil name")


class PythonProcess:
    """One stopped target's interpreter, found once; threads and stacks read on demand."""

    def __init__(self, memory, symbols, layout, method="auto"):
        self.reader = StateReader(memory, layout)
        self.interpreter = find_interpreter(self.reader.cache, symbols, layout, method)
        self.gil = gil_holder(self.reader.cache, symbols)

    def threads(self):
        """Every Python thread, oldest first (the main thread is usually the first)."""
        tstate_layout = self.reader.layout.PyThreadState
        interp = self.reader.fields(self.reader.layout.PyInterpreterState, self.interpreter.address)
        names = self.threading_names(interp["modules"])
        out = []
        seen = set()
        address = interp["tstate_head"]
        while address and address not in seen and len(out) < MAX_THREADS:
            seen.add(address)
            fields = self.reader.fields(tstate_layout, address)
            thread_id = fields["thread_id"] & (1 << 64) - 1
            out.append(PythonThread(address, thread_id, fields["frame"], address == self.gil,
                                    names.get(thread_id)))
            address = fields["next"]
        return out[::-1]

    def select(self, thread_id=None):
        """Every thread, or only the one whose ``thread_id`` is given (UsageError if none)."""
        threads = self.threads()
        if thread_id is None:
            return threads
        chosen = [thread for thread in threads if thread.thread_id == thread_id]
        if not chosen:
            raise UsageError("no Python thread %#x (threads: %s)" % (
                thread_id, ", ".join("%#x" % thread.thread_id for thread in threads)))
        return chosen

    def describe(self):
        """``Python interpreter at 0x.. (found by exported)``: which lookup path answered."""
        return "Python interpreter at %#x (found by %s)" % self.interpreter

    def stack(self, thread):
        """``(frames, problem)`` of one thread, innermost first (see ``frame_chain``)."""
        return frame_chain(self.reader, thread.frame)

    def threading_names(self, modules):
        """``{thread ident: name}`` from ``threading._active``.

        Names are decoration: a ``threading`` not imported, replaced or damaged, a missing or
        foreign ``_active``, or one unreadable entry gives fewer names, never an error.
        """
        reader = self.reader
        try:
            threading = reader.str_keyed(modules).get("threading")
            if not threading or not reader.is_exact(threading, "module"):
                return {}
            module_dict = reader.word(threading + reader.layout.PyModuleObject.md_dict)
            active = reader.str_keyed(module_dict).get("_active")
            if not active or not reader.is_exact(active, "dict"):
                return {}
            entries = reader.keyed(active, reader.int_value)
        except CpywalkerError:
            return {}
        names = {}
        for ident, thread in entries.items():
            try:
                name = self._thread_name(thread)
            except CpywalkerError:
                continue
            if name:
                names[ident & (1 << 64) - 1] = name
        return names

    def _thread_name(self, thread):
        """``Thread.__name`` of a ``threading.Thread``, escaped to one printable line, or None."""
        instance = self.reader.instance_dict(thread)
        name = instance and self.reader.str_keyed(instance).get("_Thread__name")
        return printable(self.reader.str_value(name)) if name else None


def printable(data):
    """``bytes`` as one line of text: UTF-8 where it decodes, ``\\xNN`` for other bytes and
    for control characters (a damaged name must not forge lines of output)."""
    text = data.decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)
