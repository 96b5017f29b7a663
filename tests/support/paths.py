"""Where the project, the python2.7 under test and its stripped copy are."""

import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GDBINIT = os.path.join(ROOT, "gdb_cpywalker", "gdbinit.py")
TARGETS = os.path.join(ROOT, "tests", "targets")
BUILD = os.path.join(ROOT, "build")
STRIPPED = os.path.join(BUILD, "python27-stripped")


def python27():
    """The python2.7 binary under test (PYTHON27, else what tools/find-python27.sh finds)."""
    found = os.environ.get("PYTHON27") or subprocess.check_output(
        [os.path.join(ROOT, "tools", "find-python27.sh")], text=True).strip()
    return found


def python27_prefix():
    return os.path.dirname(os.path.dirname(python27()))


def clean_env(**extra):
    """The environment for gdb and targets: no PYTHONHOME/PYTHONPATH leaking into gdb's Python."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP")}
    env.update(extra)
    return env
