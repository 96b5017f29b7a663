"""bench_walkmemory: peak memory and streaming of a big walk written to a file.

In one run, against a live python2.7 holding a 1M-int list and a 500 MB str:
``walk --format json`` of the list with every budget unlimited and ``--output FILE``, in
the CLI and in gdb (``py-walk`` in ``gdb -batch -p PID``), and the CLI's ``--format
repr`` of the str with ``--max-string unlimited``. Each runs as its own process: its peak
RSS (ru_maxrss from wait4) and the times the output file first had bytes and last grew
are measured from outside. Goals: for the list, peak RSS under 400 MB in both and the
first bytes on disk before the walk ends (the file grows after its first bytes); the
500 MB str printed whole (its size was refused as implausible before region checks).
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from support.paths import GDBINIT, clean_env  # noqa: E402
from support.target import Target  # noqa: E402

UNLIMITED = ["--max-depth", "unlimited", "--max-items", "unlimited",
             "--max-objects", "unlimited", "--max-string", "unlimited"]
GOAL_RSS = 400 << 20
#: How often the output file's size is sampled.
POLL = 0.002


def cli_command(pid, address, output, fmt="json"):
    return [sys.executable, "-m", "gdb_cpywalker", "walk", "-p", str(pid), "--format", fmt,
            "--output", output] + UNLIMITED + ["%#x" % address]


def gdb_command(pid, address, output):
    walk = " ".join(["py-walk --format json --output", output] + UNLIMITED + ["%#x" % address])
    return ["gdb", "-nx", "-batch", "-iex", "set pagination off", "-p", str(pid),
            "-ex", "source " + GDBINIT, "-ex", walk]


def measure(command, output):
    """(peak RSS bytes, seconds to first bytes, seconds to last growth, seconds in all, CPU
    seconds, size)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=clean_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    first = last = None
    size = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        now = time.perf_counter() - start
        try:
            current = os.path.getsize(output)
        except OSError:
            current = 0
        if current and first is None:
            first = now
        if current != size:
            size, last = current, now
        if pid:
            break
        time.sleep(POLL)
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode or not size:
        raise RuntimeError("%s failed (%d): %s" % (command[0], process.returncode, errors.strip()))
    return usage.ru_maxrss * 1024, first, last, now, usage.ru_utime + usage.ru_stime, size


def main():
    rows = []
    with Target(os.path.join(HERE, "targets", "biglist.py"), timeout=120) as target, \
            tempfile.TemporaryDirectory() as scratch:
        address = target.info["list_1m_ints"]
        for name, build in (("cli", cli_command), ("gdb", gdb_command)):
            output = os.path.join(scratch, name + ".json")
            rows.append((name,) + measure(build(target.pid, address, output), output))
        output = os.path.join(scratch, "str.txt")
        text = measure(cli_command(target.pid, target.info["str_500mb"], output, "repr"), output)
    print("1M-int list, --format json, every budget unlimited, --output FILE")
    print("%-5s %12s %9s %13s %13s %9s %7s %s" % ("front", "peak RSS MB", "goal MB",
                                                  "first bytes s", "last bytes s", "total s",
                                                  "CPU s", "written MB"))
    ok = True
    for name, rss, first, last, total, cpu, size in rows:
        streamed = first is not None and last > first
        ok &= rss < GOAL_RSS and streamed
        print("%-5s %12.0f %9d %13.2f %13.2f %9.2f %7.2f %.1f" % (
            name, rss / 2**20, GOAL_RSS >> 20, first, last, total, cpu, size / 2**20))
    print("goal: peak RSS < %d MB and the first bytes written before the walk ends: %s"
          % (GOAL_RSS >> 20, "met" if ok else "NOT met"))
    whole = text[-1] == 500000000 + 3  # the quotes and a newline
    print("500 MB str, --format repr, every budget unlimited: %.2f s, %.2f CPU s, peak RSS %d MB, "
          "%d bytes written: %s" % (text[3], text[4], text[0] >> 20, text[-1],
                                    "whole" if whole else "NOT whole"))
    return 0 if ok and whole else 1


if __name__ == "__main__":
    sys.exit(main())
