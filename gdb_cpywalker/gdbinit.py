"""Load gdb-cpywalker into gdb: ``source /path/to/gdb_cpywalker/gdbinit.py``."""

import os
import sys

import gdb


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    if root not in sys.path:
        sys.path.insert(0, root)
    venv_site = _project_site_packages(root)
    if venv_site and venv_site not in sys.path:
        sys.path.append(venv_site)
    from gdb_cpywalker.gdb import register
    register()


def _project_site_packages(root):
    """The project's .venv site-packages, if it matches gdb's Python (optional pygments)."""
    version = "python%d.%d" % sys.version_info[:2]
    path = os.path.join(root, ".venv", "lib", version, "site-packages")
    return path if os.path.isdir(path) else None


_load()
