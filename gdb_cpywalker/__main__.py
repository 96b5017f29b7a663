"""``python3 -m gdb_cpywalker``: the standalone command line."""

import sys

from .cli import main

sys.exit(main())
