"""The hard cases of bt --native / py-bt --native / py-list, found by QA:

- the CLI's ptrace must never hold a process longer than its threads take to stop: a thread
  that cannot stop (a vfork parent waits in state D) is read from /proc after a bounded wait;
- SIGTERM or Ctrl-C of the CLI leaves the target neither stopped (``-S``) nor traced; a target
  killed while it is read is one line, so is a zombie;
- glibc's vfork keeps its return address in a register (the caller's stack pointer equals
  the callee's): unwound as gdb unwinds it; a C program's stack ends at ``main`` as in gdb;
- a thread blocked in epoll_wait is not stopped (a stop makes it fail with EINTR, which
  python2.7 does not retry: the thread would die);
- 1,100 nested Python calls (more native frames than the old limit of 2,048) stay paired;
- C code without unwind information ends the CLI's native stack with a note;
- sources: a latin-1 file with form feeds (stdlib files hold them: str.splitlines() numbered
  them wrong), a file changed or removed after the start, a frame far past a file's end,
  py-list ranges past the end or backwards.
"""

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from support.cbuild import build_c, build_extension
from support.gdbsession import GdbSession
from support.paths import ROOT, STRIPPED, clean_env, python27_prefix
from support.target import Target
from test_native import NO_LIBC_DEBUG, blocks

NOCFI_FLAGS = ["-g0", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables"]
#: qa_source.py: latin-1, and form feeds before the line its thread waits on (line 7).
SOURCE = (b"# -*- coding: latin-1 -*-\n"
          b"import thread\n"
          b"\x0c\n"
          b"\x0c\n"
          b"def park():\n"
          b"    lock, label = thread.allocate_lock(), 'caf\xe9'\n"
          b"    lock.acquire(); lock.acquire()  # parked\n")
PARK = "    lock = thread.allocate_lock()\n    lock.acquire()\n    lock.acquire()\n"


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + [str(a) for a in args], cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=120, **kwargs)


def cli_started(*args):
    """The CLI started, with Ctrl-C's default (a background job may have inherited it ignored)."""
    return subprocess.Popen([sys.executable, "-m", "gdb_cpywalker"] + [str(a) for a in args], cwd=ROOT,
                            env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def task_states(pid):
    """``{LWP: (state letter, tracer pid)}`` of every thread of ``pid``."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as handle:
            fields = dict(line.split(":", 1) for line in handle.read().splitlines() if ":" in line)
        out[int(tid)] = (fields["State"].split()[0], int(fields["TracerPid"]))
    return out


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class Vforker:
    """tests/targets/vfork_hold.c: ``tid`` waits in vfork (state D) for ``seconds``."""

    def __init__(self, seconds):
        self.process = subprocess.Popen([build_c("vfork_hold"), str(seconds)], stdout=subprocess.PIPE)
        self.pid = self.process.pid
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        self.tid = int(self.process.stdout.readline().split()[1])
        wait_for(lambda: task_states(self.pid)[self.tid][0] == "D")
        with open("/proc/%d/task/%d/children" % (self.pid, self.tid)) as handle:
            self.child = int(handle.read().split()[0])

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(ProcessLookupError):  # the vfork child, still sleeping
            os.kill(self.child, signal.SIGKILL)
        self.process.wait()
        self.process.stdout.close()


@pytest.fixture
def vforker():
    target = Vforker(600)
    yield target
    target.close()


def test_a_thread_that_cannot_stop_does_not_hold_the_others(vforker):
    result = cli("bt", "-p", vforker.pid, "--native")  # it waited for the child: 600 s, past cli's timeout
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == ("(thread %d did not stop within 1 s (state D): registers from /proc/%d/task/*/syscall)"
                        % (vforker.tid, vforker.pid))
    found = blocks(result.stdout)
    main = [item.name for item in found[vforker.pid][2] if item.kind == "native"]
    assert main[0] == "pause" and main[-1] == "main", found[vforker.pid]  # gdb stops at main too
    stuck = found[vforker.tid][2]
    assert len(stuck) == 2 and stuck[0].name == "vfork" and stuck[1].kind == "note", stuck
    assert stuck[1].line == "  (native stack ends here: cannot unwind pc %#x: register rdi is not known " \
        "in this frame)" % stuck[0].pc
    assert task_states(vforker.pid) == {vforker.pid: ("S", 0), vforker.tid: ("D", 0)}


@pytest.mark.parametrize("sent, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signalled_cli_leaves_the_target_running_and_untraced(vforker, sent, status):
    """-S stops the target and ptrace holds its threads: a SIGTERM (or Ctrl-C) of the CLI
    meanwhile must still send SIGCONT and detach."""
    command = cli_started("bt", "-S", "-p", vforker.pid, "--native")
    wait_for(lambda: task_states(vforker.pid)[vforker.pid][0] in "tT")
    command.send_signal(sent)
    out, err = command.communicate(timeout=30)
    assert command.returncode == status and err == "", err
    assert task_states(vforker.pid) == {vforker.pid: ("S", 0), vforker.tid: ("D", 0)}


def test_a_target_killed_or_dead_is_one_line(vforker):
    command = cli_started("bt", "-p", vforker.pid, "--native")
    wait_for(lambda: task_states(vforker.pid)[vforker.pid][0] == "t")
    vforker.process.kill()
    out, err = command.communicate(timeout=30)
    assert command.returncode == 1 and out == "", out
    assert err == "bt: process %d is gone (killed while its stacks were read)\n" % vforker.pid
    vforker.process.wait()
    zombie = subprocess.Popen(["true"])
    wait_for(lambda: open("/proc/%d/stat" % zombie.pid).read().split(") ")[1][0] == "Z")
    refused = cli("bt", "-p", zombie.pid, "--native").stderr
    assert refused == "bt: process %d is gone (a zombie)\n" % zombie.pid
    zombie.wait()


def test_vfork_and_main_unwind_as_gdb_unwinds_them(tmp_path):
    """On a core (gcore waits for the vfork to end, so the child sleeps 1 s) the CLI's
    unwinder goes through vfork's register-held return address, and stops at main."""
    target = Vforker(1)
    try:
        with GdbSession(NO_LIBC_DEBUG + ["-p", str(target.pid)]) as gdb:
            reference = gdb.cmd("thread apply all bt")
            assert "Saved corefile" in gdb.cmd("gcore %s" % (tmp_path / "vfork.core"))
    finally:
        target.close()
    theirs = {}
    for block in re.split(r"^Thread ", reference, flags=re.M)[1:]:
        lwp = int(re.search(r"\(LWP (\d+)\)", block).group(1))
        theirs[lwp] = [int(pc, 16) for pc in re.findall(r"^#\d+ +0x([0-9a-f]+) in ", block, re.M)]
    result = cli("bt", "--core", tmp_path / "vfork.core", "--native-all")
    assert result.returncode == 0 and "ends here" not in result.stdout, result.stdout
    ours = {lwp: [item.pc for item in items] for lwp, (_, _, items) in blocks(result.stdout).items()}
    assert ours == theirs and len(ours[target.tid]) >= 3


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    """tests/targets/qa_native.py on the stripped python2.7, its modules in a temporary folder:
    qa_changed rewritten and qa_gone removed once it runs."""
    folder = tmp_path_factory.mktemp("modules")
    (folder / "qa_source.py").write_bytes(SOURCE)
    (folder / "qa_changed.py").write_text("import thread\n\n\ndef park():\n" + PARK)
    (folder / "qa_gone.py").write_text("import thread\n\n\ndef park():\n" + PARK)
    (folder / "qa_short.py").write_text("x = 1\n")
    nocfi = build_extension("cnocfi", os.path.join(python27_prefix(), "include", "python2.7"),
                            extra_flags=NOCFI_FLAGS)
    no_pyc = {"PYTHONDONTWRITEBYTECODE": "1"}
    with Target("qa_native.py", [nocfi, str(folder)], stripped=True, env=no_pyc) as target:
        (folder / "qa_changed.py").write_text("# one more line\nimport thread\n\n\ndef park():\n" + PARK)
        later = time.time() + 60  # a deployment after the start (a second after is within the margin)
        os.utime(folder / "qa_changed.py", (later, later))
        os.unlink(folder / "qa_gone.py")
        target.folder = folder
        target.cli = cli("bt", "-p", target.pid, "--native")
        yield target


def test_cli_native_on_the_hard_cases(hard):
    roles = hard.info["roles"]
    assert hard.cli.returncode == 0, hard.cli.stderr
    out = hard.cli.stdout
    assert out.splitlines()[1] == (
        "(thread %d left running: a stop would make its epoll_wait() fail with EINTR, which python2.7 "
        "does not retry (registers from /proc/%d/task/%d/syscall))"
        % (roles["epoll"], hard.pid, roles["epoll"]))
    assert str(roles["epoll"]) in os.listdir("/proc/%d/task" % hard.pid)  # still there
    found = blocks(out)
    epoll = found[roles["epoll"]][2]
    assert epoll[0].annotation.startswith("in epoll_wait(epoll fd ")
    assert [item.function for item in epoll if item.kind == "python"][0] == "t_epoll"
    deep = found[roles["deep"]][2]
    assert sum(item.kind == "python" for item in deep) == 1101 + 5 and "warning" not in str(deep)
    nocfi = found[roles["nocfi"]][2]
    call = [index for index, item in enumerate(nocfi) if item.kind == "native" and item.name == "call"]
    assert call and nocfi[call[0] + 1].line.startswith(
        "  (warning: the native stack ends here (no unwind information for pc %#x in " % nocfi[call[0]].pc)
    assert nocfi[call[0] + 1].line.endswith("cnocfi.so); 4 older Python frames follow without native frames)")
    assert [item.function for item in nocfi[call[0] + 2:]] == ["t_nocfi", "run", "__bootstrap_inner",
                                                                "__bootstrap"]


def test_source_lines_and_py_list(hard):
    roles = hard.info["roles"]
    source = str(hard.folder / "qa_source.py")
    plain = cli("bt", "-p", hard.pid).stdout
    assert '  File "%s", line 7, in park\n    lock.acquire(); lock.acquire()  # parked\n' % source in plain
    with GdbSession(["-p", str(hard.pid)]) as gdb:
        assert '  File "%s", line 7, in park\n    lock.acquire(); lock.acquire()  # parked\n' % source \
            in gdb.cmd("py-bt --thread %d" % roles["source"])
        listing = gdb.cmd("py-list --thread %d" % roles["source"]).replace("\x0c", "")  # the terminal's
        assert listing.splitlines()[1:] == [
            "   2    import thread", "   3    ", "   4    ", "   5    def park():",
            "   6        lock, label = thread.allocate_lock(), 'caf\xe9'",
            "  >7        lock.acquire(); lock.acquire()  # parked"]
        assert gdb.cmd("py-list --thread %d 100" % roles["source"]).splitlines()[1] == (
            "py-list: note: no lines 100 to 110: /proc/%d/root%s has 7 lines" % (hard.pid, source))
        assert gdb.cmd("py-list --thread %d 5,3" % roles["source"]) == "py-list: END 3 is before START 5\n"
        changed = gdb.cmd("py-list --thread %d" % roles["changed"]).splitlines()
        assert changed[1].startswith("py-list: note: /proc/%d/root%s was modified after the process started"
                                     % (hard.pid, hard.folder / "qa_changed.py"))
        assert gdb.cmd("py-list --thread %d" % roles["gone"]).splitlines()[1] == (
            "py-list: note: cannot read %s (looked at /proc/%d/root%s, %s)" % (
                hard.folder / "qa_gone.py", hard.pid, hard.folder / "qa_gone.py", hard.folder / "qa_gone.py"))
        found = gdb.cmd("thread find LWP %d" % roles["huge"])
        number = re.match(r"Thread (\d+) has target id", found).group(1)
        gdb.cmd("thread %s" % number)
        short = hard.folder / "qa_short.py"
        assert gdb.cmd("py-up").startswith('#1 File "%s", line 1000000, in <module>' % short)
        huge = gdb.cmd("py-list")
        assert "py-list: note: /proc/%d/root%s has 1 line but the frame is at line 1000000" % (
            hard.pid, hard.folder / "qa_short.py") in huge
        deep = gdb.cmd("py-bt --native --thread %d" % roles["deep"])
        assert deep.count('in down\n') == 1101 and "warning" not in deep
        os.kill(hard.pid, signal.SIGKILL)  # the last test of the target: a death gdb has not seen yet
        wait_for(lambda: task_states(hard.pid)[hard.pid][0] in "ZX")
        assert gdb.cmd("py-bt --native") == "py-bt: process %d is gone\n" % hard.pid
