"""Each layer only imports the layers below it (docs/architecture.md): the front ends
(cli/, gdb/) never import each other, and nothing below them imports either."""

import ast
import os

from support.paths import ROOT

PACKAGE = os.path.join(ROOT, "gdb_cpywalker")

#: Layers, lowest first; modules of one level do not import each other's packages.
LEVELS = [
    ("errors",), ("procfs",), ("coremaps", "memory"), ("target",), ("corefile",), ("layouts",),
    ("decode",), ("render",), ("interp", "dump", "tracking"), ("heap", "native"), ("frontend",),
    ("cli", "gdb"), ("__main__", "gdbinit"),
]
LEVEL = {name: level for level, names in enumerate(LEVELS) for name in names}
#: decode.repr_at imports render.repr when it is called (documented in architecture.md).
UPWARD_ALLOWED = {("decode", "render")}


def imported_packages(path, package_parts):
    """The top-level packages of gdb_cpywalker that the module at ``path`` imports."""
    found = set()
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package_parts[:len(package_parts) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            found.add(target[0] if target else node.names[0].name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gdb_cpywalker."):
            found.add(node.module.split(".")[1])
    return found


def import_edges():
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, PACKAGE).split(os.sep)
            own = parts[0][:-3] if len(parts) == 1 else parts[0]
            if own == "__init__":
                continue
            for target in imported_packages(path, parts[:-1]) - {own}:
                yield os.path.relpath(path, ROOT), own, target


def test_every_package_has_a_level():
    names = {entry[:-3] if entry.endswith(".py") else entry for entry in os.listdir(PACKAGE)
             if entry != "__pycache__" and entry != "__init__.py"}
    assert names == set(LEVEL)


def test_imports_go_down_only():
    upward = ["%s imports %s/" % (path, target) for path, own, target in import_edges()
              if target in LEVEL and LEVEL[target] >= LEVEL[own] and (own, target) not in UPWARD_ALLOWED]
    assert upward == []
