"""QA findings in the CLI (``python3 -m gdb_cpywalker``) on a real python2.7: every bad
input is one line ``COMMAND: message`` on stderr and a non-zero status, never a traceback
or a usage block; ``-S`` on a process we may not signal says so."""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from support.paths import ROOT, clean_env
from support.target import Target


def cli(*args, user=None, cwd=ROOT):
    command = ["-m", "gdb_cpywalker"] + [str(arg) for arg in args]
    if user is None:
        command = [sys.executable] + command
    else:  # the system python3: another user may not enter root's virtualenv
        command = ["runuser", "-u", user, "--", "python3"] + command
    return subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=60)


def readable_copy(folder):
    """A copy of the package another user can import (the checkout may sit in a private directory)."""
    shutil.copytree(os.path.join(ROOT, "gdb_cpywalker"), os.path.join(folder, "gdb_cpywalker"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    for path, folders, files in os.walk(folder):
        os.chmod(path, 0o755)
        for name in files:
            os.chmod(os.path.join(path, name), 0o644)
    return folder


def refused(result, command):
    """One ``COMMAND: ...`` line on stderr, nothing on stdout, a non-zero status."""
    assert result.returncode != 0, result
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(command + ": "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def target(python27_binary):
    with Target("idle.py") as held:
        yield held


@pytest.mark.parametrize("args, message", [
    (["info", "--min-size", "abc"], "not a size: 'abc'"),
    (["info", "--min-size", "-1"], "not a size: '-1'"),
    (["read", "0x1000", "abc"], "not a size: 'abc'"),
    (["read", "0x1000", "-5"], "not a size: '-5'"),
    (["read", "0x1000", "1.5"], "not a whole number of bytes"),
    (["read", "-P", "[heap]", "--max-bytes", "lots"], "not a size: 'lots'"),
    (["walk", "0x1000", "--max-depth", "-1"], "expected a number >= 0"),
    (["walk", "0x1000", "--format", "xml"], "invalid choice: 'xml'"),
    (["bt", "--thread", "zz"], "--thread"),
    (["bt", "--width", "-3"], "argument --width: expected a number >= 0"),
    (["info", "--bogus"], "unrecognized arguments: --bogus"),
    (["walk", "-1"], "not an address: '-1'"),
    (["walk", str(1 << 64)], "not an address"),
])
def test_bad_arguments_are_one_line(target, args, message):
    line = refused(cli(args[0], "-p", target.pid, *args[1:]), args[0])
    assert message in line, line


def test_missing_pid_is_one_line():
    line = refused(cli("statm"), "statm")
    assert "-p/--pid" in line


def test_output_that_cannot_be_written(target, tmp_path):
    missing = tmp_path / "no" / "dir" / "out.json"
    line = refused(cli("walk", "-p", target.pid, target.info["marker_id"], "--output", missing), "walk")
    assert line == "walk: cannot write %s: No such file or directory" % missing


def test_stop_a_process_we_may_not_signal():
    """``-S`` needs to send SIGSTOP: refused in one line for another user's process."""
    package = ROOT
    if os.geteuid() == 0:
        package = readable_copy(tempfile.mkdtemp(prefix="cpywalker-other-user-"))
        other = subprocess.Popen(["runuser", "-u", "nobody", "--", "sleep", "600"])
        user = "daemon"
    else:
        other, user = None, None
    try:
        pid = other.pid if other else 1
        if other:  # runuser forks: the sleep is its child
            for _ in range(100):
                children = open("/proc/%d/task/%d/children" % (pid, pid)).read().split()
                if children:
                    pid = int(children[0])
                    break
                subprocess.run(["sleep", "0.05"])
        for command in ("statm", "info"):
            line = refused(cli(command, "-S", "-p", pid, user=user, cwd=package), command)
            assert line == "%s: cannot stop process %d: Operation not permitted" % (command, pid)
    finally:
        if other:
            if pid != other.pid:
                os.kill(pid, 9)
            other.wait()
        if package != ROOT:
            shutil.rmtree(package)


@pytest.mark.parametrize("args", [["--debug", "info"], ["info", "--debug"]])
def test_debug_before_or_after_the_subcommand_shows_the_traceback(args):
    result = cli(*args, "-p", 2 ** 22 + 1)
    assert result.returncode == 1
    assert result.stderr.startswith("Traceback (most recent call last):"), result.stderr
    assert result.stderr.splitlines()[-1].startswith("info: cannot read /proc/")
