"""Native stacks without gdb: each thread's registers (ptrace, /proc, a core's
NT_PRSTATUS) unwound with the target's ``.eh_frame`` and named from its ELF symbols."""

from .frames import NativeStack, from_unwound
from .pthreads import pthread_tids
from .symbolize import Symbolizer
from .unwind import CodeMap, unwind


def unwound_stacks(memory, symbols, registers, pthreads=(), missing=()):
    """A ``NativeStack`` per ``registers.ThreadRegisters`` (LWP order), plus an empty one
    per LWP of ``missing`` (threads whose registers could not be read).

    A thread's pthread_t is its fs_base when the registers have it, else it is found by
    reading the tid field of each of ``pthreads`` (the Python threads' ids).
    """
    code_map = CodeMap(symbols)
    symbolizer = Symbolizer(symbols, code_map)
    tids = {entry.tid for entry in registers} | set(missing)
    by_tid = {tid: pthread for pthread, tid in pthread_tids(memory, symbols, pthreads, tids).items()}
    stacks = []
    for entry in sorted(registers, key=lambda entry: entry.tid):
        unwound, problem = unwind(memory, code_map, entry.values)
        frames = from_unwound(unwound, symbolizer)
        main = next((index for index, frame in enumerate(frames)
                     if frame.name == "main" and frame.path == symbols.executable), None)
        if main is not None:  # gdb's "backtrace past-main off": the program's main is the last frame
            frames, problem = frames[:main + 1], None
        pthread = entry.values.get("fs_base") or by_tid.get(entry.tid)
        stacks.append(NativeStack(entry.tid, pthread, None, frames, problem, entry.syscall))
    for tid in sorted(missing):
        stacks.append(NativeStack(tid, by_tid.get(tid), None, [], "no registers: the thread was "
                                  "running and ptrace was refused", None))
    return stacks
