"""``mem-info`` in real gdb: attached to a live python2.7 (vs /proc/PID/*) and on a gcore core file."""

import os

import pytest

from gdb_cpywalker.render.units import format_size
from support.gdbsession import GdbSession
from support.paths import python27
from support.target import Target

PAGE = 4096


def maps_rows(pid):
    """(start, end, perms, offset, name) straight from /proc/PID/maps."""
    rows = []
    with open("/proc/%d/maps" % pid) as handle:
        for line in handle:
            fields = line.split(None, 5)
            start, end = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5].strip() if len(fields) > 5 else ""
            rows.append((start, end, fields[1], int(fields[2], 16), name or "[anon]"))
    return rows


def table_rows(text):
    """The region rows of a mem-info table (the totals line dropped) as maps_rows tuples + size text."""
    rows = []
    for line in text.splitlines()[:-1]:
        span, size, perms, offset, name = line.split(None, 4)
        start, end = (int(x, 16) for x in span.split("-"))
        rows.append(((start, end, perms, int(offset, 16), name), size))
    return rows


def smaps_sums(pid, key):
    total = 0
    with open("/proc/%d/smaps" % pid) as handle:
        for line in handle:
            if line.startswith(key + ":"):
                total += int(line.split()[1]) * 1024
    return total


@pytest.fixture(scope="module")
def attached():
    with Target("pages.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        yield target, gdb


def test_every_region_matches_proc_maps(attached):
    target, gdb = attached
    out = gdb.cmd("mem-info")
    expected = maps_rows(target.pid)
    rows = table_rows(out)
    assert [row for row, _ in rows] == expected
    assert [size for _, size in rows] == [format_size(end - start) for start, end, *_ in expected]
    total = sum(end - start for start, end, *_ in expected)
    assert out.splitlines()[-1] == "%d regions, %s mapped" % (len(expected), format_size(total))


def test_gdb_view_of_a_live_process_matches_too(attached):
    target, gdb = attached
    rows = [row for row, _ in table_rows(gdb.cmd("mem-info --memory gdb"))]
    assert rows == maps_rows(target.pid)


def test_address_expression_names_region_and_offset(attached):
    target, gdb = attached
    base = target.info["base"]
    lines = gdb.cmd("mem-info %#x + 2 * %d + 5" % (base, PAGE)).splitlines()
    assert lines[0].split()[0] == "%012x-%012x" % (base + 2 * PAGE, base + 3 * PAGE)
    assert lines[1] == "%#x = %#x + 0x5 (5 bytes into [anon])" % (base + 2 * PAGE + 5, base + 2 * PAGE)
    assert gdb.cmd("mem-info %#x" % (base + 3 * PAGE)).strip() == \
        "mem-info: %#x is not in any mapped region" % (base + 3 * PAGE)


def test_filters(attached):
    target, gdb = attached
    expected = maps_rows(target.pid)
    heap = [row for row, _ in table_rows(gdb.cmd("mem-info -P '[heap]'"))]
    assert heap == [r for r in expected if r[4] == "[heap]"]
    libc = [row for row, _ in table_rows(gdb.cmd("mem-info -P *libc.so*"))]
    assert libc == [r for r in expected if "libc.so" in r[4]] and len(libc) >= 3
    writable = [row for row, _ in table_rows(gdb.cmd("mem-info -w"))]
    assert writable == [r for r in expected if r[2][1] == "w"]
    big = [row for row, _ in table_rows(gdb.cmd("mem-info --min-size 1M"))]
    assert big == [r for r in expected if r[1] - r[0] >= 1 << 20]
    assert [row for row, _ in table_rows(gdb.cmd("mem-info --min-size 4096 -w -P *python2.7"))] == \
        [r for r in expected if r[2][1] == "w" and r[4].endswith("/python2.7")]


def test_smaps_totals_match_proc_smaps(attached):
    target, gdb = attached
    lines = gdb.cmd("mem-info --smaps").splitlines()
    assert lines[0].split()[2:6] == ["Rss", "Pss", "Private_Dirty", "Swap"]
    assert len(lines) == len(maps_rows(target.pid)) + 2
    totals = lines[-1].split()
    assert totals[2] == format_size(smaps_sums(target.pid, "Rss"))
    assert totals[4] == format_size(smaps_sums(target.pid, "Private_Dirty"))
    assert totals[5] == format_size(smaps_sums(target.pid, "Swap"))
    heap = [line for line in lines if line.endswith("[heap]")]
    assert len(heap) == 1 and heap[0].split()[2] != "0B"


def test_statm_matches_proc_statm(attached):
    target, gdb = attached
    with open("/proc/%d/statm" % target.pid) as handle:
        size, resident, shared, text, _, data, _ = (int(x) * os.sysconf("SC_PAGE_SIZE")
                                                    for x in handle.read().split())
    lines = [line.split(None, 1) for line in gdb.cmd("mem-info statm").splitlines()]
    assert lines == [[format_size(size), "total program size"], [format_size(resident), "resident set size"],
                     [format_size(shared), "shared size"], [format_size(text), "text"],
                     [format_size(data), "data + stack"]]


@pytest.mark.parametrize("command, message", [
    ("mem-info 0x10", "mem-info: 0x10 is not in any mapped region"),
    ("mem-info 1+", "mem-info: A syntax error in expression, near `'."),
    ("mem-info --bogus", "mem-info: unrecognized arguments: --bogus"),
    ("mem-info statm extra", "mem-info: 'statm' takes nothing after it: mem-info statm"),
    ("mem-info no_such_symbol", 'mem-info: No symbol "no_such_symbol" in current context.'),
    ("mem-info -P '*nothing-maps-here*'", "mem-info: no region matches '*nothing-maps-here*'"),
    ("mem-info --min-size lots", "mem-info: not a size: 'lots' (examples: 4096, 4k, 1M)"),
    ("mem-info --smaps --origins", "mem-info: --smaps and --origins are separate tables: run "
                                   "'mem-info --smaps' and 'mem-info --origins'"),
    ("mem-info --memory disk", "mem-info: argument --memory: invalid choice: 'disk' (choose from 'auto', 'gdb', 'procfs', 'vm')"),
])
def test_bad_input_is_one_line(attached, command, message):
    _, gdb = attached
    assert gdb.cmd(command).strip() == message
    assert gdb.alive()


@pytest.fixture(scope="module")
def core(tmp_path_factory):
    """A gcore core file of pages.py and the target's maps at that moment."""
    path = str(tmp_path_factory.mktemp("core") / "pages.core")
    with Target("pages.py") as target, GdbSession(["-p", str(target.pid)], source=False) as gdb:
        assert "Saved corefile" in gdb.cmd("gcore " + path)
        rows = maps_rows(target.pid)
    with GdbSession([python27(), path]) as gdb:
        yield gdb, rows, target.info


def test_core_file_shows_file_and_anonymous_regions(core):
    gdb, live_rows, info = core
    rows = [row for row, _ in table_rows(gdb.cmd("mem-info"))]
    spans = {(r[0], r[1]): r for r in rows}
    for start, end, perms, offset, name in live_rows:
        if name.startswith("/") and name != "/dev/zero (deleted)":
            assert spans[(start, end)][3:] == (offset, name)
        if name == "[heap]" or (name == "[anon]" and perms[1] == "w"):
            assert spans[(start, end)][2] == perms  # dumped anonymous memory, perms from the core
    for name in ("[stack]", "[vdso]"):
        landmark = [r for r in live_rows if r[4] == name][0]
        assert spans[(landmark[0], landmark[1])][4] == name
    base = info["base"]
    assert spans[(base, base + 2 * PAGE)][2:] == ("rw-p", 0, "[anon]")
    lines = gdb.cmd("mem-info %#x" % (base + PAGE + 1)).splitlines()
    assert lines[1] == "%#x = %#x + 0x1001 (4097 bytes into [anon])" % (base + PAGE + 1, base)


def test_core_file_live_only_views_say_so(core):
    gdb, _, _ = core
    assert gdb.cmd("mem-info --smaps").strip() == "mem-info: --smaps needs a live local process"
    assert gdb.cmd("mem-info statm").strip() == "mem-info: statm needs a live local process"
    assert gdb.cmd("mem-info 0x10").strip() == "mem-info: 0x10 is not in any mapped region"
    assert gdb.alive()


def test_without_a_process_or_core(python27_binary):
    with GdbSession([python27_binary]) as gdb:
        assert gdb.cmd("mem-info").strip() == "mem-info: no memory map: no process or core file"
        assert gdb.cmd("mem-info statm").strip() == "mem-info: statm needs a live local process"
        assert gdb.alive()
