"""``hexdump`` in real gdb on a real python2.7: the text is the dump of /proc/PID/mem's bytes.

The renderer itself is checked byte for byte against ``hexdump -C`` in the unit tests,
so here the expected text is that renderer applied to the bytes read from /proc/PID/mem.
"""

import re
import subprocess

import pytest

from gdb_cpywalker.render.hexdump import hexdump
from support.gdbsession import GdbSession
from support.paths import GDBINIT, clean_env
from support.target import Target

ROW = re.compile(r"^[0-9a-f]{16}  ([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} \|.{16}\|$")


def proc_mem(pid, address, size):
    with open("/proc/%d/mem" % pid, "rb") as handle:
        handle.seek(address)
        return handle.read(size)


def without_end_line(text):
    return text.rsplit("\n", 2)[0] + "\n"


@pytest.fixture(scope="module")
def target(python27_binary):
    with Target("hexdump_target.py") as target:
        yield target


@pytest.fixture(scope="module")
def gdb(target, gdb_binary):
    with GdbSession(["-p", str(target.pid)]) as session:
        yield session


def test_dump_equals_proc_mem_bytes(target, gdb):
    pages = target.info["pages"]
    text = gdb.cmd("hexdump %d 4096" % pages)
    assert text == hexdump(proc_mem(target.pid, pages, 4096), pages)
    assert "\n*\n" in text  # the 1024 zero bytes collapse
    assert all(ROW.match(line) for line in text.splitlines() if len(line) > 16 and line != "*")


def test_verbose_default_length_and_expressions(target, gdb):
    pages = target.info["pages"]
    verbose = gdb.cmd("hexdump -v %d 4096" % pages)
    assert "*" not in verbose.splitlines() and len(verbose.splitlines()) == 4096 // 16 + 1
    assert gdb.cmd('hexdump "(char *) %d + 16"' % pages) == hexdump(
        proc_mem(target.pid, pages + 16, 256), pages + 16)
    none = int(gdb.cmd("print/d (long) &_Py_NoneStruct").split("=")[1])
    assert gdb.cmd("hexdump &_Py_NoneStruct 0x10") == hexdump(proc_mem(target.pid, none, 16), none)
    assert gdb.cmd("hexdump %d 1k" % pages) == hexdump(proc_mem(target.pid, pages, 1024), pages)


def test_address_expression_with_spaces(target, gdb):
    """The last word is LEN when the rest evaluates as ADDR; else all words are ADDR."""
    pages = target.info["pages"]
    sp = int(gdb.cmd("print/d (long) $sp").split("=")[1])
    assert gdb.cmd("hexdump $sp + 8 16") == hexdump(proc_mem(target.pid, sp + 8, 16), sp + 8)
    assert gdb.cmd("hexdump $sp + 8") == hexdump(proc_mem(target.pid, sp + 8, 256), sp + 8)
    expected = hexdump(proc_mem(target.pid, pages + 48, 32), pages + 48)
    assert gdb.cmd("hexdump %d + 16 * 3 '(0x10 * 2)'" % pages) == expected
    assert gdb.cmd('hexdump "%d + 16 * 3" 32' % pages) == expected
    assert gdb.cmd("hexdump %d + 16 * 3 32 -v" % pages) == expected


def test_unmapped_page_is_one_note_and_the_dump_goes_on(target, gdb):
    pages, page = target.info["pages"], target.info["page"]
    text = gdb.cmd("hexdump %d 3*4096" % pages)
    assert text == (without_end_line(hexdump(proc_mem(target.pid, pages, page), pages))
                    + "hexdump: %#x - %#x: cannot read (not mapped)\n" % (pages + page, pages + 2 * page)
                    + hexdump(proc_mem(target.pid, pages + 2 * page, page), pages + 2 * page))


def test_enter_continues_where_the_dump_stopped(target, gdb):
    pages = target.info["pages"]
    gdb.cmd("hexdump %d 32" % pages)
    for step in (1, 2, 3):
        start = pages + 32 * step
        assert gdb.cmd("") == hexdump(proc_mem(target.pid, start, 32), start)
    assert gdb.cmd("hexdump %d 32" % pages) == hexdump(proc_mem(target.pid, pages, 32), pages)


def test_regions_by_pattern_with_a_cap(target, gdb):
    text = gdb.cmd("hexdump -P [heap] --max-bytes 64")
    lines = text.splitlines()
    assert lines[0].endswith("[heap]")
    heap = int(lines[0].split("-")[0], 16)
    assert "\n".join(lines[1:]) + "\n" == hexdump(proc_mem(target.pid, heap, 64), heap) + \
        "hexdump: stopped after 64B (--max-bytes raises the cap)\n"
    vvar = gdb.cmd("hexdump -P [vvar]").splitlines()
    assert vvar[0].endswith("[vvar]")
    assert re.fullmatch(r"hexdump: 0x[0-9a-f]+ - 0x[0-9a-f]+: cannot read \(\[vvar\] is not readable\)",
                        vvar[1])
    vvar_start = int(vvar[0].split("-")[0], 16)
    assert gdb.cmd("hexdump %#x 32" % vvar_start).strip() == \
        "hexdump: cannot read 32 bytes at %#x ([vvar] is not readable)" % vvar_start


def test_every_backend_gives_the_same_dump(target, gdb):
    pages = target.info["pages"]
    expected = hexdump(proc_mem(target.pid, pages, 4096), pages)
    for kind in ("gdb", "procfs", "vm", "auto"):
        assert gdb.cmd("hexdump --memory %s %d 4096" % (kind, pages)) == expected
    gdb.cmd("set cpywalker memory gdb")
    assert gdb.cmd("hexdump %d 4096" % pages) == expected
    gdb.cmd("set cpywalker memory auto")


@pytest.mark.parametrize("command, message", [
    ("hexdump 0", "cannot read 256 bytes at 0x0 (not mapped)"),
    ("hexdump 0x10 16", "cannot read 16 bytes at 0x10 (not mapped)"),
    ("hexdump 0xffffffffffff0000 16", "cannot read 16 bytes at 0xffffffffffff0000 (not mapped)"),
    ("hexdump", "give an address (hexdump ADDR [LEN]) or -P PATTERN"),
    ("hexdump no_such_symbol", 'No symbol "no_such_symbol" in current context.'),
    ("hexdump $sp -16", "negative length -16"),
    ("hexdump $sp 0xffffffffffffffff",
     "refusing to dump 18446744073709551615 bytes (more than 64.00MiB); add --force"),
    ("hexdump $sp twelve", "bad length 'twelve': No symbol \"twelve\" in current context."),
    ("hexdump -P '*no-such-region*'", "no region matches '*no-such-region*'"),
    ("hexdump --bogus", "unrecognized arguments: --bogus"),
    ("hexdump $sp 16 extra", "A syntax error in expression, near `16'."),
    ("hexdump $sp +", "bad length '+': A syntax error in expression, near `'."),
    ("hexdump --memory nope 0", "argument --memory: invalid choice: 'nope' (choose from 'auto', 'gdb', "
                                "'procfs', 'vm')"),
])
def test_bad_input_is_one_line_and_gdb_goes_on(gdb, command, message):
    assert gdb.cmd(command) == "hexdump: %s\n" % message
    assert gdb.alive()


def test_colors_with_style_on_and_none_with_style_off(gdb_binary):
    with Target("hexdump_target.py") as target, \
            GdbSession(["-p", str(target.pid)], style=True) as session:
        pages = target.info["pages"]
        expected = hexdump(proc_mem(target.pid, pages, 4096), pages)
        colored = session.cmd("hexdump %d 4096" % pages)
        assert "\x1b[" in colored
        assert session.plain("hexdump %d 4096" % pages) == expected
        session.cmd("set style enabled off")
        assert session.cmd("hexdump %d 4096" % pages) == expected


def test_core_file_dump(python27_binary, tmp_path):
    prefix = str(tmp_path / "core")
    with Target("hexdump_target.py") as target:
        subprocess.run(["gcore", "-o", prefix, str(target.pid)], check=True, capture_output=True)
        pages, page = target.info["pages"], target.info["page"]
        first = proc_mem(target.pid, pages, page)
        third = proc_mem(target.pid, pages + 2 * page, page)
    with GdbSession([python27_binary, "%s.%d" % (prefix, target.pid)]) as session:
        text = session.cmd("hexdump %d 3*4096" % pages)
        assert text == (without_end_line(hexdump(first, pages))
                        + "hexdump: %#x - %#x: cannot read (not mapped)\n" % (pages + page, pages + 2 * page)
                        + hexdump(third, pages + 2 * page))
        assert session.cmd("hexdump 0x10 16") == "hexdump: cannot read 16 bytes at 0x10 (not mapped)\n"


def test_no_colors_when_output_is_not_a_terminal(gdb_binary):
    with Target("hexdump_target.py") as other:
        pages = other.info["pages"]
        result = subprocess.run(
            [gdb_binary, "-nx", "-q", "-batch", "-p", str(other.pid), "-ex", "set style enabled on",
             "-ex", "source " + GDBINIT, "-ex", "hexdump %d 64" % pages],
            capture_output=True, text=True, env=clean_env(), timeout=120)
        assert hexdump(proc_mem(other.pid, pages, 64), pages) in result.stdout
        assert "\x1b[" not in result.stdout
