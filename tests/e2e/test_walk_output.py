"""Where py-walk's streamed output goes, as a demanding user sends it: a FIFO with no
reader yet, a reader that stops reading or goes away, Ctrl-C in gdb in the middle of a
walk (gdb stays usable, a file says it is cut), and the CLI piped into ``head``."""

import os
import signal
import subprocess
import threading
import time

import pytest

from support.gdbsession import PROMPT, GdbSession
from support.paths import ROOT, clean_env
from support.target import Target

FULL = "--max-depth unlimited --max-items unlimited --max-objects unlimited --max-string unlimited"


@pytest.fixture(scope="module")
def attached(python27_binary, gdb_binary):
    with Target("big_and_long.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        yield target, gdb


def interrupted(gdb, command, before_interrupt):
    """Run ``command``, call ``before_interrupt()``, press Ctrl-C; the last line said."""
    gdb.child.sendline(command)
    before_interrupt()
    gdb.child.sendintr()
    gdb.child.expect_exact(PROMPT, timeout=30)
    return last_line(gdb)


def last_line(gdb):
    """The last line gdb printed before its prompt (without the ^C the terminal echoes)."""
    return gdb.child.before.replace("\r", "").strip().splitlines()[-1].replace("^C", "")


def test_ctrl_c_in_gdb_interrupts_a_walk_to_the_screen_or_a_file(attached, tmp_path):
    target, gdb = attached
    walk = "py-walk --format json %s %%s %#x" % (FULL, target.info["big"])
    said = interrupted(gdb, walk % "", lambda: gdb.child.expect_exact('"nodes":{'))
    assert said == "py-walk: interrupted"
    path = tmp_path / "cut.json"
    said = interrupted(gdb, walk % ("--output %s" % path),
                       lambda: wait_until(lambda: path.exists() and path.stat().st_size))
    assert said == "py-walk: interrupted"
    assert path.read_text().endswith("\n<output incomplete: interrupted>\n")
    assert gdb.alive()


def test_a_fifo_is_written_once_read_and_ctrl_c_ends_any_wait_for_its_reader(attached, tmp_path):
    """open() of a FIFO without a reader blocked gdb for good (Ctrl-C did nothing), and
    a FIFO made every walk end in 'underlying stream is not seekable'."""
    target, gdb = attached
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    walk = "py-walk --format json %s --output %s %#x" % (FULL, fifo, target.info["big"])
    # nobody reads it yet
    assert interrupted(gdb, walk, lambda: time.sleep(0.5)) == "py-walk: interrupted"
    # a reader that stops reading: gdb waits for it, and Ctrl-C ends the wait
    stalled = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert interrupted(gdb, walk, lambda: time.sleep(1)) == "py-walk: interrupted"
    finally:
        os.close(stalled)
    # a reader that goes away
    gone = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    gdb.child.sendline(walk)
    time.sleep(0.5)
    os.close(gone)
    gdb.child.expect_exact(PROMPT, timeout=60)
    said = last_line(gdb)
    assert said.startswith("py-walk: cannot write %s: Broken pipe (after " % fifo), said
    # a reader that takes everything
    received = []
    reader = threading.Thread(target=lambda: received.append(len(open(fifo, "rb").read())))
    reader.start()
    said = gdb.cmd("py-walk --format repr --max-items 5 --output %s %#x" % (fifo, target.info["big"]))
    reader.join(30)
    assert said == "py-walk: wrote %d bytes to %s\n" % (received[0], fifo)
    assert gdb.alive()


def test_cli_walk_piped_into_head_stops_quietly(attached):
    """``walk ... | head -1`` said 'walk: [Errno 32] Broken pipe' and exited 1."""
    target, _ = attached
    walk = subprocess.Popen(
        ["python3", "-m", "gdb_cpywalker", "walk", "-p", str(target.pid), "--format", "tree",
         *FULL.split(), hex(target.info["big"])],
        cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert walk.stdout.readline().startswith(b"0x")
    walk.stdout.close()  # what head does after its line
    assert walk.wait(60) == 0
    assert walk.stderr.read() == b""


def wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
