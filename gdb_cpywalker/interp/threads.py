"""The interpreter's Python threads: thread states, the GIL holder and ``threading`` names."""

from collections import namedtuple

from ..errors import DecodeError, MemoryReadError, UsageError
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
        """``{thread ident: name}`` from ``threading._active`` (empty when not importable)."""
        reader = self.reader
        try:
            threading = reader.str_keyed(modules).get("threading")
            if not threading:
                return {}
            module_dict = reader.word(threading + reader.layout.PyModuleObject.md_dict)
            active = reader.str_keyed(module_dict).get("_active")
            names = {}
            for ident, thread in reader.keyed(active, reader.int_value).items():
                instance = reader.instance_dict(thread)
                name = instance and reader.str_keyed(instance).get("_Thread__name")
                if name:
                    names[ident & (1 << 64) - 1] = reader.string(name)
            return names
        except (DecodeError, MemoryReadError):
            return {}
