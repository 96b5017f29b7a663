"""bench_heap: ``py-heap`` (the census) inside gdb on a live python2.7 with ~5 million objects,
with debug symbols (pools from the ``arenas`` symbol) and on the stripped copy (pools found
by their headers).

In one run, per build: the target times counting ``gc.get_objects()`` by type itself (it
sees only the objects the collector tracks); we time ``py-heap --format json`` inside a
real gdb (gdb's CPU time around the command; the wall clock shown too), measure how much
gdb's resident memory grows during it (its peak, VmHWM, reset before each run), then let
the target count again (gdb detaches, and attaches after) — RUNS rounds, best of each side,
so that both are measured under the same load. Prints objects/s, the ratio to the target's
own count, and the growth; exits non-zero when a goal is missed.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from support.gdbsession import GdbSession  # noqa: E402
from support.target import Target  # noqa: E402

GOAL_RATE = 1000000
GOAL_RATIO = 10.0
GOAL_GROWTH = 200 << 20
RUNS = 3
RECORDS = 400000


def memory_of(pid, field):
    with open("/proc/%d/status" % pid) as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no %s for process %d" % (field, pid))


def cpu_of(pid):
    """User + system CPU seconds of process ``pid`` so far."""
    with open("/proc/%d/stat" % pid) as handle:
        fields = handle.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def census(gdb, output):
    """(seconds, objects, memory growth, CPU seconds) of one ``py-heap --format json`` in gdb."""
    pid = gdb.child.pid
    with open("/proc/%d/clear_refs" % pid, "w") as handle:
        handle.write("5")
    before = memory_of(pid, "VmRSS")
    cpu = cpu_of(pid)
    command = "py-heap --format json"
    reply = gdb.cmd("python t = time.perf_counter(); text = gdb.execute(%r, to_string=True); "
                    "elapsed = time.perf_counter() - t; open(%r, 'w').write(text); "
                    "print('ELAPSED %%.6f' %% elapsed)" % (command, output), timeout=900)
    elapsed = [line for line in reply.splitlines() if line.startswith("ELAPSED ")]
    if not elapsed:
        raise RuntimeError("py-heap failed: %s" % reply.strip())
    growth = memory_of(pid, "VmHWM") - before
    cpu = cpu_of(pid) - cpu
    with open(output) as handle:
        document = json.load(handle)
    return float(elapsed[0].split()[1]), document["objects"], growth, cpu


def their_count(gdb, target):
    """The target's own count (gdb lets it run meanwhile): ``{"gc_objects", "gc_cpu", ...}``."""
    gdb.cmd("detach")
    target.process.stdin.write(b"count\n")
    target.process.stdin.flush()
    line = target.process.stdout.readline()
    gdb.cmd("attach %d" % target.pid, timeout=120)
    return json.loads(line.decode())


def measure(stripped):
    """(ours: [(seconds, objects, growth, cpu)], theirs: [target's report]) for one build."""
    with Target(os.path.join(HERE, "targets", "bigheap.py"), [str(RECORDS)], stripped=stripped,
                timeout=600) as target:
        theirs = [target.info]
        with GdbSession(["-p", str(target.pid)]) as gdb:
            gdb.cmd("python import time")
            output = os.path.join(ROOT, "build", "bench_heap.json")
            ours = []
            for _ in range(RUNS):
                ours.append(census(gdb, output))
                theirs.append(their_count(gdb, target))
    return ours, theirs


def main():
    checks = []
    for build, stripped in (("debug", False), ("stripped", True)):
        ours, theirs = measure(stripped)
        gc_cpu = min(report["gc_cpu"] for report in theirs)
        seconds = min(run[0] for run in ours)
        objects = ours[0][1]
        cpu = min(run[3] for run in ours)
        growth = max(run[2] for run in ours)
        rate = objects / cpu
        ratio = cpu / gc_cpu
        print("%s: target: gc.get_objects() counted by type: %d objects, %.3f s of CPU "
              "(best of %d, between our runs)" % (build, theirs[0]["gc_objects"], gc_cpu, len(theirs)))
        print("%s: py-heap in gdb: %d objects in %.3f s of CPU (best of %d; %.3f s by the wall "
              "clock): %.0f objects/s" % (build, objects, cpu, RUNS, seconds, rate))
        print("%s: gdb memory growth during py-heap: %.1f MiB (peak RSS over RSS before, worst run)"
              % (build, growth / float(1 << 20)))
        checks += [("%s objects/s (cpu)" % build, rate >= GOAL_RATE, "%.0f" % rate, ">= %d" % GOAL_RATE),
                   ("%s cpu / target's gc count" % build, ratio <= GOAL_RATIO, "%.1fx" % ratio,
                    "<= %.0fx" % GOAL_RATIO),
                   ("%s gdb memory growth" % build, growth <= GOAL_GROWTH,
                    "%.1f MiB" % (growth / float(1 << 20)), "<= %d MiB" % (GOAL_GROWTH >> 20))]
    for name, ok, value, goal in checks:
        print("%-36s %14s  goal %-12s %s" % (name, value, goal, "ok" if ok else "MISSED"))
    return 0 if all(ok for _, ok, _, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
