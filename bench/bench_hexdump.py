"""hexdump of 8 MiB of a live python2.7: xxd on the same bytes vs our renderer and ``hexdump`` in gdb.

``hexdump`` collapses repeated rows as ``hexdump -C`` does (a third of these bytes are
runs of 0x00 or 0xff); ``hexdump -v`` prints every row, as xxd does.

All in one run: the target's buffer is copied to a file for xxd; the renderer runs in
this process; gdb (batch mode, output to /dev/null) times ``hexdump ADDR 8M`` with its
own Python around the command, plain and colored. Each time is the best of ROUNDS, in
wall-clock and in CPU seconds (xxd's from its rusage, gdb's from its process_time):
the goals are on CPU time, which other work on a shared machine inflates less.
What a goal compares is measured in alternation, round by round (plain then colored
in this process; plain, -v, colored and xxd itself, run from gdb's Python, in gdb), so
that a burst of load on the machine slows both sides of a ratio, not one of them.
Goals (issues 2 and 11): gdb hexdump within 3x of xxd, ``hexdump -v`` within 1.5x;
colored within 2x of plain.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from gdb_cpywalker.render.hexdump import HexDumper  # noqa: E402
from support.paths import GDBINIT, clean_env  # noqa: E402
from support.target import Target  # noqa: E402

SIZE = 8 << 20
ROUNDS = 15

GDB_TIMER = """
import resource, subprocess, time
def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
def hexdump(command, color):
    gdb.execute("set cpywalker color " + color)
    start, cpu = time.perf_counter(), time.process_time()
    gdb.execute(command)
    return time.perf_counter() - start, time.process_time() - cpu
def xxd():
    start, cpu = time.perf_counter(), children_cpu()
    with open("/dev/null", "wb") as devnull:
        subprocess.run([%(xxd)r, %(path)r], stdout=devnull, check=True)
    return time.perf_counter() - start, children_cpu() - cpu
measures = {"xxd": xxd,
            "plain": lambda: hexdump("hexdump %(address)d %(size)d", "off"),
            "verbose": lambda: hexdump("hexdump -v %(address)d %(size)d", "off"),
            "colored": lambda: hexdump("hexdump %(address)d %(size)d", "on")}
times = {name: [] for name in measures}
for _ in range(%(rounds)d):
    for name, measure in measures.items():
        times[name].append(measure())
best = [min(t[i] for t in times[name]) for name in measures for i in (0, 1)]
gdb.write(" ".join("%%f" %% value for value in best) + "\\n", gdb.STDERR)
"""


def best(functions):
    """(wall, CPU) seconds of each function, each the best of ROUNDS, run in turn round by round."""
    walls = [[] for _ in functions]
    cpus = [[] for _ in functions]
    for _ in range(ROUNDS):
        for index, function in enumerate(functions):
            start, cpu = time.perf_counter(), time.process_time()
            function()
            walls[index].append(time.perf_counter() - start)
            cpus[index].append(time.process_time() - cpu)
    return [(min(wall), min(cpu)) for wall, cpu in zip(walls, cpus)]


def time_renderer(data, address):
    """(plain, colored) times of the renderer in this process."""
    def render(color):
        dumper = HexDumper(color=color)
        for _ in dumper.rows(address, data):
            pass
    return best([lambda: render(False), lambda: render(True)])


def time_gdb(pid, address, path, folder):
    """xxd, plain, -v and colored times, all measured in one gdb session, in turn."""
    xxd = shutil.which("xxd")
    if not xxd:
        sys.exit("xxd is needed for the reference: apt-get install xxd")
    script = os.path.join(folder, "timer.py")
    with open(script, "w") as handle:
        handle.write(GDB_TIMER % {"rounds": ROUNDS, "address": address, "size": SIZE, "xxd": xxd,
                                  "path": path})
    with open(os.devnull, "wb") as devnull:
        result = subprocess.run(
            ["gdb", "-nx", "-q", "-batch", "-p", str(pid), "-ex", "set pagination off",
             "-ex", "set width 0", "-ex", "set style enabled on", "-ex", "source " + GDBINIT,
             "-ex", "source " + script],
            stdout=devnull, stderr=subprocess.PIPE, env=clean_env(), text=True, check=True)
    words = [float(word) for word in result.stderr.strip().splitlines()[-1].split()]
    return [tuple(words[i:i + 2]) for i in range(0, 8, 2)]


def main():
    with Target("varied.py", [str(SIZE)]) as target, tempfile.TemporaryDirectory() as folder:
        address = target.info["address"]
        with open("/proc/%d/mem" % target.pid, "rb") as mem:
            mem.seek(address)
            data = mem.read(SIZE)
        path = os.path.join(folder, "dump.bin")
        with open(path, "wb") as handle:
            handle.write(data)
        ours_plain, ours_colored = time_renderer(data, address)
        xxd, gdb_plain, gdb_verbose, gdb_colored = time_gdb(target.pid, address, path, folder)
    print("%-36s %8s %8s %8s %8s" % ("8 MiB of varied bytes", "seconds", "ratio", "cpu s",
                                      "cpu ratio"))
    rows = [("xxd (reference)", xxd),
            ("renderer in-process, plain", ours_plain),
            ("renderer in-process, colored", ours_colored),
            ("gdb hexdump, plain", gdb_plain),
            ("gdb hexdump -v (no '*'), plain", gdb_verbose),
            ("gdb hexdump, colored", gdb_colored)]
    for label, (seconds, cpu) in rows:
        print("%-36s %8.3f %7.2fx %8.3f %7.2fx" % (label, seconds, seconds / xxd[0], cpu,
                                                  cpu / xxd[1]))
    goals = [("gdb hexdump -v / xxd (every row, as xxd prints them)", gdb_verbose, xxd, 1.5),
             ("gdb hexdump / xxd (repeats collapsed)", gdb_plain, xxd, 3),
             ("colored / plain, renderer", ours_colored, ours_plain, 2),
             ("colored / plain, gdb", gdb_colored, gdb_plain, 2)]
    ok = True
    for label, ours, reference, goal in goals:
        ratio = ours[1] / reference[1]
        ok &= ratio <= goal
        print("%-54s cpu %5.2fx (wall %5.2fx)  goal <= %g  %s" % (
            label, ratio, ours[0] / reference[0], goal, "ok" if ratio <= goal else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
