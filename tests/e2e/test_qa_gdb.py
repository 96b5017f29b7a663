"""QA findings in real gdb: each command's bad inputs and odd targets give one clean line.

Covers: ``--output`` to a path that cannot be written, symbols that are functions or
arrays (``x main`` works, so must ``hexdump main``), a float length, ``show cpywalker``
listing the settings, option completion on every command, and what the py-* commands
say with no process, after the program exited, and on a process that is not Python.
"""

import re
import subprocess
import time

import pytest

from support.gdbsession import GdbSession
from support.paths import ROOT, clean_env, python27
from support.target import Target

NO_PROCESS = "no process or core file"
NOT_PYTHON = "not a CPython 2.7 target"


def one_line(output, command):
    """The output is exactly one error line of ``command``, with no traceback."""
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(command + ": "), output
    assert "internal error" not in output and "Traceback" not in output
    return lines[0]


@pytest.fixture(scope="module")
def live(python27_binary, gdb_binary):
    with Target("idle.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        yield target, gdb


def test_output_file_that_cannot_be_written(live, tmp_path):
    target, gdb = live
    address = target.info["marker_id"]
    missing = str(tmp_path / "no" / "such" / "dir" / "out.txt")
    line = one_line(gdb.cmd("py-walk --output %s %d" % (missing, address)), "py-walk")
    assert line == "py-walk: cannot write %s: No such file or directory" % missing
    line = one_line(gdb.cmd("py-walk --output %s %d" % (tmp_path, address)), "py-walk")
    assert line == "py-walk: cannot write %s: Is a directory" % tmp_path
    assert gdb.alive()


def test_function_and_array_symbols_are_their_address(live):
    _, gdb = live
    main = int(re.search(r"0x[0-9a-f]+", gdb.cmd("print &main")).group(0), 16)
    dump = gdb.cmd("hexdump main 16")
    assert dump.startswith("%016x  " % main), dump
    expected = gdb.cmd("x/16xb main")
    first = [int(word, 16) for line in expected.splitlines() for word in line.split(":")[1].split()]
    assert dump.split("|")[0].split()[1:] == ["%02x" % byte for byte in first]
    assert "%#x = 0x" % main in gdb.cmd("mem-info main")
    array = int(re.search(r"0x[0-9a-f]+", gdb.cmd("print &_Py_ascii_whitespace")).group(0), 16)
    assert gdb.cmd("hexdump _Py_ascii_whitespace 16").startswith("%016x  " % array)
    walked = gdb.cmd("py-walk &_Py_NoneStruct")
    assert walked.split()[1] == "NoneType", walked


def test_length_must_be_a_whole_number(live):
    _, gdb = live
    for length in ("1.5", "1e20"):
        line = one_line(gdb.cmd("hexdump $sp " + length), "hexdump")
        assert "bad length" in line, line


def test_show_cpywalker_lists_every_setting(live):
    _, gdb = live
    shown = gdb.cmd("show cpywalker")
    for name in ("color", "debug", "format", "interp-lookup", "locals-width", "max-depth",
                 "max-items", "max-objects", "memory"):
        assert re.search(r"^%s: +\S.* is " % re.escape(name), shown, re.M), shown
    assert "memory: How gdb-cpywalker reads target memory is auto." in shown
    gdb.cmd("set cpywalker max-depth 3")
    assert re.search(r"^max-depth: .* is 3\.$", gdb.cmd("show cpywalker"), re.M)
    gdb.cmd("set cpywalker max-depth 10")
    set_alone = gdb.cmd("set cpywalker")
    assert "set cpywalker memory" in set_alone and "set cpywalker debug" in set_alone, set_alone


@pytest.mark.parametrize("partial, expected", [
    ("hexdump --m", ["hexdump --max-bytes", "hexdump --memory"]),
    ("hexdump --memory p", ["hexdump --memory procfs"]),
    ("mem-info --sm", ["mem-info --smaps"]),
    ("mem-info -", None),
    ("py-bt --l", ["py-bt --locals"]),
    ("py-locals --fr", ["py-locals --frame"]),
    ("py-print --th", ["py-print --thread"]),
    ("mmap-origins --l", ["mmap-origins --log"]),
    ("py-walk --format r", ["py-walk --format repr"]),
    ("py-walk --max-items u", ["py-walk --max-items unlimited"]),
])
def test_every_command_completes_its_options(live, partial, expected):
    _, gdb = live
    got = gdb.cmd("complete " + partial).splitlines()
    if expected is None:
        assert "mem-info --origins" in got and "mem-info --min-size" in got and "mem-info -w" in got, got
    else:
        assert got == expected


def test_py_commands_without_a_process(gdb_binary):
    with GdbSession([]) as gdb:
        for command in ("py-walk 0x10", "py-bt", "py-threads", "py-locals", "py-up"):
            line = one_line(gdb.cmd(command), command.split()[0])
            assert NO_PROCESS in line, line


def test_py_commands_after_the_program_exited(python27_binary, gdb_binary):
    with GdbSession(["--args", python27(), "-c", "pass"]) as gdb:
        assert NO_PROCESS in one_line(gdb.cmd("py-bt"), "py-bt")
        assert "exited normally" in gdb.cmd("run")
        for command in ("py-walk 0x10", "py-bt", "py-threads", "py-print x"):
            assert NO_PROCESS in one_line(gdb.cmd(command), command.split()[0])
        assert gdb.alive()


def test_py_commands_on_a_process_that_is_not_python(gdb_binary):
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        with GdbSession(["-p", str(sleeper.pid)]) as gdb:
            for command in ("py-walk $sp", "py-bt", "py-threads", "py-locals"):
                line = one_line(gdb.cmd(command), command.split()[0])
                assert NOT_PYTHON in line, line
            assert gdb.cmd("hexdump $sp 16").startswith("%016x" % int(
                re.search(r"0x[0-9a-f]+", gdb.cmd("print $sp")).group(0), 16))
    finally:
        sleeper.kill()
        sleeper.wait()


def test_enter_after_a_failed_continuation_stays_put(live):
    """Enter continues a dump; once it runs off the mapping, Enter says so again instead
    of starting over from the first address."""
    _, gdb = live
    end = int(gdb.cmd("mem-info -P '[stack]'").split("-")[1].split()[0], 16)
    first = gdb.cmd("hexdump %d 16" % (end - 16))
    assert first.startswith("%016x  " % (end - 16)), first
    failure = "hexdump: cannot read 16 bytes at %#x (not mapped)" % end
    assert gdb.cmd("").strip() == failure
    assert gdb.cmd("").strip() == failure
    assert gdb.cmd("hexdump %d 16" % (end - 16)) == first


@pytest.mark.parametrize("command", ["py-bt --width -5", "py-locals --width -1", "py-globals --width x"])
def test_width_is_a_count(live, command):
    line = one_line(live[1].cmd(command), command.split()[0])
    assert "argument --width: expected a number >= 0" in line, line


def test_a_core_file_names_the_heap(tmp_path, gdb_binary):
    """``mem-info -P '[heap]'`` and ``hexdump -P '[heap]'`` work on a core as they do live."""
    path = str(tmp_path / "idle.core")
    with Target("idle.py") as target:
        with GdbSession(["-p", str(target.pid)], source=False) as gdb:
            assert "Saved corefile" in gdb.cmd("gcore " + path)
        with open("/proc/%d/maps" % target.pid) as handle:
            heap = [line.split()[0] for line in handle if line.rstrip().endswith("[heap]")][0]
    start, end = (int(part, 16) for part in heap.split("-"))
    with GdbSession([python27(), path]) as gdb:
        table = gdb.cmd("mem-info -P '[heap]'")
        assert table.startswith("%x-%x " % (start, end)), table
        assert len(table.splitlines()) == 2, table  # the heap and the totals line
        assert gdb.cmd("hexdump -P '[heap]' --max-bytes 64").splitlines()[1].startswith("%016x" % start)
        gdb.cmd("set cpywalker memory procfs")  # a setting meant for live targets: say how to undo it
        line = one_line(gdb.cmd("hexdump %d 16" % start), "hexdump")
        assert line == ("hexdump: the procfs memory backend needs a live local process: "
                        "use --memory gdb or set cpywalker memory auto"), line


def test_py_up_and_down_take_counts_as_gdb_up_and_down(live):
    """``up 0`` shows the selected frame, ``up -1`` goes down: the same for py-up/py-down."""
    _, gdb = live
    gdb.cmd("py-frame 0")
    assert gdb.cmd("py-up 0").startswith("#0 File"), "py-up 0 shows the selected frame"
    assert gdb.cmd("py-down 0").startswith("#0 File")
    assert gdb.cmd("py-up -1").strip() == (
        "py-up: bottom (innermost) Python frame selected; you cannot go down")
    # idle.py has one Python frame: it is both ends of the stack
    assert gdb.cmd("py-down -1").strip() == "py-down: initial Python frame selected; you cannot go up"


def test_py_commands_on_a_python3_process_refuse(gdb_binary):
    """A Python 3 target is refused by name and version, by gdb commands and the CLI."""
    python3 = subprocess.Popen(["python3", "-c", "import sys; x = [1, 2]; print(id(x)); "
                                "sys.stdout.flush(); sys.stdin.readline()"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        address = int(python3.stdout.readline())
        with GdbSession(["-p", str(python3.pid)]) as gdb:
            for command in ("py-walk %d" % address, "py-bt", "py-threads", "py-print x"):
                line = one_line(gdb.cmd(command), command.split()[0])
                assert re.search(r"target runs Python 3\.\d+\.\d+ \(.*\); gdb-cpywalker decodes "
                                 r"CPython 2\.7 only$", line), line
            if "ob_refcnt" in gdb.cmd("ptype PyObject"):  # with debug info: gdb prints as usual
                printed = gdb.cmd("print (PyObject *) %d" % address)
                assert "gdb-cpywalker" not in printed and "%#x" % address in printed, printed
            assert gdb.alive()
        result = subprocess.run(["python3", "-m", "gdb_cpywalker", "walk", "-p", str(python3.pid),
                                 str(address)], capture_output=True, text=True, timeout=60,
                                cwd=ROOT, env=clean_env())
        assert result.returncode == 1 and "decodes CPython 2.7 only" in result.stderr
    finally:
        python3.kill()
        python3.wait()


def test_the_pretty_printer_has_a_name_to_disable_it_by(live):
    target, gdb = live
    assert re.search(r"^  cpywalker$", gdb.cmd("info pretty-printer"), re.M)
    expression = "print (PyObject *) %d" % target.info["marker_id"]
    assert "'CPYWALKER-MARKER-" in gdb.cmd(expression)
    gdb.cmd("disable pretty-printer global cpywalker")
    try:
        plain = gdb.cmd(expression)
        assert "CPYWALKER-MARKER" not in plain and "%#x" % target.info["marker_id"] in plain, plain
    finally:
        gdb.cmd("enable pretty-printer global cpywalker")


def test_a_running_target_is_said_to_be_running(python27_binary, gdb_binary):
    """After ``continue &`` the memory moves under a walk: py-walk and py-bt say so."""
    with Target("idle.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        gdb.cmd("continue &")
        try:
            for command in ("py-bt", "py-walk %d" % target.info["marker_id"]):
                out = gdb.cmd(command)
                assert out.splitlines()[0] == ("%s: note: the target is running, so what it reads "
                                               "may be changing; 'interrupt' stops it"
                                               % command.split()[0]), out
        finally:
            gdb.cmd("interrupt")
        for _ in range(50):  # the stop is reported asynchronously
            if "(running)" not in gdb.cmd("info threads"):
                break
            time.sleep(0.1)
        assert "note:" not in gdb.cmd("py-bt")


def test_help_of_a_setting_says_what_it_takes(live):
    _, gdb = live
    assert gdb.cmd("help set cpywalker memory").splitlines() == [
        "Set how gdb-cpywalker reads target memory", "One of: auto, gdb, procfs, vm."]
    assert gdb.cmd("help set cpywalker debug").splitlines()[1] == "On or off."
    assert gdb.cmd("help set cpywalker max-items").splitlines()[1] == "A number, or unlimited."


def test_a_struct_is_its_address_as_with_x(live):
    """``x PyList_Type`` dumps the struct where it lives; so does ``hexdump PyList_Type``."""
    _, gdb = live
    where = int(re.search(r"0x[0-9a-f]+", gdb.cmd("print &PyList_Type")).group(0), 16)
    assert gdb.cmd("hexdump PyList_Type 16").startswith("%016x  " % where)
    assert gdb.cmd("py-walk --format repr PyList_Type").strip() == "<type 'list'>"


def test_a_symbol_without_debug_info_is_its_address(stripped_python, gdb_binary):
    """On a stripped python2.7, ``py-walk _Py_NoneStruct`` works as the CLI's ``walk``."""
    with Target("idle.py", stripped=True) as target, GdbSession(["-p", str(target.pid)]) as gdb:
        assert gdb.cmd("py-walk --format repr _Py_NoneStruct").strip() == "None"
        assert gdb.cmd("py-walk --format repr PyList_Type").strip() == "<type 'list'>"
        where = int(re.search(r"0x[0-9a-f]+", gdb.cmd("print &PyList_Type")).group(0), 16)
        assert gdb.cmd("hexdump PyList_Type 16").startswith("%016x  " % where)
        assert "%#x = " % where in gdb.cmd("mem-info PyList_Type")
        line = one_line(gdb.cmd("py-walk no_such_symbol_here"), "py-walk")
        assert 'No symbol "no_such_symbol_here"' in line
