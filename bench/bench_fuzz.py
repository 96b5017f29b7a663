"""bench_fuzz: corrupted and truncated cores stay a guard, over many seeds.

One core of the stripped python2.7 (tests/targets/fuzz_state.py, three threads and a list
of many kinds of objects). Flips: for each seed and each count from 300 to 30,000, that
many bits flipped in the data pages of its writable memory. Cuts: the core rewritten in
the kernel's layout (notes first) and cut at a seeded offset, as a core size limit leaves
it. Each core gets one gdb session running py-threads, py-bt --locals, py-locals,
py-globals, mem-info and py-walk of the list (repr and json, every budget unlimited).

A run fails on an internal error, a traceback, an error of more than one line, gdb dying
or a session over SESSION_LIMIT; failing cores are kept in build/fuzz-failures/. Prints
runs, failures, the median and worst session and the worst's share of the limit; exits
non-zero on any failure. ``SEEDS=N`` sets the number of seeds (default 12).
"""

import os
import random
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from support import fuzzcore  # noqa: E402
from support.corefiles import PT_NOTE, kernel_layout  # noqa: E402
from support.target import Target  # noqa: E402

FLIPS = (300, 1000, 3000, 10000, 30000)


def run(label, core, lines, results):
    session = fuzzcore.run_session(core, lines)
    problems = fuzzcore.judge(session, lines)
    results.append((session.seconds, label, problems))
    if problems:
        kept = fuzzcore.keep(core, fuzzcore.FAILURES, label.replace(" ", "-") + ".core")
        print("FAIL %s (%.1f s, kept in %s):" % (label, session.seconds, kept), flush=True)
        for problem in problems:
            print("    " + problem[:300], flush=True)


def main():
    seeds = int(os.environ.get("SEEDS", "12"))
    folder = tempfile.mkdtemp(prefix="bench-fuzz-")
    core = os.path.join(folder, "fuzz.core")
    with Target("fuzz_state.py", stripped=True, launcher=fuzzcore.reproducible) as target:
        fuzzcore.gcore(target.pid, core)
        info = target.info
    lines = fuzzcore.commands(info["root"])
    spans = fuzzcore.data_spans(core)
    print("core: %.1f MB, %.1f MB of data pages in writable memory; %d seeds x %s flips, %d cuts"
          % (os.path.getsize(core) / 1e6, sum(size for _, size in spans) / 1e6, seeds,
             "/".join(map(str, FLIPS)), seeds), flush=True)
    results = []
    start = time.monotonic()
    for seed in range(1, seeds + 1):
        for flips in FLIPS:
            with fuzzcore.flipped(core, spans, flips, seed):
                run("seed %d flips %d" % (seed, flips), core, lines, results)
    kernel = os.path.join(folder, "kernel-layout.core")
    segments = kernel_layout(core, kernel)
    notes_end = max(offset + size for kind, offset, _, size in segments if kind == PT_NOTE)
    with open(kernel, "rb") as handle:
        data = handle.read()
    cut_core = os.path.join(folder, "cut.core")
    for seed in range(1, seeds + 1):
        cut = random.Random(seed).randrange(notes_end, len(data))
        with open(cut_core, "wb") as handle:
            handle.write(data[:cut])
        run("seed %d cut at %#x" % (seed, cut), cut_core, lines, results)
    elapsed = time.monotonic() - start
    times = [seconds for seconds, _, _ in results]
    worst = max(results)
    failures = [label for _, label, problems in results if problems]
    print("runs %d, failures %d, total %.0f s" % (len(results), len(failures), elapsed))
    print("session median %.1f s, worst %.1f s (%s): %.0f%% of the %d s limit"
          % (statistics.median(times), worst[0], worst[1], 100 * worst[0] / fuzzcore.SESSION_LIMIT,
             fuzzcore.SESSION_LIMIT))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
