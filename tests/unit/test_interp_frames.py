"""Frames, line numbers, locals and threads read from a synthetic 2.7 heap."""

from gdb_cpywalker.interp.frames import addr2line, frame_chain
from gdb_cpywalker.interp.namespaces import CO_NEWLOCALS, CO_OPTIMIZED, frame_locals, is_module_frame, lookup
from gdb_cpywalker.interp.objects import ObjectReader
from gdb_cpywalker.interp.threads import PythonProcess

from interp_image import LAYOUT, Heap
from test_interp_locate import StubSymbols, image_with_head_function

# co_lnotab of this function, compiled by python2.7.18 as "known.py" (firstlineno 1):
#   def f(a):
#       x = a
#       <300 blank lines>
#       y = x + 1
#       z = [0, 1, ..., 99]     (326 bytes of bytecode: an address step over 255)
#       return z
# dis.findlinestarts gives [(0, 2), (6, 303), (16, 304), (322, 305)].
KNOWN_LNOTAB = bytes.fromhex("000106ff002e0a01ff003301")


def test_addr2line_matches_python27_line_starts():
    starts = [(0, 2), (6, 303), (16, 304), (322, 305)]
    for lasti in range(326):
        expected = [line for offset, line in starts if offset <= lasti][-1]
        assert addr2line(KNOWN_LNOTAB, 1, lasti) == expected, lasti


def test_addr2line_edges():
    assert addr2line(b"", 7, 100) == 7
    assert addr2line(b"\x00\x01\x06", 7, 100) == 8  # an odd trailing byte is ignored
    assert addr2line(KNOWN_LNOTAB, 1, -1) == 1  # f_lasti is -1 before the first instruction


def code_object(heap, name, varnames=(), nlocals=None, cellvars=(), freevars=(),
                flags=CO_OPTIMIZED | CO_NEWLOCALS, lnotab=KNOWN_LNOTAB):
    names = [heap.tuple_object([heap.string(text) for text in group])
             for group in (varnames, cellvars, freevars)]
    return heap.object(LAYOUT.PyCodeObject, heap.types["code"], co_flags=flags,
                       co_nlocals=len(varnames) if nlocals is None else nlocals,
                       co_varnames=names[0], co_cellvars=names[1], co_freevars=names[2],
                       co_filename=heap.string("known.py"), co_name=heap.string(name),
                       co_firstlineno=1, co_lnotab=heap.bytes_object(lnotab))


def frame_object(heap, code, back, globals_, slots=(), f_locals=0, lasti=0, **fields):
    frame = heap.object(LAYOUT.PyFrameObject, heap.types["frame"], 8 * len(slots), f_code=code,
                        f_back=back, f_globals=globals_, f_builtins=heap.builtins, f_locals=f_locals,
                        f_lasti=lasti, **fields)
    for index, slot in enumerate(slots):
        heap.put(frame + LAYOUT.PyFrameObject.f_localsplus + 8 * index, "Q", slot)
    return frame


def cell(heap, value):
    return heap.object(LAYOUT.PyCellObject, heap.types["cell"], ob_ref=value)


def stack(heap):
    """<module> -> outer(seed) [cell total] -> inner(step) [free total], as the target would have."""
    heap.builtins = heap.str_dict({"len": heap.int_object(-1), "shadowed": heap.int_object(-2)})
    globals_ = heap.str_dict({"shadowed": heap.int_object(1), "CONST": heap.int_object(2)})
    module = frame_object(heap, code_object(heap, "<module>", flags=0), 0, globals_, f_locals=globals_,
                          lasti=6)
    total = cell(heap, heap.int_object(40))
    outer = frame_object(heap, code_object(heap, "outer", ("seed", "unbound", "shadowed"),
                                           cellvars=("total",)),
                         module, globals_, [heap.int_object(20), 0, heap.string("local"), total], lasti=16)
    inner = frame_object(heap, code_object(heap, "inner", ("step",), freevars=("total",)),
                         outer, globals_, [heap.int_object(3), total], lasti=322, f_trace=1, f_lineno=999)
    return inner, outer, module


def values(reader, names):
    return [(name.name, name.kind, reader.int_value(name.address) if reader.type_name(
        reader.type_of(name.address)) == "int" else reader.string(name.address)) for name in names]


def test_frame_chain_names_lines_and_locals():
    heap = Heap()
    inner, outer, module = stack(heap)
    reader = ObjectReader(heap.memory, LAYOUT)
    frames, problem = frame_chain(reader, inner)
    assert problem is None
    assert [(frame.name, frame.filename, frame.line) for frame in frames] == [
        ("inner", "known.py", 999),  # traced: f_lineno is current, as PyFrame_GetLineNumber says
        ("outer", "known.py", 304), ("<module>", "known.py", 303)]
    assert values(reader, frame_locals(reader, frames[0])) == [("step", "local", 3), ("total", "free", 40)]
    assert values(reader, frame_locals(reader, frames[1])) == [
        ("seed", "local", 20), ("shadowed", "local", "local"), ("total", "cell", 40)]
    assert is_module_frame(frames[2]) and not is_module_frame(frames[1])
    assert ("CONST", "local", 2) in values(reader, frame_locals(reader, frames[2]))


def test_lookup_is_local_then_global_then_builtin():
    heap = Heap()
    inner, outer, _ = stack(heap)
    reader = ObjectReader(heap.memory, LAYOUT)
    frames, _ = frame_chain(reader, inner)
    assert values(reader, [lookup(reader, frames[1], "shadowed")]) == [("shadowed", "local", "local")]
    assert values(reader, [lookup(reader, frames[0], "shadowed")]) == [("shadowed", "global", 1)]
    assert values(reader, [lookup(reader, frames[0], "len")]) == [("len", "builtin", -1)]
    assert lookup(reader, frames[0], "unbound") is None and lookup(reader, frames[1], "unbound") is None


def test_frame_chain_stops_on_a_cycle_and_on_garbage():
    heap = Heap()
    inner, outer, module = stack(heap)
    heap.put(module + LAYOUT.PyFrameObject.f_back, "Q", inner)
    reader = ObjectReader(heap.memory, LAYOUT)
    frames, problem = frame_chain(reader, inner)
    assert len(frames) == 3 and problem == "f_back cycle at %#x" % inner
    heap.put(module + LAYOUT.PyFrameObject.f_back, "Q", heap.type_type)
    frames, problem = frame_chain(reader, inner)
    assert len(frames) == 3 and problem.startswith("unreadable frame at %#x: not a frame object" % heap.type_type)


def test_threads_gil_and_threading_names():
    heap = Heap()
    inner, outer, module = stack(heap)
    thread_type = heap.type_object("Thread", 0)
    heap.put(thread_type + LAYOUT.PyTypeObject.tp_dictoffset, "q", 16)
    worker = heap.alloc(24)
    heap.put(worker, "qQQ", 1, thread_type, heap.str_dict({"_Thread__name": heap.string("worker-1")}))
    active = heap.dict_object({heap.int_object(0x7F00AA): worker})
    threading = heap.object(LAYOUT.PyModuleObject, heap.types["module"],
                            md_dict=heap.str_dict({"_active": active}))
    interp = heap.interpreter(modules=heap.str_dict({"threading": threading}))
    first = heap.memory.pointer(interp + LAYOUT.PyInterpreterState.tstate_head)
    second = heap.alloc(LAYOUT.PyThreadState.size)
    heap.put(first + LAYOUT.PyThreadState.next, "Q", second)
    heap.put(first + LAYOUT.PyThreadState.thread_id, "q", 0x7F00AA)
    heap.put(first + LAYOUT.PyThreadState.frame, "Q", inner)
    heap.put(second + LAYOUT.PyThreadState.thread_id, "q", 0x7F00BB)
    heap.put(second + LAYOUT.PyThreadState.next, "Q", first)  # a corrupt cycle: listed once
    slot = image_with_head_function(heap, interp)
    heap.memory.map(slot + 0x100, 8)
    heap.put(slot + 0x100, "Q", second)
    process = PythonProcess(heap.memory, StubSymbols({"interp_head": slot, "_PyThreadState_Current": slot + 0x100}),
                            LAYOUT)
    threads = process.threads()
    assert [(t.thread_id, t.name, t.holds_gil) for t in threads] == [
        (0x7F00BB, None, True), (0x7F00AA, "worker-1", False)]
    assert [frame.name for frame in process.stack(threads[1])[0]] == ["inner", "outer", "<module>"]
    assert process.describe() == "Python interpreter at %#x (found by symbol)" % interp
