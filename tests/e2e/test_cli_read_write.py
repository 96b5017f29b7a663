"""CLI ``read`` and ``write`` on a real python2.7: what is written is read back and seen by the target."""

import json
import re
import subprocess
import sys

import pexpect
import pytest

from gdb_cpywalker.render.hexdump import hexdump
from support.paths import ROOT, clean_env
from support.target import Target

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + [str(a) for a in args],
                          cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=60)


def proc_mem(pid, address, size):
    with open("/proc/%d/mem" % pid, "rb") as handle:
        handle.seek(address)
        return handle.read(size)


def shown_buffer(target):
    """Ask the target to print its buffer: proof that the process itself sees the change."""
    target.process.stdin.write(b"show\n")
    target.process.stdin.flush()
    return json.loads(target.process.stdout.readline().decode())["buffer"]


@pytest.fixture
def target(python27_binary):
    with Target("hexdump_target.py") as target:
        yield target


def test_read_equals_proc_mem_and_skips_the_hole(target):
    pages, page = target.info["pages"], target.info["page"]
    result = cli("read", "-p", target.pid, hex(pages), 3 * page)
    assert result.returncode == 0, result.stderr
    first = hexdump(proc_mem(target.pid, pages, page), pages)
    assert result.stdout == (first.rsplit("\n", 2)[0] + "\n"
                             + "read: %#x - %#x: cannot read (not mapped)\n" % (pages + page, pages + 2 * page)
                             + hexdump(proc_mem(target.pid, pages + 2 * page, page), pages + 2 * page))
    bare_hex = cli("read", "-p", target.pid, "%016x" % pages, "4k", "-v", "--memory", "procfs")
    assert "*" not in bare_hex.stdout.splitlines()
    assert bare_hex.stdout == hexdump(proc_mem(target.pid, pages, page), pages, collapse=False)


def test_write_string_and_hex_round_trip(target):
    address = target.info["buffer"]
    result = cli("write", "-p", target.pid, hex(address), "--string", "written by the CLI")
    assert result.stdout == "wrote 18 bytes at %#x\n" % address and result.returncode == 0
    assert cli("read", "-p", target.pid, hex(address), 18).stdout == hexdump(b"written by the CLI", address)
    assert shown_buffer(target) == "written by the CLIof the buffer"
    result = cli("write", "-p", target.pid, address, "--hex", "48 45 58", "-S")
    assert result.stdout == "wrote 3 bytes at %#x\n" % address
    assert shown_buffer(target) == "HEXtten by the CLIof the buffer"


def test_stop_holds_the_target_and_lets_it_go(target):
    result = cli("read", "-p", target.pid, "-S", hex(target.info["pages"]), 16)
    assert result.returncode == 0
    with open("/proc/%d/stat" % target.pid) as handle:
        state = handle.read().rsplit(")", 1)[1].split()[0]
    assert state != "T"
    assert shown_buffer(target) == "original contents of the buffer"


def test_read_regions_by_pattern_with_a_cap(target):
    result = cli("read", "-p", target.pid, "-P", "[heap]", "--max-bytes", 32)
    lines = result.stdout.splitlines()
    assert lines[0].endswith("[heap]")
    heap = int(lines[0].split("-")[0], 16)
    assert "\n".join(lines[1:]) + "\n" == hexdump(proc_mem(target.pid, heap, 32), heap) + \
        "read: stopped after 32B (--max-bytes raises the cap)\n"


@pytest.mark.parametrize("args, message", [
    (("read", "0x10", 16), "read: cannot read 16 bytes at 0x10 (not mapped)"),
    (("read",), "read: give ADDR [LEN] or -P PATTERN"),
    (("read", "0x10", "1G"), "read: refusing to dump 1073741824 bytes (more than 64.00MiB); add --force"),
    (("read", "-P", "*no-such-region*"), "read: no region matches '*no-such-region*'"),
    (("read", "nowhere"), "read: not an address: 'nowhere'"),
    (("write", "0x10", "--hex", "zz"), "write: not hex bytes: 'zz'"),
    (("write", "0x10", "--string", "x"), "write: cannot write 1 bytes at 0x10 (not mapped)"),
])
def test_errors_are_one_line(target, args, message):
    result = cli(args[0], "-p", target.pid, *args[1:])
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message + "\n")


def test_read_colors_a_terminal_only(target):
    pages = target.info["pages"]
    child = pexpect.spawn(sys.executable, ["-m", "gdb_cpywalker", "read", "-p", str(target.pid), hex(pages), "64"],
                          cwd=ROOT, env=clean_env(TERM="xterm"), encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    colored = child.before.replace("\r\n", "\n")
    assert "\x1b[" in colored
    assert ANSI.sub("", colored) == hexdump(proc_mem(target.pid, pages, 64), pages)
    assert "\x1b[" not in cli("read", "-p", target.pid, hex(pages), 64).stdout
