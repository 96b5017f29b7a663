"""The CLI on hostile core files, found by QA (a header fuzz of real gcore and kernel cores):
every damaged header is one line or a readable core, never an internal error; a core taken
before the interpreter exists still shows its native frames, as gdb does."""

import os
import struct
import subprocess
import sys

import pytest

from support.gdbsession import GdbSession
from support.paths import ROOT, STRIPPED, clean_env
from support.target import Target
from test_native import NO_LIBC_DEBUG

PYTHON = os.path.join(STRIPPED, "bin", "python2.7")


def cli(*args):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + [str(a) for a in args], cwd=ROOT,
                            env=clean_env(), capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def core(tmp_path_factory):
    """A gcore core of tests/targets/idle.py on the stripped python2.7 (one malloc arena: small)."""
    folder = tmp_path_factory.mktemp("core")
    with Target("idle.py", stripped=True, env={"MALLOC_ARENA_MAX": "1"}) as target:
        subprocess.run(["gcore", "-o", str(folder / "idle"), str(target.pid)], check=True,
                       capture_output=True)
        return str(folder / ("idle.%d" % target.pid)), target.info


def damaged(source, folder, name, edits):
    data = bytearray(open(source, "rb").read())
    for offset, layout, value in edits(data):
        struct.pack_into(layout, data, offset, value)
    path = folder / name
    path.write_bytes(data)
    return path


def first_load(data):
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phnum, = struct.unpack_from("<H", data, 0x38)
    return next(phoff + index * 56 for index in range(phnum)
                if struct.unpack_from("<I", data, phoff + index * 56)[0] == 1)


#: name -> (the edits, the command that reads what they damage)
DAMAGE = {
    "program headers at 2^63": (lambda data: [(0x20, "<Q", 1 << 63)], "bt"),
    "65535 sections of garbage": (lambda data: [(0x28, "<Q", 64), (0x3A, "<H", 64), (0x3C, "<H", 0xFFFF)],
                                  "bt"),
    "section table at 2^63": (lambda data: [(0x28, "<Q", 1 << 63), (0x3C, "<H", 1)], "bt"),
    "a segment's data at 2^63": (lambda data: [(first_load(data) + 8, "<Q", (1 << 63) + 5)], "heap"),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damaged_headers_are_one_line_or_read(core, tmp_path, name):
    """Each was an internal error (OverflowError, MemoryError) before."""
    edits, command = DAMAGE[name]
    code, out, err = cli(command, "--native" if command == "bt" else "--limit=3", "--core",
                         damaged(core[0], tmp_path, "damaged", edits))
    assert code in (0, 1) and "internal error" not in err and "Traceback" not in err, err
    assert all(line.startswith(command + ": ") for line in err.splitlines()), err
    assert code == 0 or len(err.splitlines()) == 1, err


def test_a_core_of_a_python_not_started_yet_shows_its_native_frames(tmp_path):
    """Stopped at Py_Initialize: no interpreter. bt --native says so and shows the native
    frames, as py-bt --native does in gdb on the same core (it was 'no Python interpreter
    found' and nothing else)."""
    path = str(tmp_path / "early.core")
    subprocess.run(["gdb", "-nx", "-batch", "-ex", "set environment PYTHONHOME=" + STRIPPED,
                    "-ex", "set environment LD_LIBRARY_PATH=" + os.path.join(STRIPPED, "lib"),
                    "-ex", "set breakpoint pending on", "-ex", "break Py_Initialize", "-ex", "run -c pass",
                    "-ex", "gcore " + path, "-ex", "kill", PYTHON],
                   env=clean_env(), capture_output=True, timeout=120)
    assert os.path.exists(path)
    code, out, err = cli("bt", "--core", path, "--native")
    assert code == 0 and err == "", err
    lines = out.splitlines()
    assert lines[1].startswith("No Python interpreter (no Python interpreter found (") and lines[1].endswith(
        "): native frames only")
    assert lines[5].startswith("#0  0x") and " in Py_Initialize () from " in lines[5], out
    assert lines[-1].endswith(" in main ()") or " in _start ()" in lines[-1], out
    with GdbSession(NO_LIBC_DEBUG + [PYTHON, path]) as gdb:
        theirs = gdb.cmd("py-bt --native")
    ours = "\n".join(lines[1:]) + "\n"
    assert theirs.replace("[gdb thread 1, LWP", "[LWP") == ours
