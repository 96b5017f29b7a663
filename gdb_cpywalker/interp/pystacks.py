"""Python stacks sampled at many moments of a running process (mmaptracker's Python stacks).

``StackSampler.stack(thread_id)`` reads, at one stop of the target, the frame chain of the
Python thread whose ``thread_id`` (pthread_self) is given, outermost call first, as
``(filename, line, function)`` tuples. It is built for thousands of calls: the interpreter is found once (its
``interp_head`` slot is read at each call, so start-up and finalization are seen), only
that thread's state and frames are read, and each code object is symbolized once (its
name, file and line table; a code object freed and another made at the same address is
told apart by its fields). Give the reader a fresh page cache at each stop.
"""

from ..errors import DecodeError, MemoryReadError
from .frames import MAX_FRAMES, addr2line
from .locate import is_interpreter
from .threads import MAX_THREADS


class StackSampler:
    """The Python stacks of one process (one address space)."""

    def __init__(self, reader, slot=None, interpreter=None):
        """``slot``: the address of ``interp_head``; or a fixed ``interpreter`` address when
        only a scan could find it."""
        self.reader = reader
        self.slot = slot
        self.interpreter = interpreter
        self._valid = set()
        self._seen = False
        self._frame_type = None
        self._codes = {}
        self._lines = {}

    def stack(self, thread_id):
        """``(frames, note)``: the thread's ``(filename, line, function)``s, outermost first, and
        None; or ``()`` and why there are none (a key of ``tracking.events.PY_NOTES``, or the
        text of a read error)."""
        try:
            interp = self._current_interpreter()
            if not interp:
                return (), "finalized" if self._seen else "not-started"
            frame = self._thread_frame(interp, thread_id)
            if frame is None:
                return (), "native-thread"
            if not frame:
                return (), "no-frame"
            return self._frames(frame), None
        except (DecodeError, MemoryReadError) as error:
            return (), "unreadable Python stack: %s" % error

    def _current_interpreter(self):
        interp = self.interpreter if self.slot is None else self.reader.word(self.slot)
        if interp and interp not in self._valid:
            if not is_interpreter(self.reader, interp):
                return 0
            self._valid.add(interp)
        self._seen = self._seen or bool(interp)
        return interp

    def _thread_frame(self, interp, thread_id):
        """The innermost frame of the thread (0: none), or None when it has no thread state.

        Two states can carry one thread's id: ``PyThreadState_New`` fills in the id of the
        thread that calls it, and ``thread.start_new_thread`` makes the new thread's state
        (frameless, at the head of the list) before the new thread sets its own id; the
        parent maps the new thread's stack in between. The state that runs a frame is the
        thread's own."""
        reader = self.reader
        layout = reader.layout.PyThreadState
        address = reader.word(interp + reader.layout.PyInterpreterState.tstate_head)
        found = None
        for _ in range(MAX_THREADS):
            if not address:
                break
            fields = reader.fields(layout, address)
            if fields["thread_id"] & (1 << 64) - 1 == thread_id:
                if fields["frame"]:
                    return fields["frame"]
                found = 0
            address = fields["next"]
        return found

    def _frames(self, address):
        reader = self.reader
        layout = reader.layout.PyFrameObject
        frames = []
        seen = set()
        while address and address not in seen and len(frames) < MAX_FRAMES:
            seen.add(address)
            fields = reader.fields(layout, address)
            if fields["ob_type"] != self._frame_type:
                if not reader.is_exact(address, "frame"):
                    raise DecodeError(address, "not a frame object")
                self._frame_type = fields["ob_type"]
            frames.append(self._frame(fields))
            address = fields["f_back"]
        return tuple(reversed(frames))

    def _frame(self, fields):
        code = fields["f_code"]
        filename, name, firstlineno, lnotab = self._code(code)
        if fields["f_trace"]:
            line = fields["f_lineno"]  # PyFrame_GetLineNumber: a traced frame keeps it current
        else:
            key = (code, firstlineno, lnotab, fields["f_lasti"])
            line = self._lines.get(key)
            if line is None:
                line = self._lines[key] = addr2line(lnotab, firstlineno, fields["f_lasti"])
        return filename, line, name

    def _code(self, address):
        """(filename, name, first line, line table) of a code object, read once."""
        reader = self.reader
        fields = reader.fields(reader.layout.PyCodeObject, address)
        identity = (fields["co_filename"], fields["co_name"], fields["co_lnotab"], fields["co_firstlineno"])
        known = self._codes.get(address)
        if known is None or known[0] != identity:
            known = self._codes[address] = (identity, (
                _text(reader.str_value(fields["co_filename"])), _text(reader.str_value(fields["co_name"])),
                fields["co_firstlineno"], reader.str_value(fields["co_lnotab"])))
        return known[1]


def _text(data):
    """A Python 2 file or function name (bytes; UTF-8 on Linux as a rule) as text: bytes that
    are not UTF-8 stay themselves, as surrogate escapes (the log writes them as ``\\xHH``)."""
    return data.decode("utf-8", "surrogateescape")
