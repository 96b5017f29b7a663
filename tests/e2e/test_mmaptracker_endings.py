"""How a tracking session ends: exit statuses as strace gives them, programs killed while their
threads map memory (run and attach), refused log paths (FIFO), a full disk, nothing to run."""

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from support.cbuild import build_c
from support.paths import ROOT, clean_env
from gdb_cpywalker.tracking.log import read_log
from test_mmaptracker import SCRIPT, track

ATTACH_RUNS = 2


def assert_clean_end(result, log, signal_number, cwd):
    """gdb quit by itself with 128+N, said how the program died, and left no trace of its own."""
    name = signal.Signals(signal_number).name
    output = result.stdout + result.stderr
    assert result.returncode == 128 + signal_number, output[-3000:]
    for trouble in ("Traceback", "internal-error", "Cannot find user-level thread", "(gdb)"):
        assert trouble not in output
    run, = read_log(str(log))
    assert run.end == "events=%d killed by signal %d (%s)" % (len(run.events), signal_number, name)
    assert "mmaptracker: %d events logged to %s (program killed by signal %d (%s))" % (
        len(run.events), log, signal_number, name) in result.stdout
    assert len({event.tid for event in run.events}) >= 2
    assert not [name for name in os.listdir(str(cwd)) if name.startswith("core")]


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGABRT, signal.SIGKILL, signal.SIGINT])
def test_a_multithreaded_program_killed_while_tracked(tmp_path, gdb_binary, signal_number):
    """SIGINT too: without a terminal no one can 'continue' after gdb stops for it, so it is the
    program's (gdb used to stop, read end of file and kill the program: status 0, 'killed')."""
    log = tmp_path / "killed.log"
    result = track(tmp_path, [build_c("mmap_killed"), str(int(signal_number))], log)
    assert_clean_end(result, log, signal_number, tmp_path)


def test_an_attached_program_killed_while_tracked(tmp_path, gdb_binary):
    for attempt in range(ATTACH_RUNS):
        log = tmp_path / ("attached-%d.log" % attempt)
        program = subprocess.Popen([build_c("mmap_killed"), str(int(signal.SIGKILL)), "wait"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=clean_env())
        try:
            info = json.loads(program.stdout.readline())
            gdb = subprocess.Popen(["gdb", "-nx", "-q", "-p", str(info["pid"]), "-x", SCRIPT],
                                   cwd=str(tmp_path), env=clean_env(MMAPTRACKER_LOG=str(log)),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            seen = []
            for line in gdb.stdout:
                seen.append(line)
                if line.startswith("mmaptracker: logging memory-mapping calls to"):
                    break
            program.stdin.write(b"go\n")
            program.stdin.close()
            rest, errors = gdb.communicate(timeout=120)
        finally:
            program.kill()
            program.wait()
        result = subprocess.CompletedProcess(gdb.args, gdb.returncode, "".join(seen) + rest, errors)
        assert_clean_end(result, log, signal.SIGKILL, tmp_path)
        assert read_log(str(log))[0].mode == "attach"


@pytest.mark.parametrize("status", [0, 3, 2])
def test_gdb_exits_with_the_programs_own_status(tmp_path, gdb_binary, status):
    log = tmp_path / "status.log"
    result = track(tmp_path, ["/bin/sh", "-c", "exit %d" % status], log)
    assert result.returncode == status, result.stderr
    run, = read_log(str(log))
    assert run.end == "events=%d exited with code %d" % (len(run.events), status)


def test_nothing_to_run_is_the_trackers_own_failure(tmp_path, gdb_binary):
    nothing = subprocess.run(["gdb", "-nx", "-q", "-x", SCRIPT], cwd=str(tmp_path),
                             env=clean_env(MMAPTRACKER_LOG=str(tmp_path / "nothing.log")),
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    missing = track(tmp_path, [str(tmp_path / "missing")], tmp_path / "nothing.log")
    for result in (nothing, missing):
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == ("mmaptracker: nothing to run: use gdb -x mmaptracker.gdb "
                                                  "--args APP [ARGS], or gdb -p PID -x mmaptracker.gdb")
        assert not (tmp_path / "nothing.log").exists()


def test_a_fifo_at_the_log_path_is_refused_at_once(tmp_path, gdb_binary):
    fifo = tmp_path / "mmaptracker.log"
    os.mkfifo(str(fifo))
    result = track(tmp_path, [build_c("mmap_calls")], fifo, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mmaptracker: %s is not a regular file (a FIFO): refusing to log there" % fifo]
    assert '{"pid"' not in result.stdout

    cli = subprocess.run([sys.executable, "-m", "gdb_cpywalker", "origins", "-p", str(os.getpid()),
                          "--log", str(fifo)], cwd=ROOT, env=clean_env(), capture_output=True,
                         text=True, timeout=60)
    assert (cli.returncode, cli.stdout) == (1, "")
    assert cli.stderr == "origins: %s is not a regular file (a FIFO): refusing to read a log from it\n" % fifo

    program = subprocess.Popen([build_c("mmap_calls"), "wait"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, env=clean_env())
    try:
        info = json.loads(program.stdout.readline())
        inside = subprocess.run(["gdb", "-nx", "-q", "-batch", "-p", str(info["pid"]),
                                 "-ex", "source " + os.path.join(ROOT, "gdb_cpywalker", "gdbinit.py"),
                                 "-ex", "mmap-origins --log %s" % fifo],
                                env=clean_env(), stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=60)
    finally:
        program.kill()
        program.wait()
    assert "mmap-origins: %s is not a regular file (a FIFO): refusing to read a log from it\n" % fifo \
        in inside.stderr
    assert "Traceback" not in inside.stderr + inside.stdout


@pytest.fixture
def tiny_disk(tmp_path):
    """A 16 KiB tmpfs (the tests run as root)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_keeps_whole_records_and_says_so(tmp_path, tiny_disk, gdb_binary):
    log = tiny_disk / "full.log"
    result = track(tmp_path, [build_c("mmap_pairs"), "200"], log)
    assert result.returncode == 0, result.stderr
    text = log.read_text()
    run, = read_log(str(log))
    kept = len(run.events)
    assert 5 < kept < 400 and text.count("\n#") == kept and text.endswith("\n")
    assert run.end == "events=%d exited with code 0 (log incomplete: No space left on device)" % kept
    assert ("mmaptracker: %d events logged to %s (log incomplete: No space left on device; program "
            "exited with code 0)" % (kept, log)) in result.stdout
    said = re.search(r"mmaptracker: cannot write the log %s: No space left on device; it ends at its "
                     r"last whole record \((\d+) events\), tracking goes on in memory" % re.escape(str(log)),
                     result.stderr)
    assert said and int(said.group(1)) >= kept  # records may be dropped after it, to fit the end line
    assert [e.seq for e in run.events] == list(range(1, kept + 1))
