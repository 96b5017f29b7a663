"""py-walk against a real python2.7 holding every builtin kind: live with debug info, live
stripped, and a gcore core file of the stripped process; bad inputs; the pretty-printer;
settings and completion; the CLI ``walk``."""

import json
import os
import re
import subprocess
import sys

import pytest

from gdb_cpywalker.render.repr import display
from support.gdbsession import GdbSession, walk_all
from support.paths import ROOT, STRIPPED, clean_env
from support.target import Target

FULL = "--max-depth unlimited --max-items unlimited --max-objects unlimited --max-string unlimited"
ERROR_LINE = re.compile(r"^py-walk: [^\n]+$")


class Attached:
    """A target held at its handshake and a gdb session on it (or on its core file)."""

    def __init__(self, target, gdb):
        self.target = target
        self.gdb = gdb
        # the target sends a repr's bytes one character per byte; py-walk shows them as
        # the target's terminal would (UTF-8, invalid bytes escaped)
        self.objects = {name: (address, display(text))
                        for name, address, text in target.info["objects"]}

    def walk(self, address, options="--format repr " + FULL):
        return self.gdb.cmd("py-walk %s %#x" % (options, address))

    def repr_mismatches(self):
        """{name: (expected, got)} for every object whose py-walk repr is not the target's
        (all walked by one gdb command)."""
        names = sorted(self.objects)
        texts = walk_all(self.gdb, [self.objects[name][0] for name in names])
        return {name: (self.objects[name][1][:300], got[:300])
                for name, got in zip(names, texts) if got != self.objects[name][1]}


@pytest.fixture(scope="module")
def live(python27_binary, gdb_binary):
    with Target("objects.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        yield Attached(target, gdb)


@pytest.fixture(scope="module")
def stripped(stripped_python, gdb_binary):
    with Target("objects.py", stripped=True) as target, GdbSession(["-p", str(target.pid)]) as gdb:
        yield Attached(target, gdb)


@pytest.fixture(scope="module")
def core(stripped, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("core") / "objects.core")
    assert "Saved corefile" in stripped.gdb.cmd("gcore " + path)
    binary = os.path.join(STRIPPED, "bin", "python2.7")
    with GdbSession([binary, path]) as gdb:
        yield Attached(stripped.target, gdb)


def test_live_with_debug_info_repr_equals_target_repr(live):
    assert live.gdb.cmd("py-walk --format repr %#x" % live.objects["none"][0]) == "None\n"
    assert live.repr_mismatches() == {}


def test_stripped_target_has_no_debug_symbols(stripped):
    assert "No symbol" in stripped.gdb.cmd("ptype PyObject")
    libpython = [line for line in stripped.gdb.cmd("info sharedlibrary").splitlines()
                 if "libpython2.7" in line]
    assert libpython and "(*)" in libpython[0]


def test_live_stripped_repr_equals_target_repr(stripped):
    assert stripped.repr_mismatches() == {}


def test_core_of_stripped_process_repr_equals_target_repr(core):
    assert "core" in core.gdb.cmd("info target").lower()
    assert core.repr_mismatches() == {}


DETECT = ("python from gdb_cpywalker.gdb.symbols import GdbSymbols; "
          "from gdb_cpywalker.gdb.memory import open_memory; "
          "from gdb_cpywalker.target.detect import detect_python; "
          "print(detect_python(open_memory(), GdbSymbols()))")


def test_detection_and_symbols_without_debug_info_live_and_core(stripped, core):
    for attached in (stripped, core):
        assert attached.gdb.cmd(DETECT).strip() == \
            "PythonTarget(version='2.7.18', pointer_size=8, unicode_width=4)"
        assert attached.gdb.cmd("py-walk --format repr &_Py_NoneStruct") == "None\n"
        assert attached.gdb.cmd("py-walk --format repr &_Py_TrueStruct") == "True\n"


def test_layout_cross_check_against_debug_info(live):
    check = ("python from gdb_cpywalker.gdb.layoutcheck import layout_mismatches; "
             "from gdb_cpywalker.layouts import layout_for; print(layout_mismatches(layout_for(%d, 4)))")
    assert live.gdb.cmd(check % 8).strip() == "[]"
    assert "PyStringObject.ob_sval: offset 20, debug info says 36" in live.gdb.cmd(check % 4)
    warn = ("python from gdb_cpywalker.gdb.layoutcheck import warn_on_mismatch; "
            "from gdb_cpywalker.layouts import layout_for; warn_on_mismatch(layout_for(4, 2))")
    assert live.gdb.cmd(warn).startswith("warning: gdb-cpywalker layout differs from the target's debug info")
    assert live.gdb.cmd(warn) == ""


def _tree_lines(attached, name, options=""):
    out = attached.walk(attached.objects[name][0], "--format tree " + options)
    return [line for line in out.splitlines() if line.strip()]


def _indent(line):
    return len(line) - len(line.lstrip())


def test_tree_shows_one_object_per_line_indented_by_depth(stripped):
    address = stripped.objects["list_ints"][0]
    lines = _tree_lines(stripped, "list_ints")
    assert len(lines) == 4
    assert "%#x" % address in lines[0] and "list" in lines[0]
    assert all(_indent(line) > _indent(lines[0]) for line in lines[1:])
    assert [re.search(r"\b[123]\b", line) is not None for line in lines[1:]] == [True] * 3
    assert all("int" in line for line in lines[1:])


def test_tree_marks_shared_objects_and_cycles_as_seen_above(stripped):
    instance = "%#x" % stripped.objects["new_instance"][0]
    shared = _tree_lines(stripped, "shared_children", FULL)
    assert sum("seen above" in line and instance in line for line in shared) == 2
    cycle = _tree_lines(stripped, "recursive_list", FULL)
    assert any("seen above" in line and "%#x" % stripped.objects["recursive_list"][0] in line
               for line in cycle)


def test_budget_cuts_are_named_and_tree_and_repr_cut_the_same_objects(stripped):
    def walked(name, options):
        return stripped.walk(stripped.objects[name][0], options).rstrip("\n")

    assert walked("dict_nested", "--format repr --max-objects 6") == \
        "{'a': {'b': [1, <1 more not shown: max-objects>]}, <1 more not shown: max-objects>}"
    tree = _tree_lines(stripped, "dict_nested", "--max-objects 6")
    assert [re.search(r"0x[0-9a-f]+ (\w+)", line).group(1) for line in tree[:6]] == \
        ["dict", "str", "dict", "str", "list", "int"]
    assert walked("set_large", "--format repr --max-items 5") == \
        "set([0, 1, 2, 3, 4, <95 more not shown: max-items>])"
    assert walked("nested_50", "--format repr --max-depth 3") == \
        "[49, {'child': [47, {<2 items not shown: max-depth>}], 'level': 48}]"
    for name in ("recursive_list", "recursive_dict"):
        assert walked(name, "--format repr") == stripped.objects[name][1]


def test_module_level_frame_reaches_its_code_and_globals(stripped):
    lines = _tree_lines(stripped, "frame", "--max-depth 1")
    assert "<frame object at %#x>" % stripped.objects["frame"][0] in lines[0]
    assert [line.split()[0] for line in lines[1:] if _indent(line) == 2] == ["f_code", "f_globals"]
    assert "<code object <module> at " in lines[1] and "objects.py" in lines[1]
    edges = _nodes_by_address(_json_graph(stripped, "frame", "--max-depth 1"))[
        stripped.objects["frame"][0]]["edges"]
    assert [edge["label"] for edge in edges] == ["f_code", "f_globals"]


def _json_graph(attached, name, options=FULL):
    return json.loads(attached.walk(attached.objects[name][0], "--format json " + options))


def _nodes_by_address(graph):
    return {int(key, 0): node for key, node in graph["nodes"].items()}


def test_json_graph_has_nodes_keyed_by_address_with_edges(stripped):
    graph = _json_graph(stripped, "list_ints")
    assert int(graph["root"], 0) == stripped.objects["list_ints"][0]
    nodes = _nodes_by_address(graph)
    root = nodes[stripped.objects["list_ints"][0]]
    assert root["type"] == "list"
    children = [nodes[int(edge["to"], 0)] for edge in root["edges"]]
    assert [child["value"] for child in children] == [1, 2, 3]
    assert all(child["type"] == "int" and child["refcount"] > 0 for child in children)


def test_json_of_recursive_dict_terminates_with_the_cycle(stripped):
    address = stripped.objects["recursive_dict"][0]
    nodes = _nodes_by_address(_json_graph(stripped, "recursive_dict"))
    assert len(nodes) == 3 and nodes[address]["type"] == "dict"
    assert address in [int(edge["to"], 0) for edge in nodes[address]["edges"]]


def test_json_output_file(stripped, tmp_path):
    path = tmp_path / "graph.json"
    out = stripped.walk(stripped.objects["dict_nested"][0], "--format json --output %s %s" % (path, FULL))
    assert str(path) in out and len(out.splitlines()) == 1
    nodes = _nodes_by_address(json.loads(path.read_text()))
    assert nodes[stripped.objects["dict_nested"][0]]["type"] == "dict"
    assert len(nodes) >= 9


def test_hundred_thousand_deep_list_in_full(stripped, tmp_path):
    path = tmp_path / "deep.txt"
    deep = stripped.target.info["deep"]
    stripped.walk(deep["id"], "--format repr %s --output %s" % (FULL, path))
    assert path.read_text().rstrip("\n") == "[" * deep["depth"] + "]" * deep["depth"]


@pytest.mark.parametrize("fmt", ["repr", "tree", "json"])
def test_bad_addresses_and_corrupt_objects_give_an_error_node(stripped, fmt):
    bad = dict(stripped.target.info["bad"], zero=0, tiny=0x10, unmapped=0xdead00000000)
    for name, address in sorted(bad.items()):
        out = stripped.walk(address, "--format %s %s" % (fmt, FULL))
        assert len(out.splitlines()) == 1, (name, out)
        if fmt == "json":
            graph = json.loads(out)
            assert _nodes_by_address(graph)[address]["kind"] == "error", (name, out)
        else:
            assert "<error: " in out, (name, out)
        if fmt == "tree" and name.endswith("_type"):  # the object's address, not ob_type's
            assert out.rstrip("\n").endswith(" at %#x>" % address), (name, out)
    for name in ("recursive_list", "recursive_dict"):
        out = stripped.walk(stripped.objects[name][0], "--format %s %s" % (fmt, FULL))
        assert out.strip() and "error" not in out, (name, out)
    assert stripped.gdb.alive()


def test_unknown_symbol_and_bad_options_are_one_line_errors(stripped):
    for line in ("py-walk no_such_symbol_here", "py-walk (long) getpid()", "py-walk --max-depth lots 0x10",
                 "py-walk --format yaml 0x10", "py-walk"):
        out = stripped.gdb.cmd(line).strip()
        assert ERROR_LINE.match(out), (line, out)
    for command in ("py-walk", "hexdump", "mem-info"):  # every command's address is evaluated alike
        assert "may-call-functions is off" in stripped.gdb.cmd("%s (long)getpid()" % command)
    assert stripped.gdb.cmd("show may-call-functions").strip().endswith("on.")
    assert stripped.gdb.alive()


def test_settings_give_the_defaults(stripped):
    gdb = stripped.gdb
    address, expected = stripped.objects["list_ints"]
    assert gdb.cmd("show cpywalker format").strip() == "The default output format of py-walk is tree."
    try:
        gdb.cmd("set cpywalker format repr")
        gdb.cmd("set cpywalker max-items unlimited")
        assert gdb.cmd("py-walk %#x" % address).rstrip("\n") == expected
        gdb.cmd("set cpywalker max-items 1")
        truncated = gdb.cmd("py-walk %#x" % address).rstrip("\n")
        assert truncated != expected and truncated.startswith("[1")
        gdb.cmd("set cpywalker max-depth unlimited")
        assert gdb.cmd("show cpywalker max-depth").strip().endswith("is unlimited.")
    finally:
        for setting in ("format tree", "max-items 100", "max-depth 10"):
            gdb.cmd("set cpywalker " + setting)


def test_tab_completion_of_options_and_values(stripped):
    gdb = stripped.gdb
    assert gdb.cmd("complete py-walk --form").split() == ["py-walk", "--format"]
    assert gdb.cmd("complete py-walk --format ").splitlines() == [
        "py-walk --format json", "py-walk --format repr", "py-walk --format tree"]
    assert gdb.cmd("complete py-walk --max-items u").strip() == "py-walk --max-items unlimited"
    assert "py-walk --max-depth" in gdb.cmd("complete py-walk --max")
    help_text = gdb.cmd("help py-walk")
    assert help_text.startswith("Show the CPython 2.7 object at ADDR") and "--max-depth" in help_text


def test_pretty_printer_shows_pyobject_pointers_decoded(live):
    address, expected = live.objects["str_plain"]
    assert live.gdb.cmd("print (PyObject *) %#x" % address).strip().endswith("%#x %s" % (address, expected))
    address, expected = live.objects["tuple_mixed"]
    assert live.gdb.cmd("print (PyTupleObject *) %#x" % address).strip().endswith(expected)
    live.gdb.cmd("frame function PyEval_EvalFrameEx")
    frame = live.gdb.cmd("print f").strip()
    assert re.search(r"= 0x[0-9a-f]+ <frame object at 0x[0-9a-f]+>$", frame), frame
    code = live.gdb.cmd("print f->f_code").strip()
    assert re.search(r"<code object \S+ at 0x[0-9a-f]+, file \".*\", line \d+>$", code), code
    assert code.endswith(live.gdb.cmd("py-walk --format repr f->f_code").strip())
    assert live.gdb.cmd("py-walk --format repr $sp - $sp + (long) f").strip() == frame.split(" ", 3)[-1]
    assert live.gdb.alive()


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + list(args), cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=120)


def test_cli_walk_repr_json_and_errors(python27_binary, tmp_path):
    with Target("objects.py") as target:
        objects = {name: (address, text) for name, address, text in target.info["objects"]}
        pid = str(target.pid)
        for name in ("dict_nested", "unicode_non_bmp", "long_huge", "float_tenth", "classic_instance",
                     "recursive_list", "module_file", "set_deleted"):
            address, expected = objects[name]
            result = _cli("walk", "-p", pid, "--format", "repr", *FULL.split(), hex(address))
            assert (result.returncode, result.stdout.rstrip("\n")) == (0, expected), name
        path = tmp_path / "walk.json"
        result = _cli("walk", "-p", pid, "--format", "json", "--output", str(path),
                      hex(objects["list_ints"][0]))
        assert result.returncode == 0 and result.stdout == ""
        assert _nodes_by_address(json.loads(path.read_text()))[objects["list_ints"][0]]["type"] == "list"
        result = _cli("walk", "-p", pid, "--format", "repr", "_Py_NoneStruct")
        assert (result.returncode, result.stdout) == (0, "None\n")
        result = _cli("walk", "-p", pid, "no_such_symbol")
        assert result.returncode == 1 and result.stderr.startswith("walk: ")
        assert len(result.stderr.splitlines()) == 1
        for fmt in ("repr", "tree", "json"):  # an unreadable root is an error, not output
            result = _cli("walk", "-p", pid, "--format", fmt, "0x1000")
            assert (result.returncode, result.stdout, result.stderr) == (
                1, "", "walk: cannot read 16 bytes at 0x1000 (not mapped)\n"), fmt
