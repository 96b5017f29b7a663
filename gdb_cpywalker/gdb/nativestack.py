"""The native stacks of the selected inferior's threads, unwound by gdb (live or core).

A frame with debug info keeps gdb's name for it (inlined calls included) and its source
line; a frame without takes its name from the ELF symbol tables with sizes
(``native/symbolize.py``), so a static function of a stripped library reads
``library+offset`` instead of gdb's ``??``. The selected thread and frame are restored.
"""

import contextlib

import gdb

from ..native.frames import NativeStack, native_frame
from ..native.merge import EVAL_FUNCTION
from ..native.registers import CALLEE_SAVED, syscall_of
from ..native.symbolize import Location, Symbolizer
from ..native.unwind import MAX_FRAMES, CodeMap

MASK64 = (1 << 64) - 1
_KINDS = {gdb.INLINE_FRAME: "inline", gdb.SIGTRAMP_FRAME: "sigtramp"}
_SYSCALL_REGISTERS = ("orig_rax", "rdi", "rsi", "rdx", "r10", "r8", "r9")


def _register(frame, name):
    """A register's value in ``frame`` as an unsigned int; None when gdb does not know it."""
    try:
        value = frame.read_register(name)
        if value.is_optimized_out:
            return None
        return int(value) & MASK64
    except (gdb.error, ValueError):
        return None


@contextlib.contextmanager
def selection_kept():
    """Restore gdb's selected thread and frame after switching through threads."""
    thread = gdb.selected_thread()
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        frame = None
    try:
        yield
    finally:
        if thread is not None and thread.is_valid():
            thread.switch()
            if frame is not None and frame.is_valid():
                frame.select()


def pthread_of(thread, newest=None):
    """A thread's pthread_t: gdb's thread handle, else its fs_base (the same on x86-64
    glibc; ``newest`` is the thread's newest frame when it is the selected thread)."""
    try:
        handle = thread.handle()
    except (gdb.error, RuntimeError):
        handle = None
    if handle:
        return int.from_bytes(handle, "little")
    if newest is None:
        with selection_kept():
            thread.switch()
            return _register(gdb.newest_frame(), "fs_base")
    return _register(newest, "fs_base")


class GdbUnwinder:
    """``stacks(threads)``: a ``NativeStack`` per gdb thread; ``symbols`` is the command's
    ``GdbSymbols`` (regions, ELF files)."""

    def __init__(self, symbols):
        self.code_map = CodeMap(symbols)
        self.symbolizer = Symbolizer(symbols, self.code_map)

    def stacks(self, threads=None):
        inferior = gdb.selected_inferior()
        chosen = threads if threads is not None else sorted(inferior.threads(), key=lambda t: t.num)
        out = []
        with selection_kept():
            for thread in chosen:
                thread.switch()
                out.append(self.stack())
        return out

    def stack(self):
        """The ``NativeStack`` of gdb's selected thread."""
        thread = gdb.selected_thread()
        newest = gdb.newest_frame()
        values = {name: _register(newest, name) for name in _SYSCALL_REGISTERS}
        syscall = syscall_of({name: value for name, value in values.items() if value is not None})
        frames = []
        problem = None
        frame = newest
        exact = True
        while frame is not None:
            if len(frames) >= MAX_FRAMES:
                problem = "stopped after %d frames" % MAX_FRAMES
                break
            kind = _KINDS.get(frame.type(), "normal")
            frames.append(self._frame(len(frames), frame, kind, exact))
            exact = kind == "sigtramp"
            try:
                older = frame.older()
            except gdb.error as error:
                problem = str(error)
                break
            if older is None:
                reason = frame.unwind_stop_reason()
                if reason not in (gdb.FRAME_UNWIND_NO_REASON, gdb.FRAME_UNWIND_OUTERMOST):
                    problem = gdb.frame_stop_reason_string(reason)
            frame = older
        return NativeStack(thread.ptid[1], pthread_of(thread, newest), thread.num, frames, problem,
                           syscall)

    def _frame(self, number, frame, kind, exact):
        pc = frame.pc()
        registers = {name: _register(frame, name) for name in CALLEE_SAVED}
        registers = {name: value for name, value in registers.items() if value is not None}
        sp = _register(frame, "rsp")
        function = frame.function() if kind != "sigtramp" else None
        source = None
        argument = None
        if function is not None:
            found = self.symbolizer.locate(pc, exact)
            location = Location(frame.name(), found.path, found.offset)
            sal = frame.find_sal()
            if sal.symtab is not None and sal.line:
                source = "%s:%d" % (sal.symtab.filename, sal.line)
            if frame.name() == EVAL_FUNCTION and kind == "normal":
                argument = _frame_argument(frame)
        else:
            location = self.symbolizer.locate(pc, exact)
        return native_frame(number, pc, sp, registers, exact, location, source, kind, argument)


def _frame_argument(frame):
    """``PyEval_EvalFrameEx``'s ``f`` from debug info, or None (optimized out)."""
    try:
        value = frame.read_var("f")
        if value.is_optimized_out:
            return None
        return int(value) & MASK64 or None
    except (gdb.error, ValueError, RuntimeError):
        return None
