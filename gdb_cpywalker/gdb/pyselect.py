"""What the py-bt family of commands shares in gdb: the target's Python process, gdb thread
<-> Python thread matching, and the selected Python frame (``py-up``/``py-down``/``py-frame``).

A Python thread's ``thread_id`` is its pthread_t, which is what gdb's
``InferiorThread.handle()`` returns: that gives each Python thread its gdb thread number
and LWP. The frame selection is kept here, per Python thread, until the inferior runs.
"""

import gdb

from ..errors import UsageError
from ..interp.locate import METHODS
from ..interp.threads import PythonProcess
from . import parameters
from .command import CpywalkerCommand
from .symbols import GdbSymbols, open_python

#: Python thread id -> index of its selected frame (0: innermost); cleared when it runs.
_selected_frames = {}


def declare_parameters():
    parameters.declare("interp-lookup", gdb.PARAM_ENUM, "auto",
                       "how the py-bt commands find the interpreter (auto tries symbol, exported, scan)",
                       ("auto",) + METHODS)
    parameters.declare("locals-width", gdb.PARAM_ZUINTEGER_UNLIMITED, 80,
                       "the width of each value's repr in the py-bt commands (characters)")


def open_process():
    """The selected inferior's ``PythonProcess`` (a fresh page cache: valid for one command);
    the values it shows are cut at ``set cpywalker max-string``."""
    memory, layout = open_python()
    process = PythonProcess(memory, GdbSymbols(), layout, parameters.value("interp-lookup") or "auto")
    process.reader.string_limit = parameters.limit("max-string")
    return process


def width_setting(override=None):
    """The repr width: ``--width`` when given, else ``set cpywalker locals-width`` (None: no cut)."""
    value = parameters.value("locals-width") if override is None else override
    return None if value is None or value <= 0 else value


def gdb_threads():
    """``{pthread_t: InferiorThread}`` of the selected inferior (empty when gdb cannot tell)."""
    out = {}
    for thread in gdb.selected_inferior().threads():
        try:
            handle = thread.handle()
        except (gdb.error, RuntimeError):
            continue
        if handle:
            out[int.from_bytes(handle, "little")] = thread
    return out


def native_numbers():
    """A function: Python thread -> ``(gdb thread number, LWP)``, or None when gdb has no match."""
    natives = gdb_threads()

    def numbers(thread):
        native = natives.get(thread.thread_id)
        return None if native is None else (native.num, native.ptid[1])
    return numbers


class PyStateCommand(CpywalkerCommand):
    """Base of the py-bt family: declares the settings they share."""

    walks_memory = True

    def __init__(self):
        declare_parameters()
        super().__init__()


def thread_id_of(spec, threads):
    """The Python thread id meant by ``--thread SPEC``: a gdb thread number, an LWP or an id."""
    try:
        number = int(spec, 0)
    except ValueError:
        raise UsageError("--thread takes a gdb thread number, an LWP or a thread id, not %r" % spec) from None
    natives = gdb_threads()
    for thread_id, native in natives.items():
        if number in (native.num, native.ptid[1]):
            return thread_id
    if any(thread.thread_id == number for thread in threads):
        return number
    raise UsageError("no Python thread matches %s" % spec)


def current_thread(process, spec=None):
    """The Python thread a command is about: ``--thread SPEC``, else gdb's selected thread,
    else the GIL holder, else the first Python thread."""
    threads = process.threads()
    if not threads:
        raise UsageError("the interpreter has no thread")
    if spec is not None:
        return process.select(thread_id_of(spec, threads))[0]
    selected = gdb.selected_thread()
    for thread_id, native in gdb_threads().items():
        if native == selected:
            for thread in threads:
                if thread.thread_id == thread_id:
                    return thread
    holders = [thread for thread in threads if thread.holds_gil]
    return (holders or threads)[0]


def selected_frame(process, thread, index=None):
    """``(index, frames)`` with ``index`` the selected (or given) frame of ``thread``."""
    frames, _ = process.stack(thread)
    if not frames:
        raise UsageError("thread %#x has no Python frame" % thread.thread_id)
    if index is None:
        index = _selected_frames.get(thread.thread_id, 0)
    if not 0 <= index < len(frames):
        raise UsageError("no Python frame #%d (frames #0 to #%d)" % (index, len(frames) - 1))
    return index, frames


def _forget_selection(event):
    _selected_frames.clear()
    gdb.events.cont.disconnect(_forget_selection)


def select_frame(thread, index):
    # Watch for the inferior resuming only while a selection exists: a Python handler on every
    # resume is a place for a Ctrl-C to be swallowed (mmaptracker's 'continue').
    if not _selected_frames:
        gdb.events.cont.connect(_forget_selection)
    _selected_frames[thread.thread_id] = index
