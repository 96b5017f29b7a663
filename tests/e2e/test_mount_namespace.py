"""A python2.7 in its own mount namespace (a container's view): its libpython, stdlib link
and script exist only on a tmpfs mounted inside the namespace, over a folder that is empty
outside. gdb outside it finds the interpreter through /proc/PID/root (py-bt, py-walk, the
source lines), as the CLI does; a core of it opens with ``set sysroot`` pointing at a copy
of those files.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from support.gdbsession import GdbSession
from support.paths import ROOT, STRIPPED, TARGETS, clean_env
from support.target import Target

#: The line the main thread of threads.py waits on: readable only inside the namespace.
WAIT_LINE = "    libc.read(fd, buffer, 1) if HOLD_GIL else sys.stdin.readline()"


def namespaced(mount_point):
    """A ``Target`` launcher: the stripped python2.7 and the script copied to a tmpfs at
    ``mount_point``, mounted in a private mount namespace, and run from there."""
    python_home = os.path.join(mount_point, "py")
    script = os.path.join(mount_point, "app.py")

    def launch(argv, env):
        inner = [os.path.join(python_home, "bin", "python2.7"), "-u", script] + argv[3:]
        shell = "mount -t tmpfs cpywalker-test %s && cp -a %s %s && cp %s %s && exec %s" % (
            shlex.quote(mount_point), shlex.quote(STRIPPED), shlex.quote(python_home),
            shlex.quote(argv[2]), shlex.quote(script), " ".join(shlex.quote(word) for word in inner))
        env = dict(env, PYTHONHOME=python_home, LD_LIBRARY_PATH=os.path.join(python_home, "lib"))
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", shell], env
    return launch


@pytest.fixture(scope="module")
def contained(tmp_path_factory):
    """The namespaced target, the mount point (empty here) and its handshake."""
    mount_point = str(tmp_path_factory.mktemp("container-root"))
    with Target(os.path.join(TARGETS, "threads.py"), launcher=namespaced(mount_point)) as target:
        assert os.listdir(mount_point) == []
        maps = open("/proc/%d/maps" % target.pid).read()
        assert os.path.join(mount_point, "py", "lib", "libpython2.7.so.1.0") in maps
        yield target, mount_point


def check_stacks(output, info):
    """Every thread's frames, outermost first, and the namespace-only source line."""
    assert "(found by exported)" in output.splitlines()[0], output
    frames = [line for line in output.splitlines() if line.startswith("  File ")]
    for thread in info["threads"]:
        expected = ['  File "%s", line %d, in %s' % tuple(entry) for entry in thread["stack"]]
        assert all(line in frames for line in expected), (expected, output)
    assert len(frames) == sum(len(thread["stack"]) for thread in info["threads"])
    assert WAIT_LINE in output.splitlines(), output


def test_gdb_outside_the_namespace_reads_the_target_through_proc_root(contained):
    target, mount_point = contained
    info = target.info
    assert info["script"] == os.path.join(mount_point, "app.py")
    with GdbSession(["-p", str(target.pid)]) as gdb:
        check_stacks(gdb.cmd("py-bt"), info)
        walked = gdb.cmd("py-walk --format repr %#x" % info["global_marker_id"])
        assert walked.strip() == "'global-marker-value'", walked
        alpha = [thread for thread in info["threads"] if thread["name"] == "worker-alpha"][0]
        names = gdb.cmd("py-locals --thread %d --frame 1" % alpha["ident"])
        assert "  label = u'alpha-\\xe9'  (unicode at %#x)" % alpha["locals"]["alpha_inner"]["label"][1] in names
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker", "bt", "-p", str(target.pid)],
                            cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    check_stacks(result.stdout, info)


def test_core_of_the_contained_process_opens_with_set_sysroot(contained, tmp_path):
    target, mount_point = contained
    core = str(tmp_path / "contained.core")
    with GdbSession(["-p", str(target.pid)], source=False) as gdb:
        assert "Saved corefile" in gdb.cmd("gcore " + core)
    sysroot = tmp_path / "sysroot"
    inside = sysroot / mount_point.lstrip("/")
    inside.mkdir(parents=True)
    (inside / "py").symlink_to(STRIPPED)
    shutil.copy(os.path.join(TARGETS, "threads.py"), str(inside / "app.py"))
    executable = os.path.join(STRIPPED, "bin", "python2.7")
    with GdbSession(["-iex", "set sysroot " + str(sysroot), executable, core]) as gdb:
        check_stacks(gdb.cmd("py-bt"), target.info)
        assert re.match(r"'global-marker-value'\s*$", gdb.cmd("py-walk --format repr %#x"
                                                              % target.info["global_marker_id"]))
