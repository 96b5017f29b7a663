"""`make demo`: start examples/demo_app.py under python2.7, attach gdb, run the commands.

Shows every gdb-cpywalker command that is registered; prints each command before its output.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GDBINIT = os.path.join(ROOT, "gdb_cpywalker", "gdbinit.py")


def gdb_batch(pid, commands):
    args = ["gdb", "-nx", "-q", "-batch", "-iex", "set auto-load python-scripts off",
            "-p", str(pid), "-ex", "source " + GDBINIT,
            "-ex", "set pagination off"]
    for command in commands:
        args += ["-ex", "echo \\n(gdb) %s\\n" % command.replace("\\", "\\\\"), "-ex", command]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
    return subprocess.call(args, env=env)


def registered(names):
    probe = subprocess.run(
        ["gdb", "-nx", "-q", "-batch", "-ex", "source " + GDBINIT]
        + [arg for name in names for arg in ("-ex", "help " + name)],
        capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")})
    return [name for name in names if 'Undefined command: "%s"' % name not in probe.stderr]


def main():
    python27 = os.environ.get("PYTHON27") or subprocess.check_output(
        [os.path.join(ROOT, "tools", "find-python27.sh")], text=True).strip()
    app = subprocess.Popen([python27, "-u", os.path.join(ROOT, "examples", "demo_app.py")],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        info = json.loads(app.stdout.readline().decode())
        print("demo_app.py is running as pid %d; orders list at %#x" % (info["pid"], info["orders"]))
        available = registered(["mem-info", "hexdump", "py-walk", "py-bt", "py-threads", "py-locals"])
        commands = []
        if "mem-info" in available:
            commands += ["mem-info -P '*libpython*'", "mem-info --smaps -P '[heap]'", "mem-info statm",
                         "mem-info %#x" % info["orders"]]
        if "hexdump" in available:
            commands += ["hexdump %#x 64" % info["first_order"]]
        if "py-walk" in available:
            commands += ["py-walk --format repr %#x" % info["orders"],
                         "py-walk --max-depth 2 %#x" % info["first_order"]]
        if "py-threads" in available:
            commands += ["py-threads"]
        if "py-bt" in available:
            commands += ["py-bt --locals"]
        status = gdb_batch(info["pid"], commands)
    finally:
        app.stdin.close()
        app.wait()
    return status


if __name__ == "__main__":
    sys.exit(main())
