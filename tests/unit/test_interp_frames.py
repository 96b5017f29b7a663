"""Frames, line numbers, locals and threads read from a synthetic 2.7 heap."""

import struct

from gdb_cpywalker.interp.frames import addr2line, frame_chain
from gdb_cpywalker.interp.namespaces import frame_locals, is_module_frame, lookup
from gdb_cpywalker.interp.objects import StateReader
from gdb_cpywalker.interp.threads import PythonProcess

from interp_image import InterpBuilder, Ref
from test_interp_locate import BSS, StubSymbols, with_head_function

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


def stack(builder):
    """<module> -> outer(seed) [cell total] -> inner(step) [free total]: (inner, outer, module)."""
    builtins = builder.dict_({b"len": -1, b"shadowed": -2})
    globals_ = builder.dict_({b"shadowed": 1, b"CONST": 2})
    module = builder.frame(builder.code_object("<module>", KNOWN_LNOTAB, flags=0), 0, globals_, builtins,
                           f_locals=globals_, f_lasti=6)
    total = builder.cell(builder.int_(40))
    outer_code = builder.code_object("outer", KNOWN_LNOTAB, ("seed", "unbound", "shadowed"), cellvars=("total",))
    outer = builder.frame(outer_code, module, globals_, builtins,
                          [builder.int_(20), 0, builder.str_(b"local"), total], f_lasti=16)
    inner_code = builder.code_object("inner", KNOWN_LNOTAB, ("step",), freevars=("total",))
    inner = builder.frame(inner_code, outer, globals_, builtins, [builder.int_(3), total],
                          f_lasti=322, f_trace=builder.int_(0), f_lineno=999)
    return inner, outer, module


def values(reader, names):
    return [(name.name, name.kind, reader.int_value(name.address) if reader.is_exact(name.address, "int")
             else reader.string(name.address)) for name in names]


def test_frame_chain_names_lines_and_locals():
    builder = InterpBuilder()
    inner, _, _ = stack(builder)
    reader = StateReader(builder.image(), builder.layout)
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
    builder = InterpBuilder()
    inner, _, _ = stack(builder)
    reader = StateReader(builder.image(), builder.layout)
    frames, _ = frame_chain(reader, inner)
    assert values(reader, [lookup(reader, frames[1], "shadowed")]) == [("shadowed", "local", "local")]
    assert values(reader, [lookup(reader, frames[0], "shadowed")]) == [("shadowed", "global", 1)]
    assert values(reader, [lookup(reader, frames[0], "len")]) == [("len", "builtin", -1)]
    assert lookup(reader, frames[0], "unbound") is None and lookup(reader, frames[1], "unbound") is None


def test_frame_chain_stops_on_a_cycle_and_on_garbage():
    builder = InterpBuilder()
    inner, _, module = stack(builder)
    type_type = builder.builtin("type")
    memory = builder.image()
    back = module + builder.layout.PyFrameObject.f_back
    memory.write(back, struct.pack("<Q", inner))
    frames, problem = frame_chain(StateReader(memory, builder.layout), inner)
    assert len(frames) == 3 and problem == "f_back cycle at %#x" % inner
    memory.write(back, struct.pack("<Q", type_type))
    frames, problem = frame_chain(StateReader(memory, builder.layout), inner)
    assert len(frames) == 3 and problem.startswith("unreadable frame at %#x: not a frame object" % type_type)


def test_threads_gil_and_threading_names():
    builder = InterpBuilder()
    layout = builder.layout
    inner, _, _ = stack(builder)
    worker = builder.instance(builder.heap_type("Thread", module=b"threading"), {b"_Thread__name": b"worker-1"})
    threading = builder.new("PyModuleObject", builder.builtin("module"), md_dict=builder.dict_(
        {b"_active": Ref(builder.dict_({0x7F00AA: Ref(worker)}))}))
    interp = builder.interpreter(modules=builder.dict_({b"threading": Ref(threading)}))
    first = builder.first_thread[interp]
    second = builder.state("PyThreadState", thread_id=0x7F00BB, next=first)  # a corrupt cycle: listed once
    for name, value in (("next", second), ("thread_id", 0x7F00AA), ("frame", inner)):
        builder.word(first + getattr(layout.PyThreadState, name), value)
    memory = builder.image()
    slot = with_head_function(memory, interp)
    memory.write(BSS + 0x80, struct.pack("<Q", second))
    process = PythonProcess(memory, StubSymbols({"interp_head": slot, "_PyThreadState_Current": BSS + 0x80}),
                            layout)
    threads = process.threads()
    assert [(t.thread_id, t.name, t.holds_gil) for t in threads] == [
        (0x7F00BB, None, True), (0x7F00AA, "worker-1", False)]
    assert [frame.name for frame in process.stack(threads[1])[0]] == ["inner", "outer", "<module>"]
    assert process.describe() == "Python interpreter at %#x (found by symbol)" % interp
