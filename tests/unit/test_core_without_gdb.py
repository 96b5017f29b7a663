"""The core never imports gdb: every module outside gdb_cpywalker/gdb imports with gdb unavailable."""

import os
import subprocess
import sys

from support.paths import ROOT

CHECK = r"""
import importlib, pkgutil, sys
sys.modules["gdb"] = None          # any 'import gdb' now raises ImportError
import gdb_cpywalker
names = []
for info in pkgutil.walk_packages(gdb_cpywalker.__path__, "gdb_cpywalker."):
    if info.name.startswith("gdb_cpywalker.gdb") or info.name == "gdb_cpywalker.__main__":
        continue
    importlib.import_module(info.name)
    names.append(info.name)
print(len(names))
"""


def core_module_count():
    count = 0
    for folder, _, files in os.walk(os.path.join(ROOT, "gdb_cpywalker")):
        if os.path.relpath(folder, ROOT).startswith(os.path.join("gdb_cpywalker", "gdb")):
            continue
        top = os.path.relpath(folder, ROOT) == "gdb_cpywalker"  # the gdb loader and python -m entry
        count += sum(1 for f in files if f.endswith(".py") and not (top and f in ("gdbinit.py", "__main__.py")))
    return count


def test_every_core_module_imports_without_gdb():
    out = subprocess.check_output([sys.executable, "-c", CHECK], cwd=ROOT, text=True)
    assert int(out) == core_module_count() - 1  # the package __init__ itself is not listed


def test_gdb_frontend_needs_gdb():
    result = subprocess.run([sys.executable, "-c", "import gdb_cpywalker.gdb.command"],
                            cwd=ROOT, capture_output=True, text=True)
    assert "No module named 'gdb'" in result.stderr
