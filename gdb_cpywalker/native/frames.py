"""Native frames and stacks as the merge and the text see them, whoever unwound them
(gdb's unwinder inside gdb, ``unwind.py`` in the CLI).

A ``NativeFrame``:
  ``number``     gdb's frame number (#N), innermost 0
  ``pc``, ``sp`` the frame's instruction and stack pointers
  ``registers``  ``{name: value}`` of the callee-saved registers known in the frame
  ``exact``      True when ``pc`` is where the frame stopped (frame 0, a frame interrupted
                 by a signal), False when it is a return address
  ``name``       the function's name, or None (the text then says ``library+offset``)
  ``path``       the object file holding ``pc`` (None: not in a mapped file)
  ``offset``     ``pc`` as a link-time address of that file (None when unknown)
  ``source``     ``"file.c:123"`` when gdb has debug info for it, else None
  ``kind``       "normal", "inline" (gdb shows an inlined call as its own frame at the
                 same pc) or "sigtramp" (``<signal handler called>``)
  ``frame_argument``  the ``PyFrameObject *`` argument of a ``PyEval_EvalFrameEx``
                 frame when debug info gives it, else None
"""

from collections import namedtuple

NativeFrame = namedtuple("NativeFrame", "number pc sp registers exact name path offset source kind "
                                        "frame_argument")

#: One thread's native stack: ``tid`` (LWP), ``pthread`` (pthread_t: the Python thread id),
#: ``number`` (gdb's thread number or None), ``frames`` innermost first, ``problem`` (why
#: the unwinding stopped early, or None), ``syscall`` (``registers.Syscall`` or None).
NativeStack = namedtuple("NativeStack", "tid pthread number frames problem syscall")


def native_frame(number, pc, sp, registers=None, exact=False, location=None, source=None,
                 kind="normal", frame_argument=None):
    """A ``NativeFrame``; ``location`` is a ``symbolize.Location`` (name, path, offset)."""
    name, path, offset = location if location is not None else (None, None, None)
    return NativeFrame(number, pc, sp, dict(registers or {}), exact, name, path, offset, source,
                       kind, frame_argument)


def from_unwound(unwound, symbolizer):
    """``NativeFrame``s of ``unwind.unwind``'s frames, named by ``symbolizer``."""
    return [native_frame(number, frame.pc, frame.sp, frame.registers, frame.exact,
                         symbolizer.locate(frame.pc, frame.exact))
            for number, frame in enumerate(unwound)]
