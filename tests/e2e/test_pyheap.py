"""py-heap and py-refs in real gdb on tests/targets/heap.py: live with debug symbols (pools
from the ``arenas`` symbol), live on the stripped copy (pools found by their headers), from
a gcore core file of the stripped process; and the CLI ``heap``/``refs`` subcommands.

The target plants known numbers of objects of distinctive types and computes, per type,
the sum of ``sys.getsizeof``: the census rows must match exactly. py-refs must name the
same referrers as ``gc.get_referrers`` in the target.
"""

import json
import os
import subprocess
import sys

import pytest

from support.gdbsession import PROMPT, GdbSession
from support.paths import ROOT, STRIPPED, clean_env
from support.target import Target

#: Planted types that exist beyond what the target reports (the census adds them).
EXTRA = {"BigSlots": (3, "big_cycles")}


@pytest.fixture(scope="module")
def debug():
    with Target("heap.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        yield target.info, gdb, target


@pytest.fixture(scope="module")
def stripped():
    with Target("heap.py", stripped=True) as target, GdbSession(["-p", str(target.pid)]) as gdb:
        yield target.info, gdb, target


@pytest.fixture(scope="module")
def core(tmp_path_factory, stripped):
    info, live, _ = stripped
    path = str(tmp_path_factory.mktemp("core") / "heap.core")
    assert "Saved corefile" in live.cmd("gcore " + path)
    with GdbSession([os.path.join(STRIPPED, "bin", "python2.7"), path]) as gdb:
        yield info, gdb, path


SESSIONS = ("debug", "stripped", "core")


def session(request, which):
    return request.getfixturevalue(which)


def shown(gdb, command):
    """What ``command`` printed, its progress line (shown when a command runs for more
    than a second) left out."""
    return without_progress(gdb.cmd(command))


def as_json(gdb, command):
    out = shown(gdb, command)
    try:
        return json.loads(out)
    except ValueError:
        raise AssertionError("%s printed: %s" % (command, out))


def without_progress(text):
    """What a command printed after its progress line (on the terminal, erased)."""
    return text.rpartition("\x1b[K")[2]


def census_rows(document):
    return {row["type"]: [row["count"], row["bytes"]] for row in document["types"]}


def expected_rows(info):
    rows = {"__main__." + name: list(value) for name, value in info["types"].items()}
    for name, (count, key) in EXTRA.items():
        rows["__main__." + name] = [rows["__main__." + name][0] + count,
                                    rows["__main__." + name][1] + info[key][1]]
    rows["__main__.Cycle"] = info["cycles"]
    rows["__main__.Leaked"] = [len(info["leaked"]), len(info["leaked"]) * info["leaked_size"]]
    return rows


@pytest.mark.parametrize("which", SESSIONS)
def test_census_counts_and_sizes_match_the_target(request, which):
    info, gdb, _ = session(request, which)
    document = as_json(gdb, "py-heap --format json")
    rows = census_rows(document)
    for name, value in expected_rows(info).items():
        assert rows.get(name) == value, name
    assert rows["frame"] == info["frames"]
    assert "__main__.Freed" not in rows
    assert document["objects"] == sum(count for count, _ in rows.values())
    assert document["bytes"] == sum(size for _, size in rows.values())
    assert document["found"]["pools_by"] == ("symbol" if which == "debug" else "scan")
    assert document["found"]["pymalloc"] > 10000 and document["found"]["malloc"] > 1000
    assert "by following references" not in shown(gdb, "py-heap --limit 3")


def test_table_limit_and_min_bytes(debug):
    info, gdb, _ = debug
    out = shown(gdb, "py-heap --limit 3")
    lines = out.splitlines()
    assert lines[0].split() == ["objects", "bytes", "size", "type"]
    assert len([line for line in lines[1:4]]) == 3 and "(3 shown)" in lines[4]
    sizes = [int(line.split()[1].replace(",", "")) for line in lines[1:4]]
    assert sizes == sorted(sizes, reverse=True)
    document = as_json(gdb, "py-heap --format json --min-bytes 50k")
    assert all(row["bytes"] >= 50 * 1024 for row in document["types"])
    assert document["objects"] == as_json(gdb, "py-heap --format json")["objects"]


@pytest.mark.parametrize("which", ("debug", "core"))
def test_instances_of_one_type(request, which):
    info, gdb, _ = session(request, which)
    document = as_json(gdb, "py-heap --type __main__.Plain --format json --limit 100000")
    plains = document["objects"]
    assert sorted(item["address"] for item in plains) == info["plain_ids"]
    assert document["found"] == len(plains) > 100
    assert shown(gdb, "py-heap --type __main__.Plain").splitlines()[-1] == \
        "100 of %d objects shown, the biggest (--limit N for more)" % len(plains)
    assert {item["bytes"] for item in plains} == {16}
    assert plains[0]["repr"] == "<__main__.Plain object at %#x>" % plains[0]["address"]
    old_id, old_repr = info["old_repr"]
    assert "%#x" % old_id in shown(gdb, "py-heap --type __main__.OldOrder")
    assert old_repr in shown(gdb, "py-heap --type __main__.OldOrder")
    blobs = as_json(gdb, "py-heap --type __main__.Blob --limit 3 --format json")["objects"]
    assert [item["bytes"] for item in blobs] == sorted((item["bytes"] for item in blobs), reverse=True)
    assert {item["address"] for item in blobs} <= set(info["blob_ids"]) and len(blobs) == 3


@pytest.mark.parametrize("which", ("debug", "stripped"))
def test_leak_suspects(request, which):
    info, gdb, _ = session(request, which)
    rows = census_rows(as_json(gdb, "py-heap --leaks --format json"))
    assert rows["__main__.Leaked"] == [7, 7 * info["leaked_size"]]
    assert "__main__.Order" not in rows and "__main__.Plain" not in rows
    suspects = as_json(gdb, "py-heap --leaks --type __main__.Leaked --format json")["objects"]
    assert sorted(item["address"] for item in suspects) == info["leaked"]
    assert {(item["refcount"], item["references"]) for item in suspects} == {(1, 0)}
    assert "expected here" in shown(gdb, "py-heap --leaks --limit 1")


def test_save_and_diff(debug, tmp_path):
    info, gdb, _ = debug
    saved = tmp_path / "before.json"
    assert "saved the census" in shown(gdb, "py-heap --limit 1 --save %s" % saved)
    before = json.loads(saved.read_text())
    for row in before["types"]:
        if row["type"] == "__main__.Order":
            row["count"] -= 10
            row["bytes"] -= 640
    saved.write_text(json.dumps(before))
    growth = as_json(gdb, "py-heap --diff %s --format json" % saved)["types"]
    assert growth == [{"type": "__main__.Order", "count": 10, "bytes": 640,
                       "now_count": info["types"]["Order"][0], "now_bytes": info["types"]["Order"][1]}]
    assert "+640" in shown(gdb, "py-heap --diff %s" % saved)


@pytest.mark.parametrize("which", ("debug", "core"))
def test_memory_breakdown_adds_up(request, which):
    info, gdb, _ = session(request, which)
    document = as_json(gdb, "py-heap --memory --format json")
    parts = {part["name"]: part["bytes"] for part in document["parts"]}
    assert sum(parts.values()) == document["total"]
    assert parts["Python objects in pymalloc"] > 1 << 20
    assert parts["Python objects outside pymalloc"] > 20000
    assert document["source"] == ("RSS" if which == "debug" else "core")
    if which == "debug":
        with open("/proc/%d/smaps_rollup" % info["pid"]) as handle:
            rss = [int(line.split()[1]) for line in handle if line.startswith("Rss:")][0]
        assert document["total"] == rss * 1024
    assert "total (%s)" % document["source"] in shown(gdb, "py-heap --memory")


@pytest.mark.parametrize("which", ("debug", "stripped"))
def test_refs_match_gc_get_referrers(request, which):
    info, gdb, _ = session(request, which)
    document = as_json(gdb, "py-refs --format json %#x" % info["target"])
    found = sorted(ref["address"] for ref in document["referrers"] if ref["address"] is not None)
    assert found == info["referrers"]
    assert {ref["via"] for ref in document["referrers"]} == {"[3]", "['last']", "['ref']"}
    path = document["path"]
    assert path[-1]["address"] == info["target"] and path[-1]["type"] == "__main__.Order"
    assert path[0]["via"].startswith(("sys.", "__builtin__", "thread "))
    text = shown(gdb, "py-refs --memory procfs %#x" % info["target"])
    assert text.startswith("%#x is a __main__.Order (refcount %d), referred to 3 times:"
                           % (info["target"], info["target_refcount"]))
    assert "shortest path from a root" in text


def test_bad_input_is_one_line(debug):
    info, gdb, _ = debug
    assert shown(gdb, "py-refs 0x10") == "py-refs: 0x10 is not a live object (no refcount and type there)\n"
    inside = shown(gdb, "py-refs %#x" % (info["target"] + 16)).strip()
    assert inside.startswith("py-refs: ") and len(inside.splitlines()) == 1
    assert shown(gdb, "py-heap --type NoSuchType").startswith("py-heap: no live object of type 'NoSuchType'")
    assert shown(gdb, "py-heap --type order") == \
        "py-heap: no live object of type 'order' (did you mean __main__.Order?)\n"
    assert shown(gdb, "py-heap --diff /nonexistent/census.json").startswith("py-heap: cannot read")
    assert shown(gdb, "py-heap --memory --leaks").startswith("py-heap: --memory is a report")
    assert "Traceback" not in shown(gdb, "py-heap --limit x")
    assert gdb.alive()


def cli(*args, stdin=None):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + list(args), cwd=ROOT,
                            env=clean_env(), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


def test_cli_heap_refs_and_diff(debug, tmp_path):
    info, gdb, _ = debug
    status, out, err = cli("heap", "-p", str(info["pid"]), "--format", "json")
    assert status == 0, err
    rows = census_rows(json.loads(out))
    for name, value in expected_rows(info).items():
        assert rows.get(name) == value, name
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(out)
    grown = json.loads(out)
    for row in grown["types"]:
        if row["type"] == "__main__.Plain":
            row["count"] += 5
            row["bytes"] += 80
    second.write_text(json.dumps(grown))
    status, out, err = cli("heap", "--diff", str(first), str(second))
    assert status == 0 and out.splitlines()[1].split() == ["+5", "+80", "338", "__main__.Plain"]
    status, out, err = cli("refs", "-p", str(info["pid"]), "--format", "json", "%#x" % info["target"])
    assert status == 0, err
    assert sorted(ref["address"] for ref in json.loads(out)["referrers"]
                  if ref["address"] is not None) == info["referrers"]
    assert cli("refs", "-p", str(info["pid"]), "0x10")[2] == \
        "refs: 0x10 is not a live object (no refcount and type there)\n"
    assert cli("heap")[2] == "heap: which process? -p PID or --core CORE\n"
    assert "one of the arguments -p/--pid --core is required" in cli("refs", "0x10")[2]


def test_cli_on_the_core_file_agrees_with_gdb(core):
    info, gdb, path = core
    status, out, err = cli("heap", "--core", path, "--format", "json")
    assert status == 0, err
    assert json.loads(out)["types"] == as_json(gdb, "py-heap --format json")["types"]
    status, out, err = cli("heap", "--core", path, "--memory", "--format", "json")
    assert json.loads(out) == as_json(gdb, "py-heap --memory --format json")
    with open(path, "rb") as piped:
        status, out, err = cli("heap", "--core", "-", "--limit", "3", "--format", "json", stdin=piped)
    assert status == 0, err
    assert json.loads(out)["types"] == as_json(gdb, "py-heap --limit 3 --format json")["types"]


def test_progress_once_a_second_and_ctrl_c(tmp_path):
    """Leak suspects of ~450k objects (two passes over the heap, seconds): progress on the
    terminal, cleared before the table; Ctrl-C stops the next one cleanly and gdb goes on."""
    with Target("heap_big.py", ["150000"]) as target, GdbSession(["-p", str(target.pid)]) as gdb:
        out = gdb.cmd("py-heap --leaks --limit 2")
        assert "\x1b[Kpy-heap: reading " in out  # the heap, or static data: where the second ends
        table = out.rpartition("\x1b[K")[2].splitlines()
        assert table[0] == "leak suspects: refcount above the references found"
        assert table[1].split() == ["objects", "bytes", "size", "type"]
        gdb.child.sendline("py-heap --leaks")
        gdb.child.expect_exact("py-heap: ")
        gdb.child.sendintr()
        gdb.child.expect_exact(PROMPT, timeout=60)
        assert "py-heap: interrupted" in gdb.child.before
        assert gdb.alive()


def test_no_target_and_a_target_that_is_not_python():
    with GdbSession() as gdb:
        assert shown(gdb, "py-heap").startswith("py-heap: no process or core file")
        assert shown(gdb, "py-refs 0x1000").startswith("py-refs: no process or core file")
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        with GdbSession(["-p", str(sleeper.pid)]) as gdb:
            out = shown(gdb, "py-heap")
            assert out.startswith("py-heap: not a CPython 2.7 target") and len(out.splitlines()) == 1
            assert gdb.alive()
    finally:
        sleeper.kill()
        sleeper.wait()
