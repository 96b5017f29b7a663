"""bench_core: the CLI reading a core file without gdb, against gdb on the same core.

In one run: a gcore core of the stripped python2.7 running bench/targets/bigobjects.py
(a 1M-int list, a 200k-entry dict, 100k rows). Each side is timed end to end, process
start to exit, as a user runs it (best of RUNS, wall and CPU time; the goals are on CPU time,
which other work on a shared machine does not inflate): ``bt --core CORE`` against ``gdb -batch
EXE CORE -ex py-bt``, and ``walk --core CORE ADDR --format repr`` (no limits) against
``py-walk --format repr`` in ``gdb -batch``. Both must print the same text (the walks:
the target's own repr). Goals: ``bt`` at least 2x faster than gdb (no debugger to start,
no core to load whole); each walk no slower than gdb (both spend most of it rendering).
"""

import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from support.paths import GDBINIT, STRIPPED, clean_env  # noqa: E402
from support.target import Target  # noqa: E402

FULL = ["--max-depth", "unlimited", "--max-items", "unlimited", "--max-objects", "unlimited"]
RUNS = 3
#: Least gdb/cli time ratio per command kind.
GOALS = {"bt": 2.0, "walk": 1.0}
EXE = os.path.join(STRIPPED, "bin", "python2.7")


def timed(argv, output=None):
    """``((wall s, cpu s), stdout or the output file's text)`` of one command, each the best of
    RUNS; cpu is user + system time of the process (steadier than wall on a shared machine)."""
    walls, cpus, text = [], [], None
    for _ in range(RUNS):
        before = _children_cpu()
        start = time.perf_counter()
        result = subprocess.run(argv, cwd=ROOT, env=clean_env(), capture_output=True, text=True,
                                errors="replace", timeout=900)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - before)
        if result.returncode != 0:
            raise RuntimeError("%s failed: %s" % (argv[:4], result.stderr.strip()[-300:]))
        text = result.stdout
        if output:
            with open(output, encoding="latin-1") as handle:
                text = handle.read()
    return (min(walls), min(cpus)), text


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli(*args):
    return [sys.executable, "-m", "gdb_cpywalker"] + list(args)


def gdb(core, command):
    return ["gdb", "-nx", "-q", "-batch", EXE, core, "-ex", "source " + GDBINIT, "-ex", command]


def python_stack(text):
    """The thread and frame lines of a py-bt / bt output (gdb's thread numbers and the CLI's
    core summary line differ by design)."""
    return [line.split(" [")[0] for line in text.splitlines()
            if line.startswith(("Thread ", "  File ", "    ", "Python interpreter"))]


def md5(text):
    return hashlib.md5(text.rstrip("\n").encode("latin-1")).hexdigest()


def main():
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        core = os.path.join(scratch, "bigobjects.core")
        with Target(os.path.join(HERE, "targets", "bigobjects.py"), stripped=True, timeout=300) as target:
            subprocess.run(["gcore", "-o", core, str(target.pid)], check=True, capture_output=True)
            core += ".%d" % target.pid
            objects = target.info["objects"]
        size = os.path.getsize(core)
        ours, our_text = timed(cli("bt", "--core", core))
        theirs, their_text = timed(gdb(core, "py-bt"))
        same = python_stack(our_text) == python_stack(their_text) and python_stack(our_text)
        rows.append(("bt", ours, theirs, bool(same)))
        for name, info in sorted(objects.items()):
            out = os.path.join(scratch, name)
            ours, our_text = timed(cli("walk", "--core", core, "%#x" % info["id"], "--format", "repr",
                                       "--output", out, *FULL), out)
            theirs, their_text = timed(gdb(core, "py-walk --format repr %s --output %s %#x"
                                           % (" ".join(FULL), out, info["id"])), out)
            same = md5(our_text) == md5(their_text) == info["repr_md5"]
            rows.append(("walk " + name, ours, theirs, same))
    print("core: %.0f MiB (gcore of the stripped python2.7 running bigobjects.py)" % (size / 2.0 ** 20))
    print("%-24s %9s %9s %9s %9s %9s %9s %s" % ("command", "cli s", "gdb s", "gdb/cli", "cli cpu",
                                                "gdb cpu", "gdb/cli", "same output"))
    ok = True
    for name, ours, theirs, same in rows:
        print("%-24s %9.3f %9.3f %9.2f %9.3f %9.3f %9.2f %s" % (
            name, ours[0], theirs[0], theirs[0] / ours[0], ours[1], theirs[1], theirs[1] / ours[1],
            "yes" if same else "NO"))
        ok &= same and theirs[1] / ours[1] >= GOALS[name.split()[0]]
    print("goal (cpu time): the CLI on a core >= %.1fx faster than gdb for bt, >= %.1fx for walks, "
          "same output: %s"
          % (GOALS["bt"], GOALS["walk"], "met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
