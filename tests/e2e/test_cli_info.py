"""CLI ``info`` and ``statm`` on a live python2.7, and ``-S`` holding the target stopped."""

import argparse
import os
import signal
import subprocess
import sys

import pytest

from gdb_cpywalker.cli.common import add_target_arguments, open_target, process_state
from gdb_cpywalker.render.units import format_size
from support.paths import ROOT, clean_env
from support.target import Target

PAGE = 4096


def cli(*args):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + [str(a) for a in args],
                            cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


def maps_lines(pid):
    with open("/proc/%d/maps" % pid) as handle:
        return handle.read().splitlines()


def span(text):
    return tuple(int(x, 16) for x in text.split("-"))


def maps_key(line):
    """(start, end), perms, offset, name of a /proc/PID/maps line."""
    fields = line.split(None, 5)
    return span(fields[0]), fields[1], int(fields[2], 16), (fields[5:] or ["[anon]"])[0].strip()


def row_key(line):
    """The same of an ``info`` row (start-end size perms offset name)."""
    fields = line.split(None, 4)
    return span(fields[0]), fields[2], int(fields[3], 16), fields[4]


@pytest.fixture(scope="module")
def target():
    with Target("pages.py") as running:
        yield running


def test_info_lists_every_region(target):
    code, out, err = cli("info", "-p", target.pid)
    assert code == 0 and err == ""
    lines = out.splitlines()
    expected = maps_lines(target.pid)
    assert [row_key(line) for line in lines[:-1]] == [maps_key(line) for line in expected]
    sizes = [line.split()[1] for line in lines[:-1]]
    spans = [span(line.split()[0]) for line in expected]
    assert sizes == [format_size(end - start) for start, end in spans]
    assert lines[-1] == "%d regions, %s mapped" % (len(expected), format_size(sum(e - s for s, e in spans)))


def test_info_filters_and_address(target):
    expected = maps_lines(target.pid)
    _, out, _ = cli("info", "-p", target.pid, "-P", "[heap]")
    assert [row_key(line) for line in out.splitlines()[:-1]] == \
        [maps_key(line) for line in expected if line.endswith("[heap]")]
    _, out, _ = cli("info", "-p", target.pid, "-w", "--min-size", "8k")
    keys = [maps_key(line) for line in expected]
    assert [row_key(line) for line in out.splitlines()[:-1]] == \
        [k for k in keys if k[1][1] == "w" and k[0][1] - k[0][0] >= 8192]
    base = target.info["base"]
    code, out, _ = cli("info", "-p", target.pid, hex(base + PAGE + 16))
    assert code == 0
    assert out.splitlines()[1] == "%#x = %#x + 0x1010 (4112 bytes into [anon])" % (base + PAGE + 16, base)


def test_info_smaps_totals(target):
    code, out, _ = cli("info", "-p", target.pid, "--smaps", "-P", "*libpython*")
    assert code == 0
    rss = 0
    with open("/proc/%d/smaps" % target.pid) as handle:
        inside = False
        for line in handle:
            if "-" in line.split()[0] and not line.split()[0].endswith(":"):
                inside = "libpython" in line
            elif inside and line.startswith("Rss:"):
                rss += int(line.split()[1]) * 1024
    assert out.splitlines()[-1].split()[2] == format_size(rss)


def test_statm(target):
    code, out, _ = cli("statm", "-p", target.pid, "-S")
    with open("/proc/%d/statm" % target.pid) as handle:
        pages = [int(x) for x in handle.read().split()]
    assert code == 0
    page = os.sysconf("SC_PAGE_SIZE")
    assert [line.split(None, 1)[0] for line in out.splitlines()] == \
        [format_size(pages[i] * page) for i in (0, 1, 2, 3, 5)]
    assert process_state(target.pid) not in "Tt"


@pytest.mark.parametrize("args, message", [
    (["info", "-p", "{pid}", "0x10"], "info: 0x10 is not in any mapped region"),
    (["info", "-p", "{pid}", "zz"], "info: not an address: 'zz'"),
    (["info", "-p", "{pid}", "-P", "*nothing*"], "info: no region matches '*nothing*'"),
    (["info", "-p", "4194305"], "info: cannot read /proc/4194305/maps: No such file or directory"),
    (["statm", "-p", "4194305"], "statm: cannot read /proc/4194305/statm: No such file or directory"),
])
def test_errors_are_one_line(target, args, message):
    code, out, err = cli(*[a.format(pid=target.pid) for a in args])
    assert (code, out, err) == (1, "", message + "\n")


def open_args(*argv):
    parser = argparse.ArgumentParser()
    add_target_arguments(parser)
    return parser.parse_args(list(argv))


def test_stop_holds_the_target_stopped_and_resumes_it(target):
    base = target.info["base"]
    with open_target(open_args("-p", str(target.pid), "-S")) as memory:
        assert process_state(target.pid) == "T"
        assert memory.read(base, 4) == b"AAAA"
    assert process_state(target.pid) not in "Tt"


def test_stop_leaves_an_already_stopped_target_stopped(target):
    os.kill(target.pid, signal.SIGSTOP)
    try:
        while process_state(target.pid) != "T":
            pass
        with open_target(open_args("-p", str(target.pid), "-S", "--memory", "procfs"), write=True) as memory:
            assert memory.name == "procfs" and memory.writable
        assert process_state(target.pid) == "T"
    finally:
        os.kill(target.pid, signal.SIGCONT)
