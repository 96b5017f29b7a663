"""hexdump of 8 MiB of a live python2.7: xxd on the same bytes vs our renderer and ``hexdump`` in gdb.

``hexdump`` collapses repeated rows as ``hexdump -C`` does (a third of these bytes are
runs of 0x00 or 0xff); ``hexdump -v`` prints every row, as xxd does.

All in one run: the target's buffer is copied to a file for xxd; the renderer runs in
this process; gdb (batch mode, output to /dev/null) times ``hexdump ADDR 8M`` with its
own Python around the command, plain and colored. Each time is the best of ROUNDS.
Goals (issue 2): gdb within 3x of xxd; colored within 2x of plain.
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
ROUNDS = 5

GDB_TIMER = """
import time
def best(command):
    times = []
    for _ in range(%(rounds)d):
        start = time.perf_counter()
        gdb.execute(command)
        times.append(time.perf_counter() - start)
    return min(times)
plain = best("hexdump %(address)d %(size)d")
verbose = best("hexdump -v %(address)d %(size)d")
gdb.execute("set cpywalker color on")
colored = best("hexdump %(address)d %(size)d")
gdb.write("%%f %%f %%f\\n" %% (plain, verbose, colored), gdb.STDERR)
"""


def best(function):
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def time_xxd(path):
    xxd = shutil.which("xxd")
    if not xxd:
        sys.exit("xxd is needed for the reference: apt-get install xxd")
    with open(os.devnull, "wb") as devnull:
        return best(lambda: subprocess.run([xxd, path], stdout=devnull, check=True))


def time_renderer(data, address, color):
    def render():
        dumper = HexDumper(color=color)
        for _ in dumper.rows(address, data):
            pass
    return best(render)


def time_gdb(pid, address, folder):
    script = os.path.join(folder, "timer.py")
    with open(script, "w") as handle:
        handle.write(GDB_TIMER % {"rounds": ROUNDS, "address": address, "size": SIZE})
    with open(os.devnull, "wb") as devnull:
        result = subprocess.run(
            ["gdb", "-nx", "-q", "-batch", "-p", str(pid), "-ex", "set pagination off",
             "-ex", "set width 0", "-ex", "set style enabled on", "-ex", "source " + GDBINIT,
             "-ex", "source " + script],
            stdout=devnull, stderr=subprocess.PIPE, env=clean_env(), text=True, check=True)
    return [float(word) for word in result.stderr.strip().splitlines()[-1].split()]


def main():
    with Target("varied.py", [str(SIZE)]) as target, tempfile.TemporaryDirectory() as folder:
        address = target.info["address"]
        with open("/proc/%d/mem" % target.pid, "rb") as mem:
            mem.seek(address)
            data = mem.read(SIZE)
        path = os.path.join(folder, "dump.bin")
        with open(path, "wb") as handle:
            handle.write(data)
        xxd = time_xxd(path)
        ours_plain = time_renderer(data, address, False)
        ours_colored = time_renderer(data, address, True)
        gdb_plain, gdb_verbose, gdb_colored = time_gdb(target.pid, address, folder)
    print("%-36s %8s %8s" % ("8 MiB of varied bytes", "seconds", "ratio"))
    rows = [("xxd (reference)", xxd, 1.0),
            ("renderer in-process, plain", ours_plain, ours_plain / xxd),
            ("renderer in-process, colored", ours_colored, ours_colored / xxd),
            ("gdb hexdump, plain", gdb_plain, gdb_plain / xxd),
            ("gdb hexdump -v (no '*'), plain", gdb_verbose, gdb_verbose / xxd),
            ("gdb hexdump, colored", gdb_colored, gdb_colored / xxd)]
    for label, seconds, ratio in rows:
        print("%-36s %8.3f %7.2fx" % (label, seconds, ratio))
    goals = [("gdb hexdump -v / xxd (every row, as xxd prints them)", gdb_verbose / xxd, 3),
             ("gdb hexdump / xxd (repeats collapsed)", gdb_plain / xxd, 3),
             ("colored / plain, renderer", ours_colored / ours_plain, 2),
             ("colored / plain, gdb", gdb_colored / gdb_plain, 2)]
    for label, ratio, goal in goals:
        print("%-54s %5.2fx  goal <= %d  %s" % (label, ratio, goal, "ok" if ratio <= goal else "MISSED"))
    return 0 if all(ratio <= goal for _, ratio, goal in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
