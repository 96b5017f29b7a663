"""mmaptracker.gdb on live processes: attaching, Ctrl-C then mmap-origins, the CLI origins."""

import json
import os
import subprocess
import sys

import pexpect

from support.cbuild import build_c
from support.gdbsession import PROMPT
from support.paths import ROOT, clean_env
from gdb_cpywalker.tracking.log import read_log

SCRIPT = os.path.join(ROOT, "mmaptracker.gdb")
PAGE = 4096
NO_RECORD = "no logged call created it"


def cli_origins(pid, log, *address):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker", "origins", "-p", str(pid),
                             "--log", str(log)] + [hex(a) for a in address],
                            cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_attach_tracks_from_then_on_and_quits_when_the_program_exits(tmp_path, gdb_binary):
    log = tmp_path / "attach.log"
    program = subprocess.Popen([build_c("mmap_calls"), "wait"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, env=clean_env())
    try:
        info = json.loads(program.stdout.readline())
        gdb = subprocess.Popen(["gdb", "-nx", "-q", "-p", str(program.pid), "-x", SCRIPT],
                               env=clean_env(MMAPTRACKER_LOG=str(log)), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in gdb.stdout:
            if line.startswith("mmaptracker: logging memory-mapping calls to %s" % log):
                break
        program.stdin.write(b"go\n")
        program.stdin.close()
        rest, errors = gdb.communicate(timeout=120)
        assert gdb.returncode == 0, errors
    finally:
        program.kill()
        program.wait()
    run, = read_log(str(log))
    assert (run.pid, run.mode) == (info["pid"], "attach")
    late, = [e for e in run.events if e.name == "mmap" and e.args[1] == 13 * PAGE]
    assert any(" in map_pages () at " in frame for frame in late.frames)
    assert " in main () at " in late.frames[-1]
    assert not [e for e in run.events if e.name == "mmap" and e.args[1] == 5 * PAGE]
    assert "mmaptracker: %d events logged to %s (program exited with code 0)" % (len(run.events), log) in rest


def region_blocks(text):
    """Each region row with the lines under it (they are indented)."""
    blocks = []
    for line in text.splitlines():
        if line.startswith(" "):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


class Session:
    """gdb running mmaptracker.gdb in a terminal, as a user would."""

    def __init__(self, log, args):
        """``args``: the program and its arguments, or ``["-p", PID]`` to attach."""
        self.child = pexpect.spawn("gdb", ["-nx", "-q", "-iex", "set prompt " + PROMPT, "-x", SCRIPT]
                                   + (args if args[0] == "-p" else ["--args"] + args),
                                   env=clean_env(MMAPTRACKER_LOG=str(log), TERM="dumb"), cwd="/",
                                   encoding="utf-8", timeout=120, dimensions=(50, 400))

    def cmd(self, line):
        self.child.sendline(line)
        self.child.expect_exact(PROMPT)
        out = self.child.before.replace("\r\n", "\n")
        return out[len(line):].lstrip("\n") if out.startswith(line) else out

    def close(self):
        self.child.sendline("kill")
        self.child.sendline("quit")
        self.child.expect(pexpect.EOF)
        self.child.close()


def test_interrupt_then_origins_inside_gdb_and_from_the_cli(tmp_path, gdb_binary):
    log = tmp_path / "live.log"
    session = Session(log, [build_c("mmap_calls"), "wait"])
    try:
        session.child.expect(r'\{"pid"[^\r\n]*\}')
        info = json.loads(session.child.match.group(0))

        outside = cli_origins(info["pid"], log, info["nested"])
        assert "created by #" in outside and "mmap(NULL, 20480, PROT_READ|PROT_WRITE" in outside
        assert "in outer_function () at" in outside
        everything = cli_origins(info["pid"], log)
        stack, = [block for block in region_blocks(everything) if block[0].endswith("[stack]")]
        assert stack[1] == "  " + NO_RECORD + " (mapped at exec, by the kernel, or before tracking began)"
        nested, = [block for block in region_blocks(everything) if "20480" in "".join(block)]
        assert any("in outer_function () at" in line for line in nested)

        session.child.sendintr()
        session.child.expect_exact(PROMPT)
        assert "still tracked" in session.child.before

        nested = session.cmd("mmap-origins %d" % info["nested"])
        assert "mmap(NULL, 20480, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#x" \
            % info["nested"] in nested
        assert nested.index("map_pages") < nested.index("middle_function") < nested.index("outer_function")

        after_hole = session.cmd("mmap-origins %d" % (info["partial"] + 2 * PAGE))
        assert "mmap(NULL, 16384," in after_hole
        hole = session.cmd("mmap-origins %d" % (info["partial"] + PAGE))
        assert "mmap(NULL, 16384," not in hole

        protected = session.cmd("mmap-origins %d" % (info["split"] + PAGE))
        assert "mmap(NULL, 12288," in protected
        assert "then #" in protected and "mprotect(%#x, 4096, PROT_READ) = 0" % (info["split"] + PAGE) in protected

        moved = session.cmd("mmap-origins %d" % (info["remapped"] + PAGE))
        assert "created by #" in moved and "mmap(NULL, 24576," in moved
        assert "then #" in moved and "mremap(" in moved
        grown = session.cmd("mmap-origins %d" % (info["remapped"] + 8 * PAGE))
        assert "created by #" in grown and "mremap(" in grown.split("created by")[1].split("\n")[0]

        threaded = session.cmd("mmap-origins %d" % info["thread"])
        assert "in thread_maps () at" in threaded

        report = json.loads(session.cmd("mmap-report --format json"))
        nested, = [site for site in report["sites"] if any("outer_function" in f for f in site["native"])]
        assert (nested["python"], nested["calls"], nested["live_bytes"]) == ([], 1, 5 * PAGE)
        assert "rss_bytes" in nested  # the live process's smaps
        by_function = json.loads(session.cmd("mmap-report --group-by native-function --format json"))
        map_pages, = [site for site in by_function["sites"] if " in map_pages () at " in "".join(site["native"][2:3])]
        # nested 5 + partial 4-1 + split 3 + the 6 pages mremap moved (the 4 it grew are main's) + thread 9
        assert (map_pages["calls"], map_pages["live_bytes"]) == (5, 26 * PAGE)
        assert session.cmd("mmap-report -o /dev/full").strip().startswith(
            "mmap-report: cannot write /dev/full: No space left on device")  # was an internal error

        table = session.cmd("mem-info --origins")
        row, = [line for line in table.splitlines() if line.startswith("%012x-" % info["file"])]
        column = row.split("  ")[-1]
        assert column.startswith("#") and column.endswith(" mmap from main")
        stack_row, = [line for line in table.splitlines() if "[stack]" in line]
        assert stack_row.endswith("[stack]  -")

        switched = tmp_path / "switched.log"
        assert "mmaptracker: logging to %s" % switched in session.cmd("set mmaptracker log %s" % switched)
        assert session.cmd("show mmaptracker log").strip() == "mmaptracker logs to %s." % switched
        before_switch, = read_log(str(log))
        session.child.sendline("continue")
        session.child.expect_exact("Continuing.")
        session.child.sendline("go")
        session.child.expect(r"mmaptracker: (\d+) events logged to " + str(switched))
        logged = int(session.child.match.group(1))
        session.child.expect_exact(PROMPT)
        run, = read_log(str(switched))
        assert logged == len(run.events) and run.events[:len(before_switch.events)] == before_switch.events
        assert [e for e in run.events if e.name == "mmap" and e.args[1] == 13 * PAGE]
    finally:
        session.close()


def attached_and_interrupted(tmp_path):
    """A waiting mmap_calls program, a Session attached to it, stopped by Ctrl-C."""
    log = tmp_path / "attached.log"
    program = subprocess.Popen([build_c("mmap_calls"), "wait"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, env=clean_env())
    json.loads(program.stdout.readline())
    session = Session(log, ["-p", str(program.pid)])
    session.child.expect_exact("mmaptracker: logging memory-mapping calls to %s" % log)
    session.child.sendintr()
    session.child.expect_exact("still tracked")
    session.child.expect_exact(PROMPT)
    return program, session, log


def test_detach_says_detached_not_exited_and_the_program_goes_on(tmp_path, gdb_binary):
    program, session, log = attached_and_interrupted(tmp_path)
    try:
        out = session.cmd("detach")
        assert "mmaptracker: detached after 0 events, logged to %s\n" % log in out
        assert "exited" not in out
        run, = read_log(str(log))
        assert run.end == "events=0 detached"
        program.stdin.write(b"go\n")
        program.stdin.close()
        assert program.wait(timeout=60) == 0  # it ran on, untracked: its last mmap is not logged
        assert read_log(str(log))[0].events == []
        session.child.sendline("quit")
        session.child.expect(pexpect.EOF)
        session.child.close()
        assert session.child.exitstatus == 0
    finally:
        program.kill()
        program.wait()


def test_continue_after_interrupt_ends_as_without_it(tmp_path, gdb_binary):
    program, session, log = attached_and_interrupted(tmp_path)
    try:
        session.child.sendline("continue")
        session.child.expect_exact("Continuing.")
        program.stdin.write(b"go\n")
        program.stdin.close()
        session.child.expect_exact("mmaptracker: 1 events logged to %s (program exited with code 0)" % log)
        session.child.expect(pexpect.EOF)
        session.child.close()
        assert session.child.exitstatus == 0
        run, = read_log(str(log))
        assert run.end == "events=1 exited with code 0"
        assert [(e.name, e.args[1]) for e in run.events] == [("mmap", 13 * PAGE)]
    finally:
        program.kill()
        program.wait()
