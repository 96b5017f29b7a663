"""py-bt --native, bt --native and py-list on tests/targets/native.py: a python2.7 process
whose threads are stuck in every way the merge must show (a lock reached through map,
sorted(key=...), a ctypes qsort callback and a C extension of ours; time.sleep, select,
read; a weakref callback run by the collector; two threads queued for the GIL that the
main thread holds in a C loop).

Targets: the debug build (gdb names frames from DWARF, inlined calls included) and the
stripped copy with a stripped build of the extension (names from .dynsym only, gdb run
without libc's separate debug info so that its own ``bt`` is the no-symbols reference),
live and from a gcore core file; the CLI's own unwinder on both.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from support.cbuild import build_extension
from support.gdbsession import GdbSession
from support.paths import ROOT, STRIPPED, clean_env, python27_prefix
from support.target import Target

NO_LIBC_DEBUG = ["-iex", "set debug-file-directory /nonexistent"]
NATIVE = re.compile(r"^#(\d+) +(?:0x([0-9a-f]+) in )?(\S+) \((?:\.\.\.)?\)(?: at (\S+)| from (\S+))?"
                    r"(?:  \[(.*)\])?$")
FOLD = re.compile(r"^#(\d+)-#(\d+) \.\.\. (\d+) frames in (\S+) \.\.\.$")
PYTHON = re.compile(r'^  File "(.*)", line (\d+), in (\S+)$')
HEADER = re.compile(r"^Thread (?:0x[0-9a-f]+ )?.*\[(?:gdb thread \d+, )?LWP (\d+)\]")
INTERPRETER = "libpython2.7.so.1.0"
PYTHON_LINE = '  File "%s", line %d, in %s'


class Item:
    """One line of a merged stack: kind native / fold / python / note (source lines dropped)."""

    def __init__(self, kind, line, **fields):
        self.kind = kind
        self.line = line
        self.__dict__.update(fields)

    def __repr__(self):
        return self.line


def parse(lines):
    items = []
    for line in lines:
        native, fold, python = NATIVE.match(line), FOLD.match(line), PYTHON.match(line)
        if native:
            number, pc, name, source, path, note = native.groups()
            items.append(Item("native", line, number=int(number), pc=int(pc, 16) if pc else None,
                              name=name, path=path, source=source, annotation=note))
        elif fold:
            first, last, count, library = fold.groups()
            items.append(Item("fold", line, first=int(first), last=int(last), count=int(count),
                              library=library))
        elif python:
            items.append(Item("python", line, filename=python.group(1), line_number=int(python.group(2)),
                              function=python.group(3)))
        elif line.startswith("  ("):
            items.append(Item("note", line))
        else:
            assert line.startswith("    ") or not line, line
    return items


def blocks(output):
    """``{LWP: (header, order line, items)}`` of a py-bt --native output."""
    out = {}
    lines = output.splitlines()
    for index, line in enumerate(lines):
        match = HEADER.match(line)
        if match:
            end = lines.index("", index) if "" in lines[index:] else len(lines)
            out[int(match.group(1))] = (line, lines[index + 1], parse(lines[index + 2:end]))
    return out


def eval_running(items, function):
    """Index of the native PyEval_EvalFrameEx item running the Python frame of ``function``."""
    index = next(i for i, item in enumerate(items) if item.kind == "python" and item.function == function)
    assert items[index - 1].kind == "native" and items[index - 1].name == "PyEval_EvalFrameEx"
    return index - 1


def between(items, inner, outer):
    """Native and fold items between the Python frame of ``inner`` and the eval frame of ``outer``."""
    return [item for item in items[eval_running(items, inner) + 2:eval_running(items, outer)]
            if item.kind in ("native", "fold")]


def above(items, function):
    """Native items above (newer than) the eval frame running ``function``."""
    return [item for item in items[:eval_running(items, function)] if item.kind == "native"]


def names(items):
    return [item.name for item in items if item.kind == "native"]


def libraries(items):
    """Object files of the items (a frame with debug info: its source file)."""
    return {os.path.basename(item.path or item.source.rsplit(":", 1)[0]) if item.kind == "native"
            else item.library for item in items}


def lock_wait(items, function, text="waiting for a lock"):
    acquire = [item for item in above(items, function) if item.name == "PyThread_acquire_lock"]
    assert len(acquire) == 1 and acquire[0].annotation == text, above(items, function)
    return acquire[0]


def check_role(role, items, build, info, thread):
    """The native frames the role's call chain must show, between its known Python frames."""
    debug = build != "stripped"
    if role in ("map", "sorted", "ctypes", "cext", "gc"):
        lock_wait(items, "park")
    if role == "map":
        chain = between(items, "mapped", "t_map")
        assert "builtin_map" in names(chain) if debug else libraries(chain) == {INTERPRETER}, chain
    elif role == "sorted":
        chain = between(items, "keyed", "t_sorted")
        assert {"builtin_sorted", "listsort"} <= set(names(chain)) if debug else \
            libraries(chain) == {INTERPRETER}, chain
    elif role == "ctypes":
        chain = between(items, "compared", "t_ctypes")
        assert "ffi_call" in names(chain) and any("qsort" in name or "msort" in name
                                                  for name in names(chain)), chain
        assert "_ctypes.so" in libraries(chain), chain
    elif role == "cext":
        ours = [item for item in between(items, "called_back", "t_cext") if item.kind == "native"
                and (item.name == "cnative_call" if build != "stripped" else
                     item.name.startswith("cnative.so+0x") and item.path.endswith("/cnative.so"))]
        assert len(ours) == 1, items
    elif role == "lock":
        lock_wait(items, "t_lock")
    elif role == "sleep":
        assert re.match(r"sleeping: in (pselect6|select)\(\) with no fd, timeout [\d.]+ s left$",
                        items[0].annotation), items[0]
    elif role == "select":
        assert re.match(r"in (pselect6|select)\(\): read fd %d$" % info["select_fd"], items[0].annotation)
    elif role == "read":
        assert items[0].annotation == "in read(fd %d)" % info["read_fd"], items[0]
    elif role == "gc":
        chain = between(items, "on_collect", "t_gc")
        assert [item.annotation for item in chain if item.kind == "native" and item.annotation] == [
            "garbage-collecting"], chain
    elif role in ("spin", "gil_sleep"):
        main = [t for t in info["threads"] if t["role"] == "main"][0]
        acquire = lock_wait(items, "t_" + role, 'waiting for the GIL, held by thread %#x "MainThread"'
                            % main["ident"])
        caller = items[items.index(acquire) + 1]
        assert caller.name == ("PyEval_EvalFrameEx" if role == "spin" else "PyEval_RestoreThread"), items
    elif role == "main":
        assert items[0].annotation == "in poll(): fd 0 (in)", items[0]
        assert any(item.name in ("cnative_hold_gil",) or item.name.startswith("cnative.so+0x")
                   for item in above(items, "main")), items


def check_merged(output, info, build, reverse=False):
    """Every thread: its header, its Python frames in order each right under the
    PyEval_EvalFrameEx running it, no pairing against the evidence or by position only,
    and the role's native frames and annotations."""
    assert "warning" not in output and "paired by position" not in output, output
    found = blocks(output)
    assert sorted(found) == sorted(thread["lwp"] for thread in info["threads"]), output
    for thread in info["threads"]:
        header, order, items = found[thread["lwp"]]
        assert ('"%s"' % thread["name"] in header) if thread["name"] else '"' not in header
        assert header.endswith("(holds the GIL)") == (thread["role"] == "main"), header
        assert order == ("Native and Python frames, outermost first (most recent call last):" if reverse
                         else "Native and Python frames, innermost first (gdb's order):")
        if reverse:
            items = _unreverse(items)
        pythons = [(item.filename, item.line_number, item.function) for item in items if item.kind == "python"]
        assert pythons == [tuple(entry) for entry in reversed(thread["stack"])], (thread["role"], items)
        numbers = [n for item in items for n in ((item.number,) if item.kind == "native"
                                                 else (item.first, item.last) if item.kind == "fold" else ())]
        assert numbers == sorted(numbers) and numbers[0] == 0, items
        check_role(thread["role"], items, build, info, thread)
    return found


def _unreverse(items):
    """Items of a --reverse output in innermost-first order (a Python line stays under its
    native line)."""
    groups = []
    for item in items:
        if item.kind == "python" and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
    return [item for group in reversed(groups) for item in group]


def start_target(stripped):
    ext = build_extension("cnative", os.path.join(python27_prefix(), "include", "python2.7"), stripped)
    target = Target("native.py", [ext], stripped=stripped)
    line = target.process.stdout.readline()
    assert line == b"gil-held\n", line
    return target


@pytest.fixture(scope="module")
def debug_target():
    target = start_target(stripped=False)
    yield target
    target.close()


@pytest.fixture(scope="module")
def stripped_target():
    target = start_target(stripped=True)
    yield target
    target.close()


@pytest.fixture(scope="module")
def stripped_live(stripped_target, tmp_path_factory):
    """gdb (no debug info at all) on the stripped target: its outputs and a gcore core."""
    core = str(tmp_path_factory.mktemp("core") / "native.core")
    with GdbSession(NO_LIBC_DEBUG + ["-p", str(stripped_target.pid)]) as gdb:
        outputs = {command: gdb.cmd(command) for command in (
            "py-bt --native", "py-bt --native-all", "py-bt --native --reverse",
            "thread apply all bt", "py-bt --native --thread %d" % stripped_target.pid)}
        assert "Saved corefile" in gdb.cmd("gcore " + core)
    return outputs, core


def run_cli(*args):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + list(args), cwd=ROOT,
                            env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def comparable(output):
    """Output without what differs between runs and front ends: gdb thread numbers, the
    time a sleep has left."""
    output = re.sub(r"\[gdb thread \d+, LWP", "[LWP", output)
    return re.sub(r"timeout [\d.]+ s left", "timeout N s left", output)


def test_debug_build_live(debug_target):
    """gdb with debug info: every thread merged, frame by frame; --reverse; --thread."""
    info = debug_target.info
    with GdbSession(["-p", str(debug_target.pid)]) as gdb:
        output = gdb.cmd("py-bt --native")
        assert output.splitlines()[0].endswith("(found by symbol)")
        check_merged(output, info, "debug")
        check_merged(gdb.cmd("py-bt --native --reverse"), info, "debug", reverse=True)
        read = [t for t in info["threads"] if t["role"] == "read"][0]
        one = gdb.cmd("py-bt --native --thread %d" % read["lwp"])
        assert list(blocks(one)) == [read["lwp"]]
        assert "py-bt: --reverse goes with --native" in gdb.cmd("py-bt --reverse")
        mapper = [t for t in info["threads"] if t["role"] == "map"][0]
        with_locals = gdb.cmd("py-bt --native --locals --thread %d" % mapper["lwp"]).splitlines()
        at = with_locals.index(PYTHON_LINE % tuple(mapper["stack"][-2]))
        assert with_locals[at + 1:at + 3] == ["    park()", "        item = 1  (int at %s)"
                                              % with_locals[at + 2].split(" at ")[1].rstrip(")")]
        check_py_list(gdb, info)


def listing(output):
    """``(header, notes, {line number: (marked, text)})`` of a py-list output."""
    lines = output.splitlines()
    numbered = {}
    for line in lines[1:]:
        match = re.match(r"^ *(>?)(\d+)    (.*)$", line)
        if match:
            numbered[int(match.group(2))] = (match.group(1) == ">", match.group(3))
    return lines[0], [line for line in lines if line.startswith("py-list: note: ")], numbered


def check_py_list(gdb, info, tmp_copy=None):
    """py-list around the selected frame, after py-up, with START and START,END."""
    with open(info["script"]) as handle:
        source = handle.read().splitlines()
    mapper = [t for t in info["threads"] if t["role"] == "map"][0]
    park_line, mapped_line = mapper["stack"][-1][1], mapper["stack"][-2][1]
    gdb.cmd("thread find LWP %d" % mapper["lwp"])
    number = re.search(r"Thread (\d+) has target id .*LWP %d" % mapper["lwp"],
                       gdb.cmd("thread find LWP %d" % mapper["lwp"])).group(1)
    gdb.cmd("thread " + number)
    header, notes, shown = listing(gdb.cmd("py-list"))
    assert header == '#0 File "%s", line %d, in park' % (info["script"], park_line) and not notes
    assert sorted(shown) == list(range(park_line - 5, park_line + 6))
    assert [n for n, (marked, _) in shown.items() if marked] == [park_line]
    assert all(text == source[n - 1] for n, (_, text) in shown.items())
    gdb.cmd("py-up")
    header, _, shown = listing(gdb.cmd("py-list"))
    assert header.startswith("#1 File") and [n for n, (m, _) in shown.items() if m] == [mapped_line]
    assert sorted(listing(gdb.cmd("py-list 1, 3"))[2]) == [1, 2, 3]
    assert sorted(listing(gdb.cmd("py-list 7"))[2]) == list(range(7, 18))
    main = [t for t in info["threads"] if t["role"] == "main"][0]
    assert listing(gdb.cmd("py-list --thread %d" % main["lwp"]))[0].endswith("in main")
    fallback = listing(gdb.cmd("py-list --source-root /nonexistent"))  # not there: the path as it is
    assert fallback[2] == listing(gdb.cmd("py-list"))[2]
    assert "py-list: expected START or START,END" in gdb.cmd("py-list x")


def test_stripped_build_live(stripped_live, stripped_target):
    outputs, _ = stripped_live
    info = stripped_target.info
    assert outputs["py-bt --native"].splitlines()[0].endswith("(found by exported)")
    folded = check_merged(outputs["py-bt --native"], info, "stripped")
    check_merged(outputs["py-bt --native --reverse"], info, "stripped", reverse=True)
    assert list(blocks(outputs["py-bt --native --thread %d" % stripped_target.pid])) == [stripped_target.pid]
    full = blocks(outputs["py-bt --native-all"])
    for lwp, (_, _, items) in full.items():
        natives = [item for item in items if item.kind == "native"]
        assert [item.number for item in natives] == list(range(len(natives)))
        assert not [item for item in items if item.kind == "fold"]
        # A fold hides only interpreter frames: every frame of another library is still shown.
        shown = {item.number for item in folded[lwp][2] if item.kind == "native"}
        for fold in (item for item in folded[lwp][2] if item.kind == "fold"):
            hidden = natives[fold.first:fold.last + 1]
            assert fold.library == INTERPRETER and len(hidden) == fold.count
            assert all(os.path.basename(item.path) == INTERPRETER for item in hidden), hidden
        assert {item.number for item in natives if os.path.basename(item.path or "") != INTERPRETER} <= shown


def gdb_backtraces(text):
    """``{LWP: [(pc, name)]}`` of gdb's ``thread apply all bt``."""
    out = {}
    current = None
    for line in text.splitlines():
        header = re.match(r"^Thread \d+ \(Thread 0x[0-9a-f]+ \(LWP (\d+)\)", line)
        if header:
            current = out.setdefault(int(header.group(1)), [])
        frame = re.match(r"^#\d+ +0x([0-9a-f]+) in (\S+) \(", line)
        if frame and current is not None:
            current.append((int(frame.group(1), 16), frame.group(2)))
    return out


def test_stripped_frames_and_names_match_gdb_bt(stripped_live):
    """Same pcs as gdb's own bt; same names where gdb has one, library+offset where it says ??."""
    outputs, _ = stripped_live
    reference = gdb_backtraces(outputs["thread apply all bt"])
    ours = blocks(outputs["py-bt --native-all"])
    assert sorted(reference) == sorted(ours)
    for lwp, frames in reference.items():
        natives = [item for item in ours[lwp][2] if item.kind == "native"]
        assert [item.pc for item in natives] == [pc for pc, _ in frames]
        for item, (_, name) in zip(natives, frames):
            if name == "??":
                assert re.match(r"^[\w.+-]+\+0x[0-9a-f]+$", item.name), item
            else:
                assert item.name == name, (item, name)


def test_stripped_core_in_gdb(stripped_live, stripped_target, tmp_path):
    """The core gives the same merged stacks in gdb and in the CLI (NT_PRSTATUS registers);
    py-list says when a file under --source-root was modified after the core was written."""
    outputs, core = stripped_live
    info = stripped_target.info
    copy = tmp_path / info["script"].lstrip("/")
    copy.parent.mkdir(parents=True)
    with open(info["script"]) as handle:
        copy.write_text(handle.read())
    with GdbSession(NO_LIBC_DEBUG + [os.path.join(STRIPPED, "bin", "python2.7"), core]) as gdb:
        output = gdb.cmd("py-bt --native")
        header, notes, shown = listing(gdb.cmd("py-list"))
        main_line = [t for t in info["threads"] if t["role"] == "main"][0]["stack"][-1][1]
        with open(info["script"]) as handle:
            length = len(handle.read().splitlines())
        assert header.endswith(" in main") and not notes
        assert sorted(shown) == list(range(main_line - 5, min(main_line + 5, length) + 1))
        copied = gdb.cmd("py-list --source-root %s" % tmp_path)
        assert "py-list: note: %s was modified after the core file was written" % copy in copied
        gdb.cmd("set cpywalker source-root %s" % tmp_path)
        assert "modified after the core file was written" in gdb.cmd("py-list")
    check_merged(output, info, "stripped")
    assert comparable(output) == comparable(outputs["py-bt --native"])
    cli = run_cli("bt", "--core", core, "--native")
    assert cli.startswith("core file %s of PID %d" % (core, stripped_target.pid))
    assert comparable(cli.split("\n", 1)[1]) == comparable(output)


def test_cli_unwinder_matches_gdb(stripped_live, stripped_target):
    """bt --native unwinds with its own .eh_frame reader: the same stacks as gdb's."""
    outputs, _ = stripped_live
    output = run_cli("bt", "-p", str(stripped_target.pid), "--native")
    check_merged(output, stripped_target.info, "stripped")
    assert comparable(output) == comparable(outputs["py-bt --native"])
    full = blocks(run_cli("bt", "-p", str(stripped_target.pid), "--native-all", "--thread",
                          str(stripped_target.pid)))
    reference = blocks(comparable(outputs["py-bt --native-all"]))[stripped_target.pid]
    assert list(full) == [stripped_target.pid]
    assert [item.line for item in full[stripped_target.pid][2]] == [item.line for item in reference[2]]


def test_cli_debug_build_names_static_functions(debug_target):
    """The CLI reads .symtab when the libraries have one: static functions get their names."""
    check_merged(run_cli("bt", "-p", str(debug_target.pid), "--native"), debug_target.info, "debug-cli")


def test_cli_without_ptrace_uses_proc_syscall(stripped_target):
    """With gdb attached ptrace is refused: the CLI says so, unwinds from the stack and
    instruction pointers of /proc/PID/task/TID/syscall, and notes where that stops."""
    with GdbSession(NO_LIBC_DEBUG + ["-p", str(stripped_target.pid)], source=False):
        output = run_cli("bt", "-p", str(stripped_target.pid), "--native")
    assert output.splitlines()[1].startswith("(ptrace refused (Operation not permitted): registers from /proc/")
    found = blocks(output)
    read = [t for t in stripped_target.info["threads"] if t["role"] == "read"][0]
    items = found[read["lwp"]][2]
    assert items[0].annotation == "in read(fd %d)" % stripped_target.info["read_fd"]
    assert [item.function for item in items if item.kind == "python"] == [
        entry[2] for entry in reversed(read["stack"])]


def test_a_process_without_python():
    """Native frames only, said once; gdb and the CLI alike."""
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        outputs = [run_cli("bt", "-p", str(sleeper.pid), "--native")]
        with GdbSession(NO_LIBC_DEBUG + ["-p", str(sleeper.pid)]) as gdb:
            outputs.append(gdb.cmd("py-bt --native"))
    finally:
        sleeper.kill()
        sleeper.wait()
    for output in outputs:
        assert output.startswith("No Python interpreter (not a CPython 2.7 target: ")
        header, _, items = blocks(output)[sleeper.pid]
        assert header.endswith("(no Python thread state)")
        assert items[0].annotation.startswith("sleeping: in "), items[0]
        assert not [item for item in items if item.kind == "python"]
    assert comparable(outputs[0]) == comparable(outputs[1])
