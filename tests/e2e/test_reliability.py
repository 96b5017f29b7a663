"""Issue 8 end to end on tests/targets/big_and_long.py: a target killed during a walk (CLI
and gdb, zombie and reaped), mem-info after its death, the CLI's walk/bt/read with each
memory backend forced and with process_vm_readv denied (the automatic fallback), and the
string budget in py-walk, the py-bt family, the pretty-printer and the CLI; bit-flipped
string sizes in a core file."""

import os
import signal
import subprocess
import sys
import time

import pytest

from gdb_cpywalker.target.elf import ElfFile
from support.gdbsession import PROMPT, GdbSession
from support.paths import ROOT, STRIPPED, clean_env
from support.target import Target

FULL = "--max-depth unlimited --max-items unlimited --max-objects unlimited --max-string unlimited"
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: runs the CLI with process_vm_readv denied by seccomp, as in a container
DENIED_CLI = ("import sys; sys.path.insert(0, %r); from support.seccomp import deny_process_vm; "
              "deny_process_vm(); from gdb_cpywalker.memory.vm import ProcessVmMemory; "
              "assert not ProcessVmMemory.available(); from gdb_cpywalker.cli import main; "
              "sys.exit(main(sys.argv[1:]))" % TESTS)


def cli_command(*args, denied=False):
    prefix = ["-c", DENIED_CLI] if denied else ["-m", "gdb_cpywalker"]
    return [sys.executable] + prefix + [str(arg) for arg in args]


def cli(*args, denied=False):
    return subprocess.run(cli_command(*args, denied=denied), cwd=ROOT, env=clean_env(),
                          capture_output=True, text=True, timeout=120)


def wait_for_bytes(path, timeout=60):
    deadline = time.monotonic() + timeout
    while not (os.path.exists(path) and os.path.getsize(path)):
        assert time.monotonic() < deadline, "no output in %s after %d s" % (path, timeout)
        time.sleep(0.005)


def gone_marker(pid):
    return "\n<output incomplete: process %d is gone (killed during the walk)>\n" % pid


def check_cut_json(path, pid):
    text = open(path).read()
    assert text.startswith('{"root":"0x') and text.endswith(gone_marker(pid))
    assert '"kind":"error"' not in text


@pytest.fixture(scope="module")
def small(python27_binary):
    with Target("big_and_long.py", args=("10",)) as target:
        yield target


# -- a target killed during the walk ----------------------------------------------------

@pytest.mark.parametrize("backend, reaped", [("vm", False), ("procfs", False), ("procfs", True)])
def test_cli_walk_stops_at_the_first_read_after_the_target_is_killed(backend, reaped, tmp_path,
                                                                    python27_binary):
    """The killed target stays a zombie until reaped: both count as gone."""
    path = str(tmp_path / "walk.json")
    with Target("big_and_long.py") as target:
        walker = subprocess.Popen(
            cli_command("walk", "-p", target.pid, "--memory", backend, "--format", "json",
                        *FULL.split(), "--output", path, hex(target.info["big"])),
            cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for_bytes(path)
        os.kill(target.pid, signal.SIGKILL)
        if reaped:
            target.process.wait()
        out, err = walker.communicate(timeout=60)
    assert (walker.returncode, out, err) == (
        1, "", "walk: process %d is gone (killed during the walk)\n" % target.pid)
    check_cut_json(path, target.pid)


def test_gdb_walk_stops_when_the_target_is_killed_and_mem_info_says_it_is_gone(tmp_path,
                                                                              gdb_binary):
    path = str(tmp_path / "walk.json")
    with Target("big_and_long.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        pid = target.pid
        gdb.child.sendline("py-walk --format json %s --output %s %#x" % (FULL, path, target.info["big"]))
        wait_for_bytes(path)
        os.kill(pid, signal.SIGKILL)
        gdb.child.expect_exact(PROMPT, timeout=60)
        said = gdb.child.before.replace("\r", "").strip().splitlines()[-1]
        assert said == "py-walk: process %d is gone (killed during the walk)" % pid
        check_cut_json(path, pid)
        assert gdb.cmd("mem-info").strip() == "mem-info: process %d is gone" % pid
        assert gdb.cmd("mem-info %#x" % target.info["big"]).strip() == \
            "mem-info: process %d is gone" % pid
        assert gdb.cmd("py-walk --format repr %#x" % target.info["big"]).strip() == \
            "py-walk: process %d is gone" % pid
        assert gdb.alive()


# -- each memory backend, and the fallback when process_vm_readv is denied -----------------

@pytest.mark.parametrize("backend", ["procfs", "vm", "denied"])
def test_cli_walk_bt_and_read_with_each_memory_backend(small, backend):
    """``--memory procfs`` crashed in walk (its file closed before the renderer read);
    with process_vm_readv denied, ``auto`` falls back to /proc/PID/mem."""
    denied = backend == "denied"
    memory = ["--memory", "auto" if denied else backend]
    info = small.info
    result = cli("walk", "-p", small.pid, *memory, "--format", "repr", "--max-string", "8",
                 hex(info["long_str"]), denied=denied)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "'xxxxxxxx'<9992 more bytes not shown: max-string>\n", "")
    result = cli("walk", "-p", small.pid, *memory, "--format", "tree", hex(info["big"]),
                 denied=denied)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 11, result.stderr
    result = cli("bt", "-p", small.pid, *memory, "--locals", "--width", "0", "--max-string", "5",
                 denied=denied)
    assert result.returncode == 0, result.stderr
    assert "in hold" in result.stdout
    assert "long_str = 'xxxxx'<9995 more bytes not shown: max-string>  (str at %#x)" % \
        info["long_str"] in result.stdout
    result = cli("read", "-p", small.pid, *memory, hex(info["long_str"] + 36), "16", denied=denied)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("|xxxxxxxxxxxxxxxx|")


# -- the string budget ----------------------------------------------------------------------

def test_the_string_budget_shortens_long_strings_in_py_walk_and_the_py_bt_family(small, gdb_binary):
    info = small.info
    with GdbSession(["-p", str(small.pid)]) as gdb:
        assert gdb.cmd("py-walk --format repr %#x" % info["long_str"]).strip() == \
            "'%s'<5904 more bytes not shown: max-string>" % ("x" * 4096)
        assert gdb.cmd("py-walk --format repr %s %#x" % (FULL, info["long_str"])).strip() == \
            "'%s'" % ("x" * 10000)
        assert gdb.cmd("py-walk --format repr --max-string 3 %#x" % info["long_unicode"]).strip() \
            == "u'\\xe9\\xe9\\xe9'<4997 more characters not shown: max-string>"
        assert gdb.cmd("show cpywalker max-string").strip().endswith("is 4096.")
        locals_text = gdb.cmd("py-locals --width 0")
        assert "long_str = '%s'<5904 more bytes not shown: max-string>  (str at %#x)" % (
            "x" * 4096, info["long_str"]) in locals_text
        gdb.cmd("set cpywalker max-string 10")
        try:
            cut = "'xxxxxxxxxx'<9990 more bytes not shown: max-string>"
            assert gdb.cmd("py-print --width 0 long_str").strip() == \
                "long_str = %s  (str at %#x)" % (cut, info["long_str"])
            assert "long_bytes = bytearray(b'zzzzzzzzzz'<5990 more bytes not shown: max-string>)" \
                in gdb.cmd("py-locals --width 0")
            assert "        long_str = %s" % cut in gdb.cmd("py-bt --locals --width 0")
            assert gdb.cmd("print (PyObject *) %#x" % info["long_str"]).strip().endswith(
                "%#x %s" % (info["long_str"], cut))
            gdb.cmd("set cpywalker max-string unlimited")
            assert "long_str = '%s'  (str at" % ("x" * 10000) in gdb.cmd("py-locals --width 0")
        finally:
            gdb.cmd("set cpywalker max-string 4096")


# -- a bit-flipped size in a core file ------------------------------------------------------

def core_segment(core, address):
    """The PT_LOAD segment of the core file that holds ``address``."""
    elf = ElfFile(core)
    try:
        return [s for s in elf.load_segments if s.vaddr <= address < s.vaddr + s.filesz][0]
    finally:
        elf.close()


def patch_core(core, address, value):
    """Write the 8-byte ``value`` at target ``address`` in the core file."""
    segment = core_segment(core, address)
    with open(core, "r+b") as handle:
        handle.seek(segment.offset + address - segment.vaddr)
        handle.write(value.to_bytes(8, "little"))


def test_bit_flipped_string_sizes_in_a_core_are_answered_at_once(stripped_python, gdb_binary,
                                                                 tmp_path):
    """A unicode whose length has bit 40 flipped runs past its region: an error node. A str
    whose ob_size has a high bit flipped but still ends inside its region: cut at
    max-string by default; with every budget unlimited, no longer than the region."""
    core = str(tmp_path / "flipped.core")
    with Target("big_and_long.py", args=("10",), stripped=True) as target:
        with GdbSession(["-p", str(target.pid)]) as gdb:
            assert "Saved corefile" in gdb.cmd("gcore " + core)
        info = target.info
    flipped_length = 5000 | 1 << 40
    patch_core(core, info["long_unicode"] + 16, flipped_length)
    data = info["long_str"] + 36
    segment = core_segment(core, data)
    end = segment.vaddr + segment.filesz
    flipped_size = 10000 | 1 << max(b for b in range(14, 40) if data + (10000 | 1 << b) <= end)
    patch_core(core, info["long_str"] + 16, flipped_size)
    output = str(tmp_path / "str.txt")
    with GdbSession([os.path.join(STRIPPED, "bin", "python2.7"), core]) as gdb:
        start = time.monotonic()
        assert gdb.cmd("py-walk --format repr %#x" % info["long_unicode"]).startswith(
            "<error: implausible unicode length %d (past the readable memory ending at "
            % flipped_length)
        assert gdb.cmd("py-walk --format repr %#x" % info["long_str"]).strip() == \
            "'%s'<%d more bytes not shown: max-string>" % ("x" * 4096, flipped_size - 4096)
        gdb.cmd("py-walk --format repr %s --output %s %#x" % (FULL, output, info["long_str"]))
        assert time.monotonic() - start < 60
        assert flipped_size < os.path.getsize(output) <= 4 * (end - data) + 3
        assert gdb.alive()
