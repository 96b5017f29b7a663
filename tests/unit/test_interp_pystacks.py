"""mmaptracker's Python stacks (interp/pystacks.py) on the synthetic 2.7 heap: the thread whose
state runs a frame, and names kept byte for byte."""

from gdb_cpywalker.interp.objects import StateReader
from gdb_cpywalker.interp.pystacks import StackSampler

from interp_image import InterpBuilder

THREAD = 0x7F00AA
OTHER = 0x7F00BB


def code(builder, filename, name):
    return builder.new("PyCodeObject", builder.builtin("code"), co_filename=builder.str_(filename),
                       co_name=builder.str_(name), co_firstlineno=7, co_lnotab=builder.str_(b""))


def a_process(builder, states):
    """An interpreter whose thread states are ``states``: ``(thread id, frame)`` from the head."""
    interp = builder.interpreter()
    layout = builder.layout.PyThreadState
    address = builder.first_thread[interp]
    for index, (thread_id, frame) in enumerate(states):
        builder.word(address + layout.thread_id, thread_id)
        builder.word(address + layout.frame, frame)
        if index + 1 < len(states):
            following = builder.state("PyThreadState", interp=interp)
            builder.word(address + layout.next, following)
            address = following
    return StackSampler(StateReader(builder.image(), builder.layout), interpreter=interp)


def test_a_thread_starting_another_is_still_running_its_own_frames():
    """thread.start_new_thread: the new thread's state is made first, frameless, with the id of
    the thread that makes it, at the head of the list; that thread then maps the new stack."""
    builder = InterpBuilder()
    globals_ = builder.dict_({})
    module = builder.frame(code(builder, b"app.py", b"<module>"), 0, globals_, globals_)
    start = builder.frame(code(builder, b"threading.py", b"start"), module, globals_, globals_)
    sampler = a_process(builder, [(THREAD, 0), (OTHER, 0), (THREAD, start)])
    assert sampler.stack(THREAD) == ((("app.py", 7, "<module>"), ("threading.py", 7, "start")), None)
    assert sampler.stack(OTHER) == ((), "no-frame")
    assert sampler.stack(0x7F00CC) == ((), "native-thread")


def test_file_and_function_names_are_utf8_and_keep_bytes_that_are_not():
    builder = InterpBuilder()
    globals_ = builder.dict_({})
    frame = builder.frame(code(builder, b"/opt/caf\xc3\xa9\xff.py", b"f\xe9"), 0, globals_, globals_)
    sampler = a_process(builder, [(THREAD, frame)])
    assert sampler.stack(THREAD) == ((("/opt/caf\u00e9\udcff.py", 7, "f\udce9"),), None)
