"""py-bt & co in real gdb on tests/targets/threads.py: live with debug symbols, live on the
fully stripped copy (exported-function path, and the scan forced), from a gcore core file of
the stripped process, the ``bt`` CLI; and CPython's own extension failing where we work.

Lookup path exercised (asserted from the ``found by`` line each command prints):
live debug -> symbol (interp_head); live stripped -> exported (PyInterpreterState_Head),
then scan (forced); live stripped with the GIL released -> exported; core of stripped ->
exported, then scan (forced); CLI stripped -> exported and scan (forced), CLI debug -> symbol.
"""

import os
import re
import subprocess
import sys

import pytest

from gdb_cpywalker.target.elf import ElfFile
from support.gdbsession import GdbSession
from support.paths import ROOT, STRIPPED, clean_env, python27, python27_prefix
from support.target import Target

VALUE_LINE = re.compile(r"^ *(\w+) = (.*)  \((?:(local|cell|free|global|builtin) )?(\S+) at (0x[0-9a-f]+)\)$")


def frame_line(entry):
    return '  File "%s", line %d, in %s' % tuple(entry)


def blocks(output):
    """``{thread id: lines}`` of a py-bt output."""
    out = {}
    current = None
    for line in output.splitlines():
        match = re.match(r"^Thread (0x[0-9a-f]+)", line)
        if match:
            current = out.setdefault(int(match.group(1), 16), [])
        if current is not None:
            current.append(line)
    return out


def check_backtrace(output, info, method):
    """Every thread's header and frames, outermost first, with source lines."""
    assert output.splitlines()[0].endswith("(found by %s)" % method), output
    found = blocks(output)
    assert sorted(found) == sorted(thread["ident"] for thread in info["threads"])
    for thread in info["threads"]:
        lines = found[thread["ident"]]
        header = lines[0]
        assert (('"%s"' % thread["name"]) in header) if thread["name"] else '"' not in header
        assert ("holds the GIL" in header) == (info["gil_held"] and thread["ident"] == info["main_ident"])
        assert lines[1] == "Traceback (most recent call last):"
        assert [line for line in lines if line.startswith("  File ")] == [
            frame_line(entry) for entry in thread["stack"]]
    assert "    lock.acquire()" in output
    assert "    libc.read(fd, buffer, 1) if HOLD_GIL else sys.stdin.readline()" in output


def check_threads(gdb, info, method):
    """py-threads: one row per thread with its gdb thread and LWP; main selected, holding the GIL."""
    out = gdb.cmd("py-threads")
    assert out.splitlines()[0].endswith("(found by %s)" % method)
    rows = {int(row[-5], 16): row for row in (line.split() for line in out.splitlines()[2:])}
    assert sorted(rows) == sorted(thread["ident"] for thread in info["threads"])
    for thread in info["threads"]:
        row = rows[thread["ident"]]
        selected = thread["ident"] == info["main_ident"]
        assert (row[0] == "*") == selected and len(row) == (8 if selected else 7)
        assert row[-7].isdigit() and row[-6].isdigit()  # gdb thread number and LWP
        assert row[-4:-2] == ["yes" if selected and info["gil_held"] else "no", thread["name"] or "-"]
        assert row[-2:] == [thread["stack"][-1][2], "(%s:%d)" % tuple(thread["stack"][-1][:2])]


def values(text):
    """``{name: (repr, kind, type, address)}`` of value lines."""
    out = {}
    for line in text.splitlines():
        match = VALUE_LINE.match(line)
        if match:
            name, value, kind, type_name, address = match.groups()
            out[name] = (value, kind or "local", type_name, int(address, 16))
    return out


def frame_index(thread, function):
    """Index (0: innermost) of the innermost frame of ``function`` in the handshake stack."""
    return [entry[2] for entry in thread["stack"]][::-1].index(function)


def check_locals(gdb, info):
    """py-locals of every frame the target recorded: exact repr and address (id())."""
    assert gdb.cmd("set cpywalker locals-width 0") == ""
    for thread in info["threads"]:
        for function, expected in thread["locals"].items():
            out = gdb.cmd("py-locals --thread %d --frame %d" % (thread["ident"], frame_index(thread, function)))
            assert out.startswith("#%d File" % frame_index(thread, function)), out
            shown = values(out)
            for name, (text, address) in expected.items():
                assert shown[name][0] == text, (function, name, out)
                assert shown[name][3] == address, (function, name, out)
    gamma = [t for t in info["threads"] if t["name"] == "worker-gamma"][0]
    inner = values(gdb.cmd("py-locals --thread %d --frame 1" % gamma["ident"]))
    outer = values(gdb.cmd("py-locals --thread %d --frame 2" % gamma["ident"]))
    assert inner["total"][1] == "free" and outer["total"][1] == "cell"
    assert inner["total"][3] == outer["total"][3]


@pytest.fixture(scope="module")
def debug_target():
    with Target("threads.py") as target:
        yield target


@pytest.fixture(scope="module")
def stripped_target():
    with Target("threads.py", stripped=True) as target:
        yield target


@pytest.fixture(scope="module")
def stripped_core(tmp_path_factory, stripped_target):
    """A gcore core file of the stripped target, and the handshake it was taken at."""
    path = str(tmp_path_factory.mktemp("core") / "threads.core")
    with GdbSession(["-p", str(stripped_target.pid)], source=False) as gdb:
        assert "Saved corefile" in gdb.cmd("gcore " + path)
    return path, stripped_target.info


def test_live_with_debug_symbols_uses_interp_head(debug_target):
    info = debug_target.info
    with GdbSession(["-p", str(debug_target.pid)]) as gdb:
        check_backtrace(gdb.cmd("py-bt"), info, "symbol")
        check_threads(gdb, info, "symbol")
        check_locals(gdb, info)


def test_frame_selection_and_name_lookup(debug_target):
    info = debug_target.info
    alpha = [t for t in info["threads"] if t["name"] == "worker-alpha"][0]
    with GdbSession(["-p", str(debug_target.pid)]) as gdb:
        gdb.cmd("set cpywalker locals-width 0")
        gdb_thread = re.search(r"\[gdb thread (\d+), LWP", gdb.cmd("py-bt --thread %d" % alpha["ident"])).group(1)
        gdb.cmd("thread " + gdb_thread)
        assert gdb.cmd("py-frame").startswith('#0 File "%s", line %d, in park' % (info["script"], alpha["stack"][-1][1]))
        assert "py-down: bottom (innermost) Python frame selected" in gdb.cmd("py-down")
        assert gdb.cmd("py-up").startswith("#1 File") and "in alpha_inner" in gdb.cmd("py-frame")
        shadowed = values(gdb.cmd("py-print shadowed"))["shadowed"]
        assert shadowed[:2] == ("'local shadowed'", "local")
        assert shadowed[3] == alpha["locals"]["alpha_inner"]["shadowed"][1]
        assert values(gdb.cmd("py-print --frame 0 shadowed"))["shadowed"][:2] == ("'global shadowed'", "global")
        marker = values(gdb.cmd("py-print GLOBAL_MARKER"))["GLOBAL_MARKER"]
        assert marker[:3] == ("'global-marker-value'", "global", "str") and marker[3] == info["global_marker_id"]
        assert values(gdb.cmd("py-print len"))["len"][:2] == ("<built-in function len>", "builtin")
        assert "py-print: name 'nope' is not defined in Python frame #1 (alpha_inner)" in gdb.cmd("py-print nope")
        assert values(gdb.cmd("py-globals"))["GLOBAL_MARKER"][3] == info["global_marker_id"]
        gdb.cmd("py-up 100")
        assert "in __bootstrap" in gdb.cmd("py-frame")
        assert "py-up: initial Python frame selected" in gdb.cmd("py-up")
        assert "py-frame: no Python frame #99" in gdb.cmd("py-frame 99")
        items = values(gdb.cmd("py-locals --frame 1 --width 6"))["items"]
        assert items[0] == "[0,..."


def test_stripped_copy_has_no_debug_symbols(stripped_target):
    for path in (os.path.join(STRIPPED, "bin", "python2.7"), os.path.join(STRIPPED, "lib", "libpython2.7.so.1.0")):
        elf = ElfFile(path)
        assert elf.section(".symtab") is None and not elf.has_debug_info
        assert elf.symbol("interp_head") is None
    assert ElfFile(os.path.join(STRIPPED, "lib", "libpython2.7.so.1.0")).symbol("PyInterpreterState_Head")
    with GdbSession(["-p", str(stripped_target.pid)]) as gdb:
        assert "No symbol" in gdb.cmd("print &interp_head")


def test_live_stripped_exported_function_then_forced_scan(stripped_target):
    info = stripped_target.info
    with GdbSession(["-p", str(stripped_target.pid)]) as gdb:
        check_backtrace(gdb.cmd("py-bt"), info, "exported")
        check_locals(gdb, info)
        gdb.cmd("set cpywalker interp-lookup scan")
        check_backtrace(gdb.cmd("py-bt"), info, "scan")
        check_locals(gdb, info)
        gdb.cmd("set cpywalker interp-lookup symbol")
        assert "py-bt: no Python interpreter found (symbol: no symbol interp_head" in gdb.cmd("py-bt")


def test_core_file_of_the_stripped_process(stripped_core):
    path, info = stripped_core
    with GdbSession([os.path.join(STRIPPED, "bin", "python2.7"), path]) as gdb:
        check_backtrace(gdb.cmd("py-bt"), info, "exported")
        check_threads(gdb, info, "exported")
        check_locals(gdb, info)
        assert values(gdb.cmd("py-print --frame 1 GLOBAL_MARKER"))["GLOBAL_MARKER"][1:] == (
            "global", "str", info["global_marker_id"])
        gdb.cmd("set cpywalker interp-lookup scan")
        check_backtrace(gdb.cmd("py-bt --locals"), info, "scan")


def test_gil_released_stripped_exported_path_needs_no_thread_state_current():
    """With the GIL released _PyThreadState_Current is NULL; the interpreter is still found."""
    with Target("threads.py", args=("--release-gil",), stripped=True) as target:
        info = target.info
        assert not info["gil_held"]
        with GdbSession(["-p", str(target.pid)]) as gdb:
            assert gdb.cmd("x/gx &_PyThreadState_Current").split()[-1] == "0x0000000000000000"
            output = gdb.cmd("py-bt")
            check_backtrace(output, info, "exported")
            assert "holds the GIL" not in output
            check_threads(gdb, info, "exported")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "gdb_cpywalker", "bt"] + list(args), cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=120)


def test_cli_bt_on_the_stripped_and_the_debug_process(stripped_target, debug_target):
    for target, methods in ((stripped_target, ("exported", "scan")), (debug_target, ("symbol",))):
        for method in methods:
            result = run_cli("-p", str(target.pid), "--locals", "--width", "0", "--lookup", method)
            assert result.returncode == 0, result.stderr
            check_backtrace(result.stdout, target.info, method)
            beta = [t for t in target.info["threads"] if t["name"] == "worker-beta"][0]
            shown = values("\n".join(blocks(result.stdout)[beta["ident"]]))
            assert shown["trail"][0] == beta["locals"]["beta_recurse"]["trail"][0]
    result = run_cli("-p", str(stripped_target.pid), "--lookup", "symbol")
    assert result.returncode == 1 and result.stderr.startswith("bt: no Python interpreter found (symbol:")


def test_cpython_own_extension_fails_on_stripped_where_ours_works(stripped_target, debug_target):
    theirs = os.path.join(os.path.dirname(python27()), "python2.7-gdb.py")
    assert os.path.exists(theirs) and python27_prefix()
    with GdbSession(["-p", str(debug_target.pid)], source=False) as gdb:
        gdb.cmd("source " + theirs)
        assert 'in wait_for_stdin' in gdb.cmd("py-bt")  # fair comparison: it works with debug info
    with GdbSession(["-p", str(stripped_target.pid)], source=False) as gdb:
        gdb.cmd("source " + theirs)
        out = gdb.cmd("py-bt")
        assert "wait_for_stdin" not in out
        assert "(unable to read python frame information)" in out, out
        gdb.cmd("source " + os.path.join(ROOT, "gdb_cpywalker", "gdbinit.py"))
        check_backtrace(gdb.cmd("py-bt"), stripped_target.info, "exported")
