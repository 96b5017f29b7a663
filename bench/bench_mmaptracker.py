"""bench_mmaptracker: tracking a program that makes 2,000 mmap/munmap pairs.

In one run, on the same program (tests/targets/mmap_pairs.c): our mmaptracker.gdb (logs
all ~4,000 calls with backtraces), procmem's original script as reconstructed in
bench/reference/ (``break mmap``, ``backtrace``, ``finish``, ``continue``: the 2,000 mmaps
only) and ``strace -f -k -e trace=%memory``. Wall time of each whole command, gdb's start
included, median of a few rounds; the program alone and under a plain ``gdb -ex run`` give
the floor. Goal: ours no slower than the original.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from gdb_cpywalker.tracking.log import read_log  # noqa: E402
from support.cbuild import build_c  # noqa: E402
from support.paths import clean_env  # noqa: E402

PAIRS = 2000
ROUNDS = 3
SCRIPT = os.path.join(ROOT, "mmaptracker.gdb")
REFERENCE = os.path.join(HERE, "reference", "mmaptracker-original.gdb")
REFERENCE_LOG = "/tmp/mmaptracker-reference.log"


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, env=env or clean_env(), stdin=subprocess.DEVNULL,
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


def main():
    program = [build_c("mmap_pairs"), str(PAIRS)]
    work = tempfile.mkdtemp(prefix="bench-mmaptracker-")
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
    with open(REFERENCE_LOG) as handle:
        original_events = handle.read().count("--- backtrace")
    with open(strace_log) as handle:
        strace_events = sum(1 for line in handle if "(" in line and not line.startswith(" >"))

    rows = [("program alone", alone, None), ("gdb -ex run, no tracking", plain_gdb, None),
            ("mmaptracker.gdb (ours)", ours, len(run.events)),
            ("procmem original script", original, original_events),
            ("strace -f -k -e trace=%memory", strace, strace_events)]
    print("%d mmap/munmap pairs, median of %d rounds, wall time of the whole command" % (PAIRS, ROUNDS))
    for name, seconds, events in rows:
        per_event = " %7.3f ms/event" % (1000 * seconds / events) if events else ""
        print("  %-32s %7.3f s  %6s events%s" % (name, seconds, events if events else "-", per_event))
    print("ratio ours / original: %.2f (goal <= 1.00)%s" % (
        ours / original, "" if ours <= original else "  ** slower than the original **"))
    print("ratio ours / strace:   %.2f" % (ours / strace))
    remove(REFERENCE_LOG)
    return 0 if ours <= original else 1


if __name__ == "__main__":
    sys.exit(main())
