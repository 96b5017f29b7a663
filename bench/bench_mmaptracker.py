"""bench_mmaptracker: tracking programs that make 2,000 mmap/munmap pairs; the report of a
100,000-event log.

1. C (tests/targets/mmap_pairs.c), in one run: our mmaptracker.gdb (logs all ~4,000 calls
   with backtraces), procmem's original script as reconstructed in bench/reference/ (``break
   mmap``, ``backtrace``, ``finish``, ``continue``: the 2,000 mmaps only) and ``strace -f -k
   -e trace=%memory``. Goal: ours no slower than the original.
2. python2.7 (bench/targets/mmap_pairs27.py: 2,000 mmap.mmap/close pairs): ours with Python
   stacks, ours without (``set mmaptracker python-stacks off``), the original script. Goal:
   ours with Python stacks no slower than the original. Per-event overhead = (tracked -
   untracked gdb run) / events.
3. ``report`` of a 100,000-event log (the Python run's events repeated at shifted
   addresses), table, json and svg. Goal: each under 5 s.

Wall time of each whole command, gdb's start included, median of a few rounds; the program
alone and under a plain ``gdb -ex run`` give the floor.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import dataclasses  # noqa: E402

from gdb_cpywalker.tracking.log import read_log  # noqa: E402
from support.cbuild import build_c  # noqa: E402
from support.paths import GDBINIT, clean_env, python27  # noqa: E402

PAIRS = 2000
ROUNDS = 3
SCRIPT = os.path.join(ROOT, "mmaptracker.gdb")
REFERENCE = os.path.join(HERE, "reference", "mmaptracker-original.gdb")
REFERENCE_LOG = "/tmp/mmaptracker-reference.log"
PYTHON_PROGRAM = os.path.join(HERE, "targets", "mmap_pairs27.py")
REPORT_EVENTS = 100000
REPORT_GOAL = 5.0
QUIET = ["-iex", "set auto-load python-scripts off"]


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, env=env or clean_env(), stdin=subprocess.DEVNULL, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def median_time(command, env=None, before=None):
    times = []
    for _ in range(ROUNDS):
        if before:
            before()
        times.append(timed(command, env))
    return statistics.median(times)


def remove(path):
    if os.path.lexists(path):
        os.unlink(path)


def c_program(work):
    """Part 1: the C program; True when the goal is met."""
    program = [build_c("mmap_pairs"), str(PAIRS)]
    ours_log = os.path.join(work, "ours.log")
    strace_log = os.path.join(work, "strace.log")

    alone = median_time(program)
    plain_gdb = median_time(["gdb", "-nx", "-q", "-batch", "-ex", "run", "--args"] + program)
    ours = median_time(["gdb", "-nx", "-q", "-x", SCRIPT, "--args"] + program,
                       env=clean_env(MMAPTRACKER_LOG=ours_log))
    original = median_time(["gdb", "-nx", "-q", "-x", REFERENCE, "--args"] + program,
                           before=lambda: remove(REFERENCE_LOG))
    strace = median_time(["strace", "-f", "-k", "-e", "trace=%memory", "-o", strace_log] + program)

    run, = read_log(ours_log)
    original_events = reference_events()
    with open(strace_log) as handle:
        strace_events = sum(1 for line in handle if "(" in line and not line.startswith(" >"))

    rows = [("program alone", alone, None), ("gdb -ex run, no tracking", plain_gdb, None),
            ("mmaptracker.gdb (ours)", ours, len(run.events)),
            ("procmem original script", original, original_events),
            ("strace -f -k -e trace=%memory", strace, strace_events)]
    print("C: %d mmap/munmap pairs, median of %d rounds, wall time of the whole command" % (PAIRS, ROUNDS))
    table(rows)
    print("ratio ours / original: %.2f (goal <= 1.00)%s" % (
        ours / original, "" if ours <= original else "  ** slower than the original **"))
    print("ratio ours / strace:   %.2f" % (ours / strace))
    return ours <= original


def python_program(work):
    """Part 2: the python2.7 program; returns (goal met, the log of the run with stacks)."""
    program = [python27(), PYTHON_PROGRAM, str(PAIRS)]
    stacks_log = os.path.join(work, "python-stacks.log")
    native_log = os.path.join(work, "python-native.log")
    alone = median_time(program)
    plain_gdb = median_time(["gdb", "-nx", "-q", "-batch"] + QUIET + ["-ex", "run", "--args"] + program)
    with_stacks = median_time(["gdb", "-nx", "-q"] + QUIET + ["-x", SCRIPT, "--args"] + program,
                              env=clean_env(MMAPTRACKER_LOG=stacks_log))
    without = median_time(["gdb", "-nx", "-q"] + QUIET + ["-ex", "source " + GDBINIT, "-ex",
                           "set mmaptracker python-stacks off", "-x", SCRIPT, "--args"] + program,
                          env=clean_env(MMAPTRACKER_LOG=native_log))
    original = median_time(["gdb", "-nx", "-q"] + QUIET + ["-x", REFERENCE, "--args"] + program,
                           before=lambda: remove(REFERENCE_LOG))
    stacks_run, = read_log(stacks_log)
    native_run, = read_log(native_log)
    assert sum(1 for e in stacks_run.events if e.python) >= 2 * PAIRS, "Python stacks missing"
    rows = [("program alone", alone, None), ("gdb -ex run, no tracking", plain_gdb, None),
            ("ours, Python stacks", with_stacks, len(stacks_run.events)),
            ("ours, native only", without, len(native_run.events)),
            ("procmem original script", original, reference_events())]
    print("python2.7: %d mmap.mmap/close pairs, median of %d rounds" % (PAIRS, ROUNDS))
    table(rows)
    for name, seconds, run in (("with Python stacks", with_stacks, stacks_run),
                               ("native backtraces only", without, native_run)):
        print("overhead per event, %-23s %.3f ms" % (name + ":", 1000 * (seconds - plain_gdb) / len(run.events)))
    met = with_stacks <= original
    print("ratio ours (Python stacks) / original: %.2f (goal <= 1.00)%s" % (
        with_stacks / original, "" if met else "  ** slower than the original **"))
    return met, stacks_run


def big_log(run, path, count=REPORT_EVENTS):
    """``count`` events: ``run``'s mmap/munmap events again and again, each round at addresses
    of its own (so the replay meets as many distinct mappings as a long run would)."""
    pool = [e for e in run.events if e.name in ("mmap", "munmap") and not e.failed]
    with open(path, "w") as handle:
        handle.write(run.header())
        for index in range(count):
            event = pool[index % len(pool)]
            shift = (index // len(pool)) << 32
            if event.name == "mmap":
                event = dataclasses.replace(event, result=event.result + shift)
            else:
                event = dataclasses.replace(event, args=(event.args[0] + shift,) + event.args[1:])
            handle.write(dataclasses.replace(event, seq=index + 1).record())
        handle.write("mmaptracker end: events=%d exited with code 0\n" % count)


def report_speed(run, work):
    """Part 3: the report of a 100,000-event log; True when every format is under the goal."""
    path = os.path.join(work, "big.log")
    big_log(run, path)
    size = os.path.getsize(path)
    met = True
    print("report of a %d-event log (%.1f MiB), wall time of the command:" % (REPORT_EVENTS, size / 2 ** 20))
    for form in ("table", "json", "svg"):
        command = [sys.executable, "-m", "gdb_cpywalker", "report", "--log", path, "--format", form,
                   "--timeline", "-o", os.path.join(work, "big." + form)]
        runs = []
        for _ in range(ROUNDS):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall = timed(command)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall))
        cpu, wall = sorted(runs)[len(runs) // 2]
        met = met and cpu < REPORT_GOAL
        print("  --format %-6s %6.2f s of CPU, %6.2f s wall (goal < %.0f s)%s" % (
            form, cpu, wall, REPORT_GOAL, "" if cpu < REPORT_GOAL else "  ** too slow **"))
    print("  (judged on CPU time: on a machine shared with other jobs, wall time adds the wait for a core)")
    return met


def reference_events():
    with open(REFERENCE_LOG) as handle:
        return handle.read().count("--- backtrace")


def table(rows):
    for name, seconds, events in rows:
        per_event = " %7.3f ms/event" % (1000 * seconds / events) if events else ""
        print("  %-32s %7.3f s  %6s events%s" % (name, seconds, events if events else "-", per_event))


def main():
    work = tempfile.mkdtemp(prefix="bench-mmaptracker-")
    met = c_program(work)
    python_met, stacks_run = python_program(work)
    report_met = report_speed(stacks_run, work)
    remove(REFERENCE_LOG)
    return 0 if met and python_met and report_met else 1


if __name__ == "__main__":
    sys.exit(main())
