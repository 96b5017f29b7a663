"""Greenlets on a synthetic 2.7 heap: release detection, states, threads, frames and their text,
for the 0.4/1.x (C) and 2.0 (C++) layouts, and every bad input the commands must survive."""

import struct

import pytest

from gdb_cpywalker.errors import UnsupportedTarget
from gdb_cpywalker.interp.greenlet_search import find_greenlets, reachable_greenlets
from gdb_cpywalker.interp.greenlet_text import greenlet_backtrace, greenlet_table
from gdb_cpywalker.interp.greenlets import NoGreenletModule, find_release, read_greenlets
from gdb_cpywalker.interp.text import SourceFiles
from gdb_cpywalker.interp.threads import PythonProcess
from gdb_cpywalker.layouts import greenlet_layout

from interp_image import InterpBuilder, Ref
from test_interp_frames import KNOWN_LNOTAB
from test_interp_locate import StubSymbols, with_head_function

MAIN = (1 << 64) - 1  # stack_stop of a main greenlet: (char*)-1


class World:
    """An interpreter with one thread, a greenlet module of ``version`` and greenlets built by
    ``greenlet(...)``; ``process()`` maps it."""

    def __init__(self, version="1.1.3", layout_name="c", basicsize=None):
        self.builder = b = InterpBuilder()
        self.glayout = greenlet_layout(layout_name)
        self.cpp = layout_name == "cpp"
        self.type = b.make_type("greenlet.greenlet", basicsize or self.glayout.PyGreenlet.size,
                                base=b.builtin("object"))
        self.globals = b.dict_({b"G": 7})
        self.builtins = b.dict_({})
        self.keep = []
        self.module_dict = {b"__version__": version.encode(), b"greenlet": Ref(self.type)}
        self.interp = None
        self.thread_state = b.alloc(48) if self.cpp else 0

    def frame(self, name, back=0, slots=(), varnames=()):
        b = self.builder
        code = b.code_object(name, KNOWN_LNOTAB, varnames)
        return b.frame(code, back, self.globals, self.builtins, list(slots), f_lasti=6)

    def greenlet(self, stack_start=0, stack_stop=0, parent=0, top_frame=0, run=0, thread_key=0,
                 type_address=None, keep=True):
        """One greenlet; ``thread_key`` is the thread dict (C) or the main greenlet (C++, 0: itself)."""
        b = self.builder
        address = b.alloc(self.glayout.PyGreenlet.size + 16)
        b.set_fields("PyObject", address, ob_refcnt=1, ob_type=type_address or self.type)
        fields = dict(stack_start=stack_start, stack_stop=stack_stop, top_frame=top_frame)
        if not self.cpp:
            run_info = thread_key if stack_stop else run
            self._write(self.glayout.PyGreenlet, address, parent=parent, run_info=run_info, **fields)
        elif stack_stop == MAIN:
            pimpl = b.alloc(self.glayout.MainGreenlet.size)
            self._write(self.glayout.MainGreenlet, pimpl, self=address, thread_state=self.thread_state,
                        **fields)
            self._write(self.glayout.ThreadState, self.thread_state, main_greenlet=address)
            self._write(self.glayout.PyGreenlet, address, pimpl=pimpl)
        else:
            pimpl = b.alloc(self.glayout.UserGreenlet.size)
            self._write(self.glayout.UserGreenlet, pimpl, self=address, main_greenlet=thread_key,
                        run_callable=run, parent=parent, **fields)
            self._write(self.glayout.PyGreenlet, address, pimpl=pimpl)
        if keep:
            self.keep.append(Ref(address))
        return address

    def _write(self, compiled, address, /, **words):
        for name, value in words.items():
            self.builder.word(address + getattr(compiled, name), value)

    def process(self, thread_frame, thread_dict=0, with_module=True):
        b = self.builder
        self.module_dict[b"KEEP"] = self.keep
        module = b.new("PyModuleObject", b.builtin("module"), md_dict=b.dict_(self.module_dict))
        self.interp = b.interpreter(modules=b.dict_({b"greenlet": Ref(module)} if with_module else {}))
        tstate = b.first_thread[self.interp]
        for name, value in (("thread_id", 0x7F0001), ("frame", thread_frame), ("dict", thread_dict)):
            b.word(tstate + getattr(b.layout.PyThreadState, name), value)
        memory = b.image()
        slot = with_head_function(memory, self.interp)
        return PythonProcess(memory, StubSymbols({"interp_head": slot}), b.layout)

    def tstate(self):
        return self.builder.first_thread[self.interp]


def c_world():
    """Main greenlet suspended in <module>; runner running (the thread's frames); a suspended
    greenlet in outer -> inner; a Worker subclass not started with its class's run; a not
    started greenlet with its own run; a dead one."""
    w = World()
    b = w.builder
    thread_dict = b.dict_({})
    main = w.greenlet(1, MAIN, top_frame=w.frame("<module>"), thread_key=thread_dict)
    runner = w.greenlet(0x7FFC0000, 0x7FFC1000, parent=main, thread_key=thread_dict)
    inner = w.frame("inner", w.frame("outer", slots=[b.int_(5)], varnames=("seed",)),
                    slots=[b.str_(b"x")], varnames=("token",))
    suspended = w.greenlet(0x7FFB0000, 0x7FFB1000, parent=runner, top_frame=inner, thread_key=thread_dict)
    function = b.function(b"run_me")
    run_method = b.str_(b"class-run")
    worker_type = b.make_type("Worker", w.glayout.PyGreenlet.size + 16, base=w.type, heap=True)
    b.set_fields("PyTypeObject", worker_type, tp_dict=b.dict_({b"__module__": b"__main__", b"run": Ref(run_method)}),
                 tp_mro=b.tuple_([Ref(worker_type), Ref(w.type)]))
    worker = w.greenlet(parent=runner, type_address=worker_type)
    pending = w.greenlet(parent=runner, run=function)
    dead = w.greenlet(0, 0x7FFA1000, parent=runner, thread_key=thread_dict)
    # greenlet 0.4/1.x: a started greenlet's run_info is its thread's state dict, which keeps
    # the thread's current greenlet when another thread runs greenlet code
    b.set_fields("PyDictObject", thread_dict, ma_fill=1, ma_used=1)
    b.set_fields("PyDictEntry", thread_dict + b.layout.PyDictObject.ma_smalltable,
                 me_key=b.str_(b"__greenlet_ts_curkey"), me_value=runner)
    process = w.process(w.frame("wait"), thread_dict=thread_dict)
    return w, process, dict(main=main, runner=runner, suspended=suspended, worker=worker,
                            pending=pending, dead=dead, run=function, class_run=run_method,
                            inner=inner)


def test_release_states_threads_and_order_of_the_c_layout():
    w, process, g = c_world()
    release, greenlets, how = find_greenlets(process)
    assert (release.version, release.layout_name, release.type) == ("1.1.3", "c", w.type)
    thread = process.threads()[0]
    assert [(x.address, x.state, x.main, x.thread) for x in greenlets] == [
        (g["runner"], "running", False, thread), (g["main"], "suspended", True, thread),
        (g["suspended"], "suspended", False, thread), (g["worker"], "not started", False, thread),
        (g["pending"], "not started", False, thread), (g["dead"], "dead", False, thread)]
    worker = [x for x in greenlets if x.address == g["worker"]][0]
    assert worker.type_name == "__main__.Worker" and worker.subclass and worker.run == 0


def test_backtrace_text_of_the_c_layout():
    w, process, g = c_world()
    threads = process.threads()
    release, greenlets, how = find_greenlets(process)
    lines = list(greenlet_backtrace(process, release, greenlets, threads, SourceFiles("/nonexistent"),
                                    how, show_locals=True))
    assert lines[:3] == ["greenlet 1.1.3: 6 greenlets (%s)" % how, "", "Thread 0x7f0001"]
    text = "\n".join(lines)
    assert ("Greenlet %#x greenlet.greenlet, running, parent %#x\nTraceback (most recent call last):\n"
            '  File "known.py", line 303, in wait\n\n' % (g["runner"], g["main"])) in text
    assert "Greenlet %#x greenlet.greenlet, main, suspended\n" % g["main"] in text
    assert ('Greenlet %#x greenlet.greenlet, suspended, parent %#x\nTraceback (most recent call last):\n'
            '  File "known.py", line 303, in outer\n        seed = 5  (int at ' % (g["suspended"], g["runner"])
            ) in text
    assert "in inner\n        token = 'x'  (str at " in text
    assert ("Greenlet %#x __main__.Worker (greenlet subclass), not started, parent %#x\n"
            "  run = 'class-run'  (str at %#x)\n" % (g["worker"], g["runner"], g["class_run"])) in text
    assert text.endswith("Greenlet %#x greenlet.greenlet, dead, parent %#x\n" % (g["dead"], g["runner"]))
    table = greenlet_table(process, release, greenlets, how).splitlines()
    assert table[1].split() == ["address", "type", "state", "thread", "parent", "top", "frame"]
    assert table[2].split() == ["%#x" % g["runner"], "greenlet.greenlet", "running", "0x7f0001",
                                "%#x" % g["main"], "wait", "(known.py:303)"]
    assert table[3].split()[2:4] == ["suspended", "(main)"]
    assert table[-1].split()[2:] == ["dead", "0x7f0001", "%#x" % g["runner"], "-"]


def test_only_referenced_greenlets_are_reachable():
    w, process, g = c_world()
    leaked = w.greenlet(0x7FF90000, 0x7FF91000, top_frame=w.frame("leaked"), keep=False)
    release = find_release(process)
    found = reachable_greenlets(process, release, process.threads())
    assert leaked not in found and g["runner"] in found and len(found) == 6


def test_cyclic_and_unreadable_frame_chains_are_one_line_in_their_block():
    w, process, g = c_world()
    memory = process.reader.cache
    layout = w.builder.layout
    memory.write(g["inner"] + layout.PyFrameObject.f_back, struct.pack("<Q", g["inner"]))
    top_frame = w.glayout.PyGreenlet.top_frame
    memory.write(g["main"] + top_frame, struct.pack("<Q", 0x10000))
    threads = process.threads()
    release, greenlets, how = find_greenlets(process)
    text = "\n".join(greenlet_backtrace(process, release, greenlets, threads, SourceFiles(None), how))
    assert ('  File "known.py", line 303, in inner\n  (f_back cycle at %#x)\n' % g["inner"]) in text
    assert ("Greenlet %#x greenlet.greenlet, main, suspended\n"
            "  (unreadable frame at 0x10000: cannot read 16 bytes at 0x10000 (not mapped))\n" % g["main"]) in text


def test_no_module_unknown_release_and_a_layout_that_does_not_fit():
    with pytest.raises(NoGreenletModule, match=r"^no greenlet module in this process \(sys.modules has "
                                               r"no 'greenlet'\)$"):
        find_release(World().process(0, with_module=False))
    with pytest.raises(UnsupportedTarget, match=r"^greenlet 3\.0\.1 is not supported \(supported releases: "
                                                r"0\.4\.x, 1\.0\.x, 1\.1\.x, 2\.0\.x\)$"):
        find_release(World("3.0.1").process(0))
    with pytest.raises(UnsupportedTarget, match=r"^greenlet 2\.0\.2: its type greenlet\.greenlet is 128 bytes, "
                                                r"the cpp layout of greenlet 2\.0\.2 has 40$"):
        find_release(World("2.0.2", "c").process(0))


def cpp_world():
    """greenlet 2.0: main greenlet suspended; runner running (ThreadState.current_greenlet);
    a suspended child whose frame's f_tstate names the thread; a not started one."""
    w = World("2.0.2", "cpp")
    b = w.builder
    main = w.greenlet(1, MAIN, top_frame=w.frame("<module>"))
    runner = w.greenlet(0x7FFC0000, 0x7FFC1000, parent=main, thread_key=main)
    child_frame = w.frame("child")
    child = w.greenlet(0x7FFB0000, 0x7FFB1000, parent=runner, top_frame=child_frame, thread_key=main)
    pending = w.greenlet(parent=runner, run=b.str_(b"pending-run"))
    w._write(w.glayout.ThreadState, w.thread_state, current_greenlet=runner)
    process = w.process(w.frame("wait"))
    memory = process.reader.cache
    memory.write(child_frame + b.layout.PyFrameObject.f_tstate, struct.pack("<Q", w.tstate()))
    return w, process, dict(main=main, runner=runner, child=child, pending=pending)


def test_cpp_layout_states_and_the_thread_named_by_a_saved_frame():
    w, process, g = cpp_world()
    threads = process.threads()
    release, greenlets, how = find_greenlets(process)
    assert release.layout_name == "cpp"
    assert [(x.address, x.state, x.main, x.thread == threads[0], x.parent) for x in greenlets] == [
        (g["runner"], "running", False, True, g["main"]), (g["main"], "suspended", True, True, 0),
        (g["child"], "suspended", False, True, g["runner"]),
        (g["pending"], "not started", False, True, g["runner"])]


def test_cpp_greenlet_whose_cpp_object_does_not_point_back_is_one_line():
    w, process, g = cpp_world()
    memory = process.reader.cache
    pimpl = process.reader.word(g["child"] + w.glayout.PyGreenlet.pimpl)
    memory.write(pimpl + w.glayout.UserGreenlet.self, struct.pack("<Q", 0x1234))
    threads = process.threads()
    release = find_release(process)
    greenlets = read_greenlets(process, release, [g["child"], g["runner"]], threads)
    text = "\n".join(greenlet_backtrace(process, release, greenlets, threads, SourceFiles(None), "given"))
    assert ("Greenlet %#x: pimpl %#x does not point back to its greenlet (not a greenlet 2.0 object?) at %#x"
            % (g["child"], pimpl, g["child"])) in text
