"""bench_pywalk: ``py-walk --format repr`` with no limits on big containers of a live python2.7.

In one run: the target times its own ``repr()`` of a 1M-int list, a 200k-entry str->int
dict and a 100k list of [int, str, float] rows; we time the in-process API (walk + repr
render over process_vm_readv) and ``py-walk`` inside a real gdb (timed in gdb's Python
around the command, output to a file), each the best of RUNS. Prints objects/s and the
ratio to the target's repr.
"""

import hashlib
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from gdb_cpywalker.decode import Budgets, walk  # noqa: E402
from gdb_cpywalker.layouts import layout_for  # noqa: E402
from gdb_cpywalker.memory import PageCache  # noqa: E402
from gdb_cpywalker.memory.process import open_process_memory  # noqa: E402
from gdb_cpywalker.render import render  # noqa: E402
from gdb_cpywalker.target.detect import detect_python  # noqa: E402
from gdb_cpywalker.target.symbols import ProcessSymbols  # noqa: E402
from support.gdbsession import GdbSession  # noqa: E402
from support.target import Target  # noqa: E402

FULL = "--max-depth unlimited --max-items unlimited --max-objects unlimited --max-string unlimited"
GOAL_RATE = 250000
GOAL_RATIO = 12.0
#: Each measurement is the best of this many runs (the machine is shared; the target does the same).
RUNS = 3


def api_walk(pid, address):
    """(seconds, objects, md5 of the repr) of walk + repr render through the Python API."""
    start = time.perf_counter()
    backend = open_process_memory(pid)
    memory = PageCache(backend)
    target = detect_python(memory, ProcessSymbols(pid))
    graph = walk(memory, address, Budgets(),
                 layout=layout_for(target.pointer_size, target.unicode_width))
    text = render(graph, "repr")
    seconds = time.perf_counter() - start
    backend.close()
    return seconds, len(graph.nodes), _md5(text)


def gdb_walk(gdb, address, output):
    """(seconds, md5 of the repr) of ``py-walk --format repr`` timed inside gdb."""
    command = "py-walk --format repr %s --output %s %#x" % (FULL, output, address)
    reply = gdb.cmd("python t = time.perf_counter(); gdb.execute(%r, to_string=True); "
                    "print('ELAPSED %%.6f' %% (time.perf_counter() - t))" % command, timeout=600)
    elapsed = [line for line in reply.splitlines() if line.startswith("ELAPSED ")]
    if not elapsed:
        raise RuntimeError("py-walk failed: %s" % reply.strip())
    with open(output) as handle:
        return float(elapsed[0].split()[1]), _md5(handle.read())


def _md5(text):
    return hashlib.md5(text.rstrip("\n").encode("latin-1")).hexdigest()


def main():
    rows = []
    with Target(os.path.join(HERE, "targets", "bigobjects.py"), timeout=300) as target:
        objects = target.info["objects"]
        api = {name: min(api_walk(target.pid, info["id"]) for _ in range(RUNS))
               for name, info in sorted(objects.items())}
        with GdbSession(["-p", str(target.pid)]) as gdb, tempfile.TemporaryDirectory() as scratch:
            gdb.cmd("python import time")
            for name, info in sorted(objects.items()):
                api_seconds, count, api_md5 = api[name]
                gdb_seconds, gdb_md5 = min(gdb_walk(gdb, info["id"], os.path.join(scratch, name))
                                              for _ in range(RUNS))
                exact = api_md5 == gdb_md5 == info["repr_md5"]
                rows.append((name, count, info["repr_seconds"], api_seconds, gdb_seconds, exact))
    print("%-18s %9s %9s %9s %11s %7s %9s %11s %7s %s" % (
        "object", "objects", "repr s", "api s", "api obj/s", "api x", "gdb s", "gdb obj/s",
        "gdb x", "same text as repr"))
    ok = True
    for name, count, repr_seconds, api_seconds, gdb_seconds, exact in rows:
        print("%-18s %9d %9.3f %9.3f %11.0f %7.1f %9.3f %11.0f %7.1f %s" % (
            name, count, repr_seconds, api_seconds, count / api_seconds, api_seconds / repr_seconds,
            gdb_seconds, count / gdb_seconds, gdb_seconds / repr_seconds, "yes" if exact else "NO"))
        ok &= exact and count / gdb_seconds >= GOAL_RATE and gdb_seconds / repr_seconds <= GOAL_RATIO
    print("goal: >= %d objects/s and <= %.0fx the target's repr in gdb: %s"
          % (GOAL_RATE, GOAL_RATIO, "met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
