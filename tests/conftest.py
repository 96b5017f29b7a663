"""Shared fixtures. A missing gdb or python2.7 is a failure, never a skip."""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support.paths import STRIPPED, python27  # noqa: E402


@pytest.fixture(scope="session")
def python27_binary():
    path = python27()
    assert os.path.exists(path), "python2.7 not found: set PYTHON27"
    return path


@pytest.fixture(scope="session")
def gdb_binary():
    path = shutil.which("gdb")
    assert path, "gdb is required: apt-get install gdb"
    return path


@pytest.fixture(scope="session")
def stripped_python():
    binary = os.path.join(STRIPPED, "bin", "python2.7")
    assert os.path.exists(binary), "stripped python2.7 missing: run 'make prepare'"
    return binary
