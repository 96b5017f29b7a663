"""py-bt's text: traceback form outermost first, source lines, values with type and address."""

from gdb_cpywalker.interp.text import SourceFiles, backtrace, thread_table
from gdb_cpywalker.interp.threads import PythonProcess

from interp_image import InterpBuilder
from test_interp_frames import KNOWN_LNOTAB
from test_interp_locate import StubSymbols, with_head_function


def process_with_one_thread(builder):
    """One thread in f(items) called from <module>, both in ``known.py``."""
    globals_ = builder.dict_({b"G": 7})
    builtins = builder.dict_({})
    module = builder.frame(builder.code_object("<module>", KNOWN_LNOTAB, flags=0), 0, globals_, builtins,
                           f_locals=globals_, f_lasti=0)
    items = builder.list_([1, b"two", 3.5])
    inner = builder.frame(builder.code_object("f", KNOWN_LNOTAB, ("items",)), module, globals_, builtins,
                          [items], f_lasti=6)
    interp = builder.interpreter()
    for name, value in (("thread_id", 0x7F0001), ("frame", inner)):
        builder.word(builder.first_thread[interp] + getattr(builder.layout.PyThreadState, name), value)
    memory = builder.image()
    slot = with_head_function(memory, interp)
    return PythonProcess(memory, StubSymbols({"interp_head": slot}), builder.layout), items


def test_backtrace_with_locals_and_sources(tmp_path):
    (tmp_path / "known.py").write_text("".join("line %d\n" % number for number in range(1, 400)))
    builder = InterpBuilder()
    process, items = process_with_one_thread(builder)
    lines = list(backtrace(process, process.threads(), SourceFiles(str(tmp_path)), show_locals=True,
                           width=10, native=lambda thread: (4, 321)))
    assert lines == [
        "Thread 0x7f0001 [gdb thread 4, LWP 321]",
        "Traceback (most recent call last):",
        '  File "known.py", line 2, in <module>',
        "    line 2",
        "        (module body: its locals are its globals, see py-globals)",
        '  File "known.py", line 303, in f',
        "    line 303",
        "        items = [1, 'tw...  (list at %#x)" % items,  # 10 characters, "..." included
        "",
    ]


def test_unreadable_sources_and_thread_table():
    builder = InterpBuilder()
    process, _ = process_with_one_thread(builder)
    thread = process.threads()[0]
    lines = list(backtrace(process, [thread], SourceFiles("/nonexistent")))
    assert lines[2:4] == ['  File "known.py", line 2, in <module>', '  File "known.py", line 303, in f']
    assert thread_table(process, [thread], selected=thread).splitlines() == [
        "   gdb  LWP  thread id  GIL  name  top frame",
        "*  -    -    0x7f0001   no   -     f (known.py:303)",
    ]


def test_source_listing_marks_the_line_and_says_what_is_wrong(tmp_path):
    from gdb_cpywalker.interp.frames import Frame
    from gdb_cpywalker.interp.text import source_listing
    (tmp_path / "app.py").write_text("".join("line %d\n" % number for number in range(1, 21)))
    sources = SourceFiles(str(tmp_path))
    frame = Frame(0, 0, 0, "app.py", "f", 3, 0, 0, 0, 0, {})
    notes, lines = source_listing(sources, frame)
    assert notes == [] and lines == ["   1    line 1", "   2    line 2", "  >3    line 3"] + [
        "%4d    line %d" % (number, number) for number in range(4, 9)]
    assert source_listing(sources, frame, 18)[1][-1] == "  20    line 20"
    assert len(source_listing(sources, frame, 4, 6)[1]) == 3
    notes, _ = source_listing(sources, frame, since=(0, "after the process started (1970)"))
    assert notes == ["%s/app.py was modified after the process started (1970): the lines may not be "
                     "what the target runs" % tmp_path]
    assert source_listing(sources, frame._replace(line=40))[0] == [
        "%s/app.py has 20 lines but the frame is at line 40: the file changed" % tmp_path]
    missing = frame._replace(filename="/srv/gone.py")
    assert source_listing(SourceFiles(None, "/nonexistent"), missing) == (
        ["cannot read /srv/gone.py (looked at /nonexistent/srv/gone.py, /srv/gone.py)"], [])


def test_source_lines_are_numbered_and_decoded_as_python_reads_them(tmp_path):
    """Form feeds (stdlib files hold them) and vertical tabs do not end a line, \\r and \\r\\n
    do; a PEP 263 coding comment or a UTF-8 BOM says how to decode (else UTF-8)."""
    from gdb_cpywalker.interp.frames import Frame
    from gdb_cpywalker.interp.text import source_lines, source_listing
    assert source_lines(b"a\n\x0c\nb\x0bc\r\nd\re\n") == ["a", "\x0c", "b\x0bc", "d", "e"]
    assert source_lines(b"#!/usr/bin/python\n# -*- coding: latin-1 -*-\ns = '\xe9'\n")[2] == "s = '\xe9'"
    assert source_lines(b"\xef\xbb\xbfs = '\xc3\xa9'") == ["s = '\xe9'"]
    assert source_lines(b"# coding: no-such-codec\n'\xff'\n") == ["# coding: no-such-codec", "'\ufffd'"]
    (tmp_path / "app.py").write_bytes(b"# -*- coding: latin-1 -*-\n\x0c\ndef f():\n    return 'caf\xe9'\n")
    sources = SourceFiles(str(tmp_path))
    frame = Frame(0, 0, 0, "app.py", "f", 4, 0, 0, 0, 0, {})
    assert sources.line("app.py", 4) == "return 'caf\xe9'"
    assert source_listing(sources, frame, 3, 4) == ([], ["   3    def f():", "  >4        return 'caf\xe9'"])
    assert source_listing(sources, frame, 100) == (["no lines 100 to 110: %s/app.py has 4 lines" % tmp_path], [])
    assert source_listing(sources, frame._replace(line=9))[0] == [
        "%s/app.py has 4 lines but the frame is at line 9: the file changed" % tmp_path]
    (tmp_path / "one.py").write_bytes(b"x = 1\n")
    assert source_listing(sources, frame._replace(filename="one.py", line=1000000))[0] == [
        "%s/one.py has 1 line but the frame is at line 1000000: the file changed" % tmp_path]
