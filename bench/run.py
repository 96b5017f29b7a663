"""``make bench``: run every bench/bench_*.py in turn; each prints its own table and ratios.

The package is byte-compiled first, as ``pip install`` does: a command timed from process
start (the CLI, gdb loading gdbinit.py) then measures what a user's installed copy costs,
not the compilation of every module, which PYTHONDONTWRITEBYTECODE would repeat per run.
"""

import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(os.path.dirname(HERE), "gdb_cpywalker")


def main():
    status = 0
    only = sys.argv[1:]
    subprocess.check_call([sys.executable, "-m", "compileall", "-q", PACKAGE])
    for script in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        name = os.path.basename(script)[len("bench_"):-3]
        if only and name not in only:
            continue
        print("== %s ==" % name, flush=True)
        status |= subprocess.call([sys.executable, script])
    return status


if __name__ == "__main__":
    sys.exit(main())
