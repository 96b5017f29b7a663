"""After ``pip install`` into a fresh venv: the ``gdb-cpywalker`` script calls itself by that
name, and ``gdb-cpywalker gdbinit [--install]`` makes gdb (whose Python does not see the
venv) load the installed copy from ~/.gdbinit, once."""

import os
import shutil
import subprocess
import sys

import pytest

from support.paths import ROOT, clean_env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(the installed gdb-cpywalker script, the venv's site-packages folder)``."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"  # a copy: building must not write into the checkout
    shutil.copytree(os.path.join(ROOT, "gdb_cpywalker"), source / "gdb_cpywalker",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), source / name)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "-q", "--no-deps", str(source)], check=True, capture_output=True, env=clean_env())
    site = subprocess.check_output([str(venv / "bin" / "python"), "-c",
                                    "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True)
    return str(venv / "bin" / "gdb-cpywalker"), site.strip()


def run(argv, home):
    return subprocess.run(argv, env=clean_env(HOME=str(home)), cwd=str(home), capture_output=True,
                          text=True, timeout=120)


def test_the_script_uses_its_own_name(installed, tmp_path):
    script, _ = installed
    usage = run([script, "--help"], tmp_path).stdout
    assert usage.startswith("usage: gdb-cpywalker [-h] [--debug] COMMAND ...")
    assert "python3 -m" not in usage
    assert run([script, "bt", "--help"], tmp_path).stdout.startswith("usage: gdb-cpywalker bt [-h]")
    result = run([sys.executable, "-m", "gdb_cpywalker", "--help"], ROOT)
    assert result.stdout.startswith("usage: %s -m gdb_cpywalker [-h]" % os.path.basename(sys.executable))


def test_gdbinit_prints_and_installs_the_source_line_once(installed, tmp_path):
    script, site = installed
    line = "source %s" % os.path.join(site, "gdb_cpywalker", "gdbinit.py")
    assert run([script, "gdbinit"], tmp_path).stdout == line + "\n"
    (tmp_path / ".gdbinit").write_text("set pagination off")  # no final newline: one is added
    assert run([script, "gdbinit", "--install"], tmp_path).stdout == "added to ~/.gdbinit: %s\n" % line
    again = run([script, "gdbinit", "--install"], tmp_path).stdout
    assert again == "~/.gdbinit already loads gdb-cpywalker: %s\n" % line
    assert (tmp_path / ".gdbinit").read_text() == "set pagination off\n%s\n" % line
    gdb = run(["gdb", "-q", "-batch", "-ex", "python import gdb_cpywalker; print(gdb_cpywalker.__file__)",
               "-ex", "help py-walk"], tmp_path)
    assert gdb.stdout.splitlines()[0] == os.path.join(site, "gdb_cpywalker", "__init__.py"), gdb.stderr
    assert "py-walk" in gdb.stdout and "Undefined command" not in gdb.stderr
    bad = run([script, "gdbinit", "--install", "--file", "/nonexistent/dir/gdbinit"], tmp_path)
    assert (bad.returncode, bad.stderr) == (
        1, "gdbinit: cannot write /nonexistent/dir/gdbinit: No such file or directory\n")
