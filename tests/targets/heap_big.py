"""A heap big enough for a census to take seconds: N (int, str) tuples (3 objects each)."""

import json
import os
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 600000
rows = [(i, "row-%d" % i) for i in range(N)]
print(json.dumps({"pid": os.getpid(), "rows": N}))
sys.stdout.flush()
sys.stdin.readline()
