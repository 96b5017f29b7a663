"""A real python2.7 program under test, started and held at a handshake.

The target script prints one JSON line (``{"pid": ..., ...}``) when it is ready and
then blocks reading stdin; ``Target.close`` lets it go and reaps it.
"""

import json
import os
import subprocess

from .paths import STRIPPED, TARGETS, clean_env, python27


class Target:
    """``Target("objects.py")`` runs tests/targets/objects.py; ``stripped=True`` uses the stripped copy."""

    def __init__(self, script, args=(), stripped=False, timeout=60, env=None, python_home=STRIPPED,
                 launcher=None):
        """``env``: more environment variables; ``python_home``: the stripped copy to run;
        ``launcher(argv, env) -> (argv, env)`` may wrap the command (a namespace, a copy)."""
        path = script if os.path.isabs(script) else os.path.join(TARGETS, script)
        if stripped:
            executable = os.path.join(python_home, "bin", "python2.7")
            env = clean_env(PYTHONHOME=python_home, LD_LIBRARY_PATH=os.path.join(python_home, "lib"),
                            **(env or {}))
        else:
            executable = python27()
            env = clean_env(**(env or {}))
        argv = [executable, "-u", path] + list(args)
        if launcher:
            argv, env = launcher(argv, env)
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.pid = self.process.pid
        self.info = self._handshake(timeout)

    def _handshake(self, timeout):
        import select
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            self.close()
            raise RuntimeError("target gave no handshake line")
        return json.loads(line.decode())

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
