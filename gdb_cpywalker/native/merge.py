"""One stack per thread: its native frames with, at each ``PyEval_EvalFrameEx``, the
Python frame that evaluation runs.

The n-th evaluation frame from the top runs the n-th Python frame of the thread's
``f_back`` chain, and that is checked: the frame's ``PyFrameObject *`` is looked for
in the evaluation frame (the ``f`` argument when debug info gives it, else its
callee-saved registers, else its stack slots). A frame pointer found in the registers
that belongs further down the chain means the Python frames before it have no native
frame here (a greenlet, a corrupt stack): a warning says so where it happens and the
pairing resumes there; no pairing is ever made silently against the evidence.

Then runs of interpreter plumbing (frames of the interpreter's own object file that
neither run a Python frame nor carry an annotation) below the innermost Python frame
fold into one entry; nothing of another library is ever folded.
"""

import struct
from collections import namedtuple

from ..errors import CpywalkerError
from .registers import CALLEE_SAVED

EVAL_FUNCTION = "PyEval_EvalFrameEx"
#: The interpreter's call machinery and start-up (CPython 2.7): what folds. Another named
#: function of the interpreter (builtin_map, listsort, collect, _PyObject_GC_Malloc, ...)
#: says what the C code between two Python frames does and stays; without debug info
#: only exported names are known and the unnamed frames fold.
PLUMBING = frozenset((
    "call_function", "fast_function", "do_call", "ext_do_call", "update_keyword_args",
    "PyEval_EvalCodeEx", "PyEval_EvalCode", "PyEval_EvalFrame", "PyEval_CallObjectWithKeywords",
    "PyEval_CallFunction", "PyEval_CallMethod", "PyObject_Call", "PyObject_CallObject",
    "PyObject_CallFunction", "PyObject_CallMethod", "PyObject_CallFunctionObjArgs",
    "PyObject_CallMethodObjArgs", "call_function_tail", "_PyObject_CallFunction_SizeT",
    "_PyObject_CallMethod_SizeT", "PyCFunction_Call", "function_call", "instancemethod_call",
    "method_call", "slot_tp_call", "type_call", "slot_tp_init", "gen_send_ex", "gen_iternext",
    "exec_statement", "t_bootstrap", "pythread_wrapper", "run_mod", "run_pyc_file",
    "PyRun_FileExFlags", "PyRun_SimpleFileExFlags", "PyRun_AnyFileExFlags", "PyRun_StringFlags",
    "PyRun_SimpleStringFlags", "PyRun_InteractiveLoopFlags", "PyRun_InteractiveOneFlags",
    "RunModule", "Py_Main",
))
#: Stack slots of one native frame searched for its frame pointer.
MAX_STACK_WORDS = 512

#: A native frame; ``python`` the Python frame it runs (or None); ``confirmed`` whether
#: the frame pointer was found in it (False: paired by position only).
NativeEntry = namedtuple("NativeEntry", "frame python annotation confirmed")
#: A Python frame no native frame of the stack runs.
PythonEntry = namedtuple("PythonEntry", "python")
#: Consecutive interpreter frames shown as one line.
FoldEntry = namedtuple("FoldEntry", "frames")
#: A warning or a note at the place it concerns.
NoteEntry = namedtuple("NoteEntry", "text")


def is_eval(frame):
    return frame.name == EVAL_FUNCTION and frame.kind == "normal"


def merge(frames, python_frames, memory=None, annotations=None, problem=None):
    """Entries of one thread, innermost first (see the module docstring); ``problem`` is
    why the native unwinding stopped early (None when it reached the outermost frame)."""
    annotations = annotations or {}
    index_of = {python.address: index for index, python in enumerate(python_frames)}
    entries = []
    following = 0  # the next Python frame to pair
    surplus = False
    for index, frame in enumerate(frames):
        annotation = annotations.get(index)
        if not is_eval(frame):
            entries.append(NativeEntry(frame, None, annotation, False))
            continue
        if following >= len(python_frames):
            entries.append(NativeEntry(frame, None, annotation, False))
            if not surplus:
                entries.append(NoteEntry(
                    "warning: this %s runs no frame of the thread's Python frame chain (%d "
                    "frame%s, all shown above)" % (EVAL_FUNCTION, len(python_frames),
                                                   "" if len(python_frames) == 1 else "s")))
                surplus = True
            continue
        runs, confirmed = _runs(memory, frames, index, python_frames, following, index_of)
        if runs is None or runs < following:
            entries.append(NativeEntry(frame, None, annotation, False))
            entries.append(NoteEntry(_disagreement(frame, python_frames, runs)))
            continue
        if runs > following:
            skipped = python_frames[following:runs]
            entries.append(NoteEntry(
                "warning: no %s on the native stack runs the next %d Python frame%s (%s): shown "
                "without native frames" % (EVAL_FUNCTION, len(skipped), "" if len(skipped) == 1 else "s",
                                           ", ".join(python.name for python in skipped))))
            entries += [PythonEntry(python) for python in skipped]
        entries.append(NativeEntry(frame, python_frames[runs], annotation, confirmed))
        following = runs + 1
    if following < len(python_frames):
        rest = len(python_frames) - following
        entries.append(NoteEntry("warning: the native stack ends %s; %d older Python frame%s follow "
                                 "without native frames" % (
                                     "here (%s)" % problem if problem else "at its outermost frame",
                                     rest, "" if rest == 1 else "s")))
        entries += [PythonEntry(python) for python in python_frames[following:]]
    elif problem:
        entries.append(NoteEntry("native stack ends here: %s" % problem))
    return entries


def _disagreement(frame, python_frames, runs):
    if runs is None:
        return ("warning: this %s runs the Python frame at %#x, which is not in the thread's "
                "frame chain" % (EVAL_FUNCTION, frame.frame_argument))
    return ("warning: this %s runs the Python frame %s shown above: the native and Python stacks "
            "disagree here" % (EVAL_FUNCTION, python_frames[runs].name))


def _runs(memory, frames, index, python_frames, following, index_of):
    """``(index of the Python frame the evaluation frame runs or None, confirmed)``."""
    frame = frames[index]
    if frame.frame_argument is not None:
        return index_of.get(frame.frame_argument), True
    expected = python_frames[following].address
    registers = [frame.registers[name] for name in CALLEE_SAVED if name in frame.registers]
    if expected in registers:
        return following, True
    later = [index_of[value] for value in registers if index_of.get(value, -1) > following]
    if later:
        return min(later), True
    if expected in _stack_words(memory, frames, index):
        return following, True
    return following, False


def _stack_words(memory, frames, index):
    """The words of a frame's stack slots, from its stack pointer to its caller's."""
    frame = frames[index]
    caller_sp = next((older.sp for older in frames[index + 1:]
                      if older.kind != "inline" and older.sp and older.sp > (frame.sp or 0)), None)
    if memory is None or not frame.sp or caller_sp is None:
        return set()
    size = min(caller_sp - frame.sp, MAX_STACK_WORDS * 8) // 8 * 8
    try:
        data = memory.read_partial(frame.sp, size)
    except CpywalkerError:
        return set()
    return set(struct.unpack("<%dQ" % (len(data) // 8), data[:len(data) // 8 * 8]))


def fold(entries, interpreter_path):
    """``entries`` with each run of two or more interpreter-plumbing frames (unnamed or
    in ``PLUMBING``) below the innermost Python frame replaced by one ``FoldEntry``."""
    out = []
    run = []
    below_python = False

    def flush():
        if len(run) >= 2:
            out.append(FoldEntry(tuple(entry.frame for entry in run)))
        else:
            out.extend(run)
        del run[:]

    for entry in entries:
        if (below_python and isinstance(entry, NativeEntry) and entry.python is None
                and entry.annotation is None and not is_eval(entry.frame)
                and (entry.frame.name is None or entry.frame.name in PLUMBING)
                and entry.frame.path is not None and entry.frame.path == interpreter_path):
            run.append(entry)
            continue
        flush()
        out.append(entry)
        if isinstance(entry, PythonEntry) or (isinstance(entry, NativeEntry) and entry.python):
            below_python = True
    flush()
    return out
