"""bench_heap: ``py-heap`` (the census) inside gdb on a live python2.7 with ~5 million objects.

In one run: the target times counting ``gc.get_objects()`` by type itself (it sees only
the objects the collector tracks); we time ``py-heap --format json`` inside a real gdb
(timed in gdb's Python around the command; gdb's CPU time alongside, which says how
busy the machine was), best of RUNS, and measure how much gdb's resident memory grows
during it (its peak, VmHWM, reset before each run). Prints objects/s,
the ratio to the target's own count, and the growth; exits non-zero when a goal is missed.
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


def main():
    with Target(os.path.join(HERE, "targets", "bigheap.py"), [str(RECORDS)], timeout=600) as target:
        info = target.info
        with GdbSession(["-p", str(target.pid)]) as gdb:
            gdb.cmd("python import time")
            output = os.path.join(ROOT, "build", "bench_heap.json")
            runs = [census(gdb, output) for _ in range(RUNS)]
    seconds, objects, _, _ = min(runs)
    cpu = min(run[3] for run in runs)
    growth = max(run[2] for run in runs)
    rate = objects / cpu
    ratio = cpu / info["gc_cpu"]
    print("target: gc.get_objects() counted by type: %d objects in %.3f s, %.3f s of CPU (best of 3)"
          % (info["gc_objects"], info["gc_seconds"], info["gc_cpu"]))
    print("py-heap in gdb: %d objects in %.3f s, %.3f s of CPU (best of %d): %.0f objects/s "
          "(%.0f by the wall clock)" % (objects, seconds, cpu, RUNS, rate, objects / seconds))
    print("gdb memory growth during py-heap: %.1f MiB (peak RSS over RSS before, worst run)"
          % (growth / float(1 << 20)))
    checks = [("objects/s (cpu)", rate >= GOAL_RATE, "%.0f" % rate, ">= %d" % GOAL_RATE),
              ("cpu / target's gc count", ratio <= GOAL_RATIO, "%.1fx" % ratio, "<= %.0fx" % GOAL_RATIO),
              ("gdb memory growth", growth <= GOAL_GROWTH, "%.1f MiB" % (growth / float(1 << 20)),
               "<= %d MiB" % (GOAL_GROWTH >> 20))]
    for name, ok, value, goal in checks:
        print("%-26s %14s  goal %-12s %s" % (name, value, goal, "ok" if ok else "MISSED"))
    return 0 if all(ok for _, ok, _, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
