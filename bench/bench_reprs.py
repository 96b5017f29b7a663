"""bench_reprs: how many reprs py-walk gets exactly right, live (python2.7 with debug
info), live stripped, and from a gcore core file of the stripped process.

Two corpora, each a python2.7 target that prints ``[name, id, repr]`` of its objects:
- ``handmade``: bench/corpus/handmade.py, hard realistic objects and the long tail of
  tests/targets/longtail.py (goal: at most 3 misses);
- ``heap``: 1,500 objects sampled deterministically from the heap of bench/corpus/app.py
  (SQLAlchemy, jinja2, tornado, requests, PyYAML, dateutil, the standard library, pinned
  in bench/corpus/requirements-py27-apps.txt and installed for python2.7 under
  build/py27-apps), leaving out objects whose repr runs Python code py-walk does not
  emulate (goal: at most 10 misses).
Every address is walked inside one gdb per mode (tests/support/gdb_walk_all.py). Prints
the match counts and each miss; exits non-zero when a goal is missed.
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from gdb_cpywalker.render.repr import display  # noqa: E402
from support.gdbsession import GdbSession, walk_all  # noqa: E402
from support.paths import BUILD, STRIPPED, python27  # noqa: E402
from support.target import Target  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")
APPS = os.path.join(BUILD, "py27-apps")
REQUIREMENTS = os.path.join(CORPUS, "requirements-py27-apps.txt")
HEAP_OBJECTS = 1500
HANDMADE_OBJECTS = 253
#: corpus -> (target script and arguments, most misses allowed per mode)
CORPORA = {
    "handmade": (["handmade.py"], 3),
    "heap": (["heap_target.py", APPS, str(HEAP_OBJECTS)], 10),
}
MODES = ("live", "stripped", "core")


def install_apps():
    """pip install --target build/py27-apps the pinned application packages (once)."""
    marker = os.path.join(APPS, ".done")
    if os.path.exists(marker) and os.path.getmtime(marker) >= os.path.getmtime(REQUIREMENTS):
        return
    done = subprocess.run([python27(), "-m", "pip", "install", "-q", "--no-compile",
                           "--disable-pip-version-check", "--upgrade", "--target", APPS,
                           "-r", REQUIREMENTS], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if done.returncode:
        raise RuntimeError("pip install --target %s failed:\n%s" % (APPS, done.stdout))
    open(marker, "w").close()


def misses(objects, got):
    """[(name, expected, got)] of the objects whose py-walk repr is not the target's."""
    return [(name, display(expected), text)
            for (name, _, expected), text in zip(objects, got) if display(expected) != text]


def run_corpus(name, script_args, scratch):
    """{mode: (objects, misses, seconds)} of one corpus."""
    script, args = os.path.join(CORPUS, script_args[0]), script_args[1:]
    results = {}
    with Target(script, args, timeout=600) as target:
        objects = target.info["objects"]
        with GdbSession(["-p", str(target.pid)], timeout=600) as gdb:
            start = time.perf_counter()
            results["live"] = (objects, misses(objects, walk_all(gdb, [address for _, address, _ in objects])),
                               time.perf_counter() - start)
    with Target(script, args, stripped=True, timeout=600) as target:
        objects = target.info["objects"]
        core = os.path.join(scratch, name + ".core")
        with GdbSession(["-p", str(target.pid)], timeout=600) as gdb:
            start = time.perf_counter()
            results["stripped"] = (objects, misses(objects, walk_all(gdb, [address for _, address, _ in objects])),
                                   time.perf_counter() - start)
            if "Saved corefile" not in gdb.cmd("gcore " + core, timeout=600):
                raise RuntimeError("gcore failed")
        with GdbSession([os.path.join(STRIPPED, "bin", "python2.7"), core], timeout=600) as gdb:
            start = time.perf_counter()
            results["core"] = (objects, misses(objects, walk_all(gdb, [address for _, address, _ in objects])),
                               time.perf_counter() - start)
        os.unlink(core)
    return results


def main():
    install_apps()
    ok = True
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in sorted(CORPORA):
            script_args, allowed = CORPORA[name]
            results = run_corpus(name, script_args, scratch)
            for mode in MODES:
                objects, missed, seconds = results[mode]
                exact = len(objects) - len(missed)
                met = len(missed) <= allowed and len(objects) >= (
                    HANDMADE_OBJECTS if name == "handmade" else HEAP_OBJECTS)
                ok &= met
                rows.append((name, mode, exact, len(objects), seconds, met))
                for miss_name, expected, got in missed:
                    print("miss %s/%s %s\n  target:  %s\n  py-walk: %s"
                          % (name, mode, miss_name, expected[:300], got[:300]))
    print("%-9s %-9s %13s %9s %s" % ("corpus", "mode", "exact", "seconds", "goal"))
    for name, mode, exact, total, seconds, met in rows:
        print("%-9s %-9s %6d/%-6d %9.1f %s" % (name, mode, exact, total, seconds,
                                            "met" if met else "NOT met"))
    print("goal: at most %d misses of the handmade corpus (%d objects or more) and %d of the "
          "heap's %d, in every mode: %s" % (CORPORA["handmade"][1], HANDMADE_OBJECTS,
                                           CORPORA["heap"][1], HEAP_OBJECTS,
                                           "met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
