"""The docs hold no absolute path of the machine they were made on: not the checkout, not a
home folder. Examples run from the repo root (relative paths) or use a neutral prefix (/opt/...)."""

import os
import re

from support.paths import ROOT

#: Folders of a checkout that are not documentation.
SKIPPED = {".git", ".venv", "build", ".pytest_cache", "node_modules", "__pycache__"}
#: Where checkouts and home folders live; a doc naming one was made on some machine.
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|root|home/[\w.-]+|Users/[\w.-]+)/[\w.-]")


def doc_files():
    found = []
    for folder, folders, files in os.walk(ROOT):
        folders[:] = [name for name in folders if name not in SKIPPED]
        found += [os.path.join(folder, name) for name in files if name.endswith((".md", ".rst"))]
    return sorted(found)


def machine_paths(text, checkout=ROOT, home=os.path.expanduser("~")):
    """``(line number, line)`` of each line naming ``checkout``, ``home`` or a machine path."""
    own = [re.compile(r"(?<![\w.~-])" + re.escape(path) + r"(?![\w.-])")
           for path in {checkout, os.path.realpath(checkout), home} if len(path) > 1]
    return [(number, line) for number, line in enumerate(text.splitlines(), 1)
            if MACHINE_PATH.search(line) or any(path.search(line) for path in own)]


def test_the_docs_are_found():
    names = {os.path.relpath(path, ROOT) for path in doc_files()}
    assert {"README.md", os.path.join("docs", "py-bt.md")} <= names


def test_no_doc_holds_a_path_of_this_machine():
    offenders = []
    for path in doc_files():
        with open(path, encoding="utf-8") as handle:
            for number, line in machine_paths(handle.read()):
                offenders.append("%s:%d: %s" % (os.path.relpath(path, ROOT), number, line.strip()))
    assert offenders == [], "docs name paths of the machine they were made on:\n" + "\n".join(offenders)


def test_the_check_catches_checkout_and_home_paths():
    checkout = "/srv/ci/clone-42"
    text = "\n".join([
        "  File \"/srv/ci/clone-42/tests/targets/threads.py\", line 3",    # the checkout itself
        "$ gdb -x /work/main/mmaptracker.gdb",                            # another checkout
        "(gdb) source /root/.pyenv/versions/2.7.18/bin/python2.7-gdb.py",  # a home folder
        "cd /home/alice/src && make",
        "ok: tests/targets/threads.py, /opt/python2.7/bin/python2.7, /proc/42/root/usr/lib",
        "ok: ~/.gdbinit, /tmp/doc/core.42, --sysroot /srv/crash/rootfs, /home/alicebob",
    ])
    assert [number for number, _ in machine_paths(text, checkout, "/home/alice")] == [1, 2, 3, 4]
    # root's home folder is /root: /proc/PID/root is not it
    assert machine_paths("read through `/proc/PID/root` and /proc/42/root/usr", checkout, "/root") == []
