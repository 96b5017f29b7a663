"""Merging native and Python frames on synthetic stacks: pairing checked against the frame
pointer, warnings where the stacks disagree, folding, annotations, the text, the names."""

import struct

from gdb_cpywalker.interp.frames import Frame
from gdb_cpywalker.interp.text import SourceFiles
from gdb_cpywalker.memory.image import ImageMemory
from gdb_cpywalker.native.annotate import annotate, describe_syscall, resumed
from gdb_cpywalker.native.frames import native_frame
from gdb_cpywalker.native.merge import FoldEntry, NativeEntry, NoteEntry, PythonEntry, fold, merge
from gdb_cpywalker.native.pthreads import pthread_tids
from gdb_cpywalker.native.registers import (USER_REGS, USER_REGS_STRUCT, Syscall, from_user_regs,
                                            parse_proc_syscall, syscall_of)
from gdb_cpywalker.native.symbolize import Location, Symbolizer
from gdb_cpywalker.native.text import Options, native_line, stack_lines
from gdb_cpywalker.target.elf import Section, Symbol

LIBPYTHON = "/opt/app/lib/libpython2.7.so.1.0"
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
EXT = "/opt/app/ext/fast.so"


def python(address, name, line=10):
    return Frame(address, 0, 0, "app.py", name, line, 0, 0, 0, 0, {})


def native(number, name, path=LIBPYTHON, registers=None, kind="normal", sp=None, argument=None):
    location = Location(name, path, 0x1000 + number)
    return native_frame(number, 0x7F0000001000 + number, sp or 0x7FFF0000 + 0x100 * number, registers,
                        number == 0, location, None, kind, argument)


def evaluation(number, frame_address=None, **others):
    registers = {"r15": frame_address} if frame_address else {}
    return native(number, "PyEval_EvalFrameEx", registers=registers, **others)


def kinds(entries):
    out = []
    for entry in entries:
        if isinstance(entry, NativeEntry):
            out.append((entry.frame.number, entry.python.name if entry.python else None, entry.confirmed))
        elif isinstance(entry, PythonEntry):
            out.append(("python", entry.python.name))
        elif isinstance(entry, FoldEntry):
            out.append(("fold", [frame.number for frame in entry.frames]))
        else:
            out.append(("note", entry.text))
    return out


PYTHON_FRAMES = [python(0xA0, "inner"), python(0xB0, "middle"), python(0xC0, "outer")]


def test_each_evaluation_runs_the_frame_found_in_its_registers():
    frames = [native(0, "read", LIBC), evaluation(1, 0xA0), native(2, None), evaluation(3, 0xB0),
              native(4, "cfunc", EXT), evaluation(5, 0xC0), native(6, "Py_Main")]
    assert kinds(merge(frames, PYTHON_FRAMES)) == [
        (0, None, False), (1, "inner", True), (2, None, False), (3, "middle", True),
        (4, None, False), (5, "outer", True), (6, None, False)]


def test_frame_pointer_on_the_stack_confirms_and_no_evidence_pairs_by_position():
    sp = 0x7000
    memory = ImageMemory([(sp, struct.pack("<4Q", 1, 0xB0, 2, 3))])
    frames = [evaluation(0, sp=0x6000), evaluation(1, sp=sp), native(2, "x", sp=sp + 32), evaluation(3, sp=0x8000)]
    assert kinds(merge(frames, PYTHON_FRAMES, memory)) == [
        (0, "inner", False), (1, "middle", True), (2, None, False), (3, "outer", False)]
    text = list(stack_lines(merge(frames, PYTHON_FRAMES, memory), SourceFiles("/nonexistent")))
    assert text[0].endswith("  [paired by position: frame pointer not found]")
    assert not text[2].endswith("]")


def test_python_frames_without_an_evaluation_are_shown_with_a_warning():
    """A greenlet's or a corrupt stack: the frame pointer says the first evaluation runs
    the second Python frame."""
    frames = [evaluation(0, 0xB0), evaluation(1, 0xC0)]
    assert kinds(merge(frames, PYTHON_FRAMES)) == [
        ("note", "warning: no PyEval_EvalFrameEx on the native stack runs the next 1 Python frame "
                 "(inner): shown without native frames"),
        ("python", "inner"), (0, "middle", True), (1, "outer", True)]


def test_count_mismatches_are_shown_where_they_happen():
    frames = [evaluation(0, 0xA0), evaluation(1, 0xB0), evaluation(2, 0xC0), evaluation(3)]
    assert kinds(merge(frames, PYTHON_FRAMES))[-2:] == [
        (3, None, False),
        ("note", "warning: this PyEval_EvalFrameEx runs no frame of the thread's Python frame chain "
                 "(3 frames, all shown above)")]
    short = merge([evaluation(0, 0xA0)], PYTHON_FRAMES, problem="corrupt stack")
    assert kinds(short) == [
        (0, "inner", True),
        ("note", "warning: the native stack ends here (corrupt stack); 2 older Python frames follow "
                 "without native frames"),
        ("python", "middle"), ("python", "outer")]
    assert kinds(merge([native(0, "poll", LIBC)], [], problem="no registers")) == [
        (0, None, False), ("note", "native stack ends here: no registers")]


def test_a_frame_argument_from_debug_info_decides():
    stray = merge([evaluation(0, argument=0xDEAD)], PYTHON_FRAMES)
    assert kinds(stray)[1] == ("note", "warning: this PyEval_EvalFrameEx runs the Python frame at 0xdead, "
                                       "which is not in the thread's frame chain")
    backwards = merge([evaluation(0, argument=0xB0), evaluation(1, argument=0xA0)], PYTHON_FRAMES)
    assert kinds(backwards)[:4] == [
        ("note", "warning: no PyEval_EvalFrameEx on the native stack runs the next 1 Python frame "
                 "(inner): shown without native frames"),
        ("python", "inner"), (0, "middle", True), (1, None, False)]
    assert "disagree" in kinds(backwards)[4][1]


def test_folds_hold_only_interpreter_plumbing_below_the_innermost_python_frame():
    frames = [native(0, None), native(1, "call_function"), evaluation(2, 0xA0),
              native(3, None), native(4, "PyObject_Call"), native(5, "builtin_map"), native(6, None),
              native(7, "fast_function"), evaluation(8, 0xB0), native(9, None), native(10, "cfunc", EXT),
              native(11, None), evaluation(12, 0xC0), native(13, None), native(14, None),
              native(15, "start_thread", LIBC)]
    folded = fold(merge(frames, PYTHON_FRAMES), LIBPYTHON)
    assert kinds(folded) == [
        (0, None, False), (1, None, False), (2, "inner", True), ("fold", [3, 4]), (5, None, False),
        ("fold", [6, 7]), (8, "middle", True), (9, None, False), (10, None, False), (11, None, False),
        (12, "outer", True), ("fold", [13, 14]), (15, None, False)]
    annotated = fold(merge(frames[:3] + [native(3, None), native(4, None)], PYTHON_FRAMES[:1], None,
                           {3: "garbage-collecting"}), LIBPYTHON)
    assert kinds(annotated)[3:] == [(3, None, False), (4, None, False)]


def test_native_lines_as_gdb_prints_them():
    assert native_line(native(3, "select", LIBC)) == \
        "#3  0x00007f0000001003 in select () from /lib/x86_64-linux-gnu/libc.so.6"
    assert native_line(native(12, None)) == \
        "#12 0x00007f000000100c in libpython2.7.so.1.0+0x100c () from %s" % LIBPYTHON
    assert native_line(native(1, "main", "/opt/app/bin/python2.7"), executable="/opt/app/bin/python2.7") == \
        "#1  0x00007f0000001001 in main ()"
    debug = native_frame(2, 0x1234, 0, kind="inline", location=Location("call_function", LIBPYTHON, 0),
                         source="Python/ceval.c:4376")
    assert native_line(debug, "waiting") == "#2  call_function (...) at Python/ceval.c:4376  [waiting]"
    assert native_line(native_frame(4, 0, 0, kind="sigtramp")) == "#4  <signal handler called>"
    assert native_line(native_frame(5, 0x10, 0)) == "#5  0x0000000000000010 in ?? ()"


def test_stack_text_in_both_orders():
    frames = [native(0, "poll", LIBC), evaluation(1, 0xA0), native(2, None), native(3, None),
              evaluation(4, 0xB0)]
    entries = fold(merge(frames, PYTHON_FRAMES[:2]), LIBPYTHON)
    sources = SourceFiles("/nonexistent")
    lines = list(stack_lines(entries, sources))
    assert lines == [native_line(frames[0]), native_line(frames[1]), '  File "app.py", line 10, in inner',
                     "#2-#3 ... 2 frames in libpython2.7.so.1.0 ...", native_line(frames[4]),
                     '  File "app.py", line 10, in middle']
    assert list(stack_lines(entries, sources, options=Options(True, True, False, None))) == \
        lines[4:] + lines[3:4] + lines[1:3] + lines[:1]


def test_annotations():
    gil = [native(0, None, LIBC), native(1, "PyThread_acquire_lock"), native(2, "PyEval_RestoreThread")]
    assert annotate(gil, gil_holder='thread 0x1 "MainThread"') == {
        1: 'waiting for the GIL, held by thread 0x1 "MainThread"'}
    periodic = [native(0, "PyThread_acquire_lock"), evaluation(1)]
    assert annotate(periodic) == {0: "waiting for the GIL"}
    lock = [native(0, "PyThread_acquire_lock"), native(1, None), native(2, "PyEval_EvalFrameEx")]
    assert annotate(lock) == {0: "waiting for a lock"}
    importing = [native(0, "PyThread_acquire_lock"), native(1, "_PyImport_AcquireLock")]
    assert annotate(importing) == {0: "waiting for the import lock"}
    inline = [native(0, "x", LIBC), native(1, "PyThread_acquire_lock"),
              native(2, "inlined", kind="inline"), native(3, "PyEval_RestoreThread")]
    assert annotate(inline)[1].startswith("waiting for the GIL")
    stripped_gc = [native(0, None), native(1, None), native(2, "_PyObject_GC_Malloc")]
    assert annotate(stripped_gc) == {1: "garbage-collecting"}
    assert annotate([native(0, "x"), native(1, "collect"), native(2, "collect_generations")]) == {
        1: "garbage-collecting"}


def test_system_calls_and_their_descriptors():
    memory = ImageMemory([(0x1000, (1 << 3 | 1 << 9).to_bytes(8, "little") + bytes(8)),
                          (0x2000, struct.pack("<qq", 2, 500000)),
                          (0x3000, struct.pack("<ihhihh", 4, 1, 0, 7, 4, 0)),
                          (0x4000, b"\xb8\x07\x00\x00\x00\x0f\x05")])
    assert describe_syscall(Syscall(0, (3, 0, 1, 0, 0, 0))) == "in read(fd 3)"
    assert describe_syscall(Syscall(23, (10, 0x1000, 0, 0, 0, 0)), memory) == "in select(): read fds 3, 9"
    assert describe_syscall(Syscall(270, (10, 0x1000, 0x1008, 0, 0x2000, 0)), memory) == \
        "in pselect6(): read fds 3, 9, timeout 2.0005 s left"
    assert describe_syscall(Syscall(23, (0, 0, 0, 0, 0x2000, 0)), memory) == \
        "sleeping: in select() with no fd, timeout 2.5 s left"
    assert describe_syscall(Syscall(7, (0x3000, 2, 0, 0, 0, 0)), memory) == "in poll(): fd 4 (in), fd 7 (out)"
    assert describe_syscall(Syscall(232, (5, 0, 0, 0, 0, 0))) == "in epoll_wait(epoll fd 5)"
    assert describe_syscall(Syscall(61, ((1 << 64) - 1, 0, 0, 0, 0, 0))) == \
        "in wait4(): waiting for any child process"
    assert describe_syscall(Syscall(999, (0,) * 6)) is None
    paths = ImageMemory([(0x5000, b'/srv/fi"fo\n\xc3\xa9\xff\0junk'), (0x6000, b"x" * 300)])
    assert describe_syscall(Syscall(257, (-100 & 0xFFFFFFFF, 0x5000, 0, 0, 0, 0)), paths) == \
        'in openat("/srv/fi\\"fo\\n\xe9\\xff")'  # a FIFO nobody writes to blocks its opener here
    assert describe_syscall(Syscall(2, (0x6000, 0, 0, 0, 0, 0)), paths) == 'in open("%s"...)' % ("x" * 256)
    assert describe_syscall(Syscall(2, (0x9000, 0, 0, 0, 0, 0)), paths) == "in open(...)"
    assert describe_syscall(Syscall(73, (5, 2, 0, 0, 0, 0))) == "in flock(fd 5)"
    restarted = resumed(Syscall(219, (0x3000, 1, 0, 0, 0, 0)), memory, 0x4007)
    assert restarted.number == 7 and resumed(Syscall(219, (0,) * 6), memory, 0x5000).number == 219
    frames = [native(0, "poll", LIBC)]
    assert annotate(frames, Syscall(0, (5, 0, 0, 0, 0, 0))) == {0: "in read(fd 5)"}


def test_registers_from_ptrace_and_proc():
    values = dict(zip(USER_REGS, range(len(USER_REGS))))
    values["orig_rax"] = (1 << 64) - 1
    packed = USER_REGS_STRUCT.pack(*(values[name] for name in USER_REGS))
    assert from_user_regs(packed) == values and syscall_of(values) is None
    values["orig_rax"] = 270
    assert syscall_of(values) == Syscall(270, tuple(values[n] for n in ("rdi", "rsi", "rdx", "r10", "r8", "r9")))
    assert parse_proc_syscall("running\n") is None
    assert parse_proc_syscall("202 0x55 0x189 0x0 0x0 0x0 0xffffffff 0x7ffe10 0x7f0f16\n") == (
        Syscall(202, (0x55, 0x189, 0, 0, 0, 0xFFFFFFFF)), {"rsp": 0x7FFE10, "rip": 0x7F0F16})
    assert parse_proc_syscall("-1 0x7ffe10 0x7f0f16\n") == (None, {"rsp": 0x7FFE10, "rip": 0x7F0F16})


class FakeElf:
    def function_symbols(self):
        return sorted([Symbol("select", 0x100, 0x20, 2, True), Symbol("__select", 0x100, 0x20, 2, True),
                       Symbol("outer", 0x200, 0x80, 2, True), Symbol("inner", 0x210, 0x10, 2, True),
                       Symbol("label", 0x400, 0, 2, True)], key=lambda s: (s.value, s.name))


class FakeSymbols:
    def load_bias(self, path):
        return 0x10000

    def elf(self, path):
        return FakeElf()


class FakeCodeMap:
    def path_at(self, address):
        return "/lib/fake.so" if 0x10000 <= address < 0x20000 else None


def test_symbol_names_as_gdb_chooses_them():
    symbolizer = Symbolizer(FakeSymbols(), FakeCodeMap())
    assert symbolizer.locate(0x10110) == Location("select", "/lib/fake.so", 0x110)
    assert symbolizer.locate(0x10120).name is None  # past select's size: a static function
    assert symbolizer.locate(0x10120, exact=False).name == "select"  # a return address looks at pc-1
    assert symbolizer.locate(0x10218).name == "inner"
    assert symbolizer.locate(0x10230).name == "outer"  # past inner, still inside outer
    assert symbolizer.locate(0x10500).name == "label"  # a symbol without size covers what follows
    assert symbolizer.locate(0x30000) == Location(None, None, None)


def test_pthread_to_lwp_through_the_tid_field():
    class Symbols:
        def address(self, name):
            return 0x9000 if name == "_thread_db_pthread_tid" else None

    memory = ImageMemory([(0x9000, struct.pack("<III", 32, 1, 0x10)),
                          (0x5000, bytes(0x10) + struct.pack("<I", 4242)),
                          (0x6000, bytes(0x10) + struct.pack("<I", 17))])
    assert pthread_tids(memory, Symbols(), [0x5000, 0x6000, 0xDEAD000], {4242, 99}) == {0x5000: 4242}


class FakeProcess:
    """What merged_backtrace asks of a PythonProcess: threads, their stacks, a reader."""

    reader = None

    def __init__(self, threads, stacks):
        self._threads = threads
        self._stacks = stacks

    def threads(self):
        return self._threads

    def stack(self, thread):
        return self._stacks[thread.thread_id], None


def test_threads_are_paired_by_pthread_and_the_odd_ones_say_so():
    from gdb_cpywalker.interp.threads import PythonThread
    from gdb_cpywalker.native.frames import NativeStack
    from gdb_cpywalker.native.text import merged_backtrace

    main = PythonThread(0x1000, 0x7F01, 0xA0, True, "MainThread")
    gone = PythonThread(0x2000, 0x7F02, 0xC0, False, None)
    process = FakeProcess([main, gone], {0x7F01: PYTHON_FRAMES[:1], 0x7F02: PYTHON_FRAMES[2:]})
    stacks = [NativeStack(11, 0x7F01, 1, [native(0, "poll", LIBC), evaluation(1, 0xA0)], None, None),
              NativeStack(12, 0x7F09, 2, [native(0, "epoll_wait", LIBC)], None, Syscall(232, (4, 0, 0, 0, 0, 0)))]
    lines = list(merged_backtrace(process, process.threads(), stacks, SourceFiles("/nonexistent"),
                                  Options(False, True, False, None)))
    assert lines == [
        'Thread 0x7f01 "MainThread" [gdb thread 1, LWP 11] (holds the GIL)',
        "Native and Python frames, innermost first (gdb's order):",
        native_line(stacks[0].frames[0]), native_line(stacks[0].frames[1]),
        '  File "app.py", line 10, in inner', "",
        "Thread 0x7f02", "Native and Python frames, innermost first (gdb's order):",
        "  (no native stack: no thread of the target has pthread_t 0x7f02)",
        '  File "app.py", line 10, in outer', "",
        "Thread 0x7f09 [gdb thread 2, LWP 12] (no Python thread state)",
        "Native and Python frames, innermost first (gdb's order):",
        native_line(stacks[1].frames[0], "in epoll_wait(epoll fd 4)"), ""]


class SectionedElf(FakeElf):
    """FakeElf with section headers: ``.init`` (``_init``, size 0) before ``.text``."""

    sections = [Section(".init", 1, 0x6, 0x300, 0x300, 0xE, 0, 0),
                Section(".text", 1, 0x6, 0x100, 0x100, 0x200, 0, 0),
                Section(".text.more", 1, 0x6, 0x310, 0x310, 0x200, 0, 0)]

    def function_symbols(self):
        return sorted(super().function_symbols() + [Symbol("_init", 0x300, 0, 2, True)],
                      key=lambda s: (s.value, s.name))


class SectionedSymbols(FakeSymbols):
    def elf(self, path):
        return SectionedElf()


def test_a_symbol_without_size_names_only_its_own_section():
    """A stripped library's static functions follow glibc's _init (size 0, in .init): gdb
    says ?? for them, not _init (found by QA on greenlet's _greenlet.so)."""
    symbolizer = Symbolizer(SectionedSymbols(), FakeCodeMap())
    assert symbolizer.locate(0x10304).name == "_init"
    assert symbolizer.locate(0x10320).name is None
    assert symbolizer.locate(0x10500).name == "label"  # in .text.more, as label is
