"""``make bench``: run every bench/bench_*.py in turn; each prints its own table and ratios."""

import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    status = 0
    only = sys.argv[1:]
    for script in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        name = os.path.basename(script)[len("bench_"):-3]
        if only and name not in only:
            continue
        print("== %s ==" % name, flush=True)
        status |= subprocess.call([sys.executable, script])
    return status


if __name__ == "__main__":
    sys.exit(main())
