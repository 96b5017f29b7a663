"""Corrupted cores stay a guard: seeded bit flips in the writable memory of a core file of
the stripped python2.7, and one gdb session per core running what a user runs on a crash.

``flipped`` flips N random bits (seeded) in the data pages of a core's writable PT_LOAD
segments, in place and undone afterwards; ``run_session`` runs every command in one ``gdb -batch`` and ``judge`` lists what
went wrong: an internal error, a Python traceback, an error of more than one line, gdb
dying, or the session taking longer than its limit.
"""

import contextlib
import os
import random
import re
import shutil
import subprocess
import time
from collections import namedtuple

from gdb_cpywalker.target.elf import ElfFile

from .paths import BUILD, GDBINIT, ROOT, STRIPPED, clean_env

#: Where a failing corrupted core is kept (with the target's executable it reproduces).
FAILURES = os.path.join(BUILD, "fuzz-failures")

PF_W = 2
PAGE = 4096
#: The longest a whole session may take (the issue's bound).
SESSION_LIMIT = 60
UNLIMITED = ("--max-depth unlimited --max-items unlimited --max-objects unlimited"
             " --max-string unlimited")
_MARK = "@@@ "
#: Lines that only a bug prints (target data is inside quotes or JSON strings, never at a
#: line start in these forms).
_BUG = re.compile(r'^(\S+: internal error: .*|\s*File "[^"]*gdb_cpywalker/[^"]*", line \d+.*|'
                  r"Python Exception <.*|.*A problem internal to GDB has been detected.*|Fatal signal.*)$",
                  re.M)

Session = namedtuple("Session", "seconds returncode sections timed_out")


def reproducible(argv, env):
    """A ``Target`` launcher for the fuzz target: no address randomization (the same seed
    flips the same fields run after run) and one malloc arena (a core of a few MB)."""
    return ["setarch", "x86_64", "-R"] + argv, dict(env, MALLOC_ARENA_MAX="1")


def stripped_python():
    return os.path.join(STRIPPED, "bin", "python2.7")


def commands(root):
    """What the fuzz runs on each core, ``root`` the target's ROOT list (see fuzz_state.py)."""
    return ["py-threads", "py-bt --locals", "py-locals", "py-globals", "mem-info",
            "py-walk --format repr %s %#x" % (UNLIMITED, root),
            "py-walk --format json %s %#x" % (UNLIMITED, root)]


def gcore(pid, path):
    """A core file of the live ``pid`` at ``path``, written by gdb's gcore."""
    result = subprocess.run(["gdb", "-nx", "-q", "-batch", "-p", str(pid), "-ex", "gcore " + path],
                            env=clean_env(), capture_output=True, text=True, timeout=120)
    if not os.path.exists(path):
        raise RuntimeError("gcore failed: %s" % result.stderr)
    return path


def writable_spans(core):
    """``[(file offset, size)]`` of the core's writable PT_LOAD segments that have bytes."""
    elf = ElfFile(core)
    try:
        return [(segment.offset, segment.filesz) for segment in elf.load_segments
                if segment.flags & PF_W and segment.filesz]
    finally:
        elf.close()


def data_spans(core):
    """``[(file offset, size)]`` of the pages of writable memory that hold data (not all
    zero): most of a small python's writable memory is untouched thread stack, where a flip
    tests nothing."""
    out = []
    with open(core, "rb") as handle:
        for offset, size in writable_spans(core):
            handle.seek(offset)
            data = handle.read(size)
            for page in range(0, len(data), PAGE):
                if data[page:page + PAGE].count(0) == len(data[page:page + PAGE]):
                    continue
                if out and out[-1][0] + out[-1][1] == offset + page:
                    out[-1] = (out[-1][0], out[-1][1] + min(PAGE, len(data) - page))
                else:
                    out.append((offset + page, min(PAGE, len(data) - page)))
    return out


def flip_positions(spans, flips, seed):
    """``flips`` random (file offset, bit) pairs (``seed``) spread evenly over ``spans``."""
    total = sum(size for _, size in spans)
    rng = random.Random(seed)
    out = []
    for _ in range(flips):
        position = rng.randrange(total)
        for offset, size in spans:
            if position < size:
                break
            position -= size
        out.append((offset + position, rng.randrange(8)))
    return out


@contextlib.contextmanager
def flipped(core, spans, flips, seed):
    """The core file with ``flips`` bits flipped (``seed``) in ``spans`` (``data_spans``), in
    place and restored on exit (no copy per seed)."""
    positions = flip_positions(spans, flips, seed)
    _xor(core, positions)
    try:
        yield positions
    finally:
        _xor(core, positions)


def _xor(core, positions):
    with open(core, "r+b") as handle:
        for offset, bit in positions:
            handle.seek(offset)
            byte = handle.read(1)[0]
            handle.seek(offset)
            handle.write(bytes([byte ^ 1 << bit]))


def keep(core, folder, name):
    """Copy ``core`` (while flipped) to ``folder``/``name`` for a look at a failure; its path."""
    os.makedirs(folder, exist_ok=True)
    dest = os.path.join(folder, name)
    shutil.copyfile(core, dest)
    return dest


def run_session(core, lines, limit=SESSION_LIMIT, executable=None):
    """Run ``lines`` in one ``gdb -batch`` on ``core``: ``Session`` with each command's output."""
    args = ["gdb", "-nx", "-q", "-batch", "-iex", "set pagination off", "-iex", "set width 0",
            executable or stripped_python(), core, "-ex", "source " + GDBINIT]
    for line in lines:
        args += ["-ex", "echo %s%s\\n" % (_MARK, line), "-ex", line]
    start = time.monotonic()
    try:
        result = subprocess.run(args, cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=limit)
        output, returncode, timed_out = result.stdout, result.returncode, False
    except subprocess.TimeoutExpired as expired:
        output, returncode, timed_out = expired.stdout or b"", None, True
    seconds = time.monotonic() - start
    return Session(seconds, returncode, _sections(output.decode("utf-8", "replace")), timed_out)


def _sections(text):
    """``{command: its output}`` from the marked session output (the preamble under '')."""
    sections = {}
    current = ""
    for line in text.splitlines(keepends=True):
        if line.startswith(_MARK):
            current = line[len(_MARK):].rstrip("\n")
            sections[current] = ""
        else:
            sections[current] = sections.get(current, "") + line
    return sections


def judge(session, lines):
    """What went wrong in ``session`` (empty when all is well): one string per problem."""
    problems = []
    if session.timed_out:
        problems.append("session took more than %d s" % SESSION_LIMIT)
    elif session.returncode is None or session.returncode < 0 or session.returncode > 1:
        problems.append("gdb exited with status %s" % session.returncode)
    for line in lines:
        if line not in session.sections:
            if not session.timed_out:
                problems.append("%s: never ran" % line)
            continue
        output = session.sections[line]
        command = line.split()[0]
        bug = _BUG.search(output)
        if bug:
            problems.append("%s: %s" % (line, bug.group(0)))
        said = [text for text in output.splitlines() if not text.startswith(command + ": note: ")]
        if any(text.startswith(command + ": ") for text in said) and len(said) != 1:
            problems.append("%s: an error of %d lines: %r" % (line, len(said), output[:300]))
    return problems
