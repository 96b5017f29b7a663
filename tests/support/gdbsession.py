"""A real gdb (``gdb -nx``) driven with pexpect, with gdb-cpywalker sourced."""

import json
import os
import re
import tempfile

import pexpect

from .paths import GDBINIT, ROOT, clean_env

PROMPT = "(gdb-test) "
INPUTRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "inputrc")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class GdbSession:
    """``GdbSession(["-p", str(pid)])``; ``cmd("mem-info")`` returns the output text."""

    def __init__(self, args=(), source=True, style=False, timeout=120, width=400):
        self.child = pexpect.spawn(
            "gdb", ["-nx", "-q", "-iex", "set prompt " + PROMPT,
                    "-iex", "set pagination off"] + list(args),
            env=clean_env(TERM="xterm", INPUTRC=INPUTRC), cwd=ROOT,
            encoding="utf-8", codec_errors="replace", timeout=timeout, dimensions=(50, width))
        self.child.expect_exact(PROMPT)
        for setting in ("set pagination off", "set width 0", "set height 0", "set confirm off",
                        "set style enabled " + ("on" if style else "off")):
            self.cmd(setting)
        if source:
            self.cmd("source " + GDBINIT)

    def cmd(self, line, timeout=-1):
        """Run one command; return its output (echo, prompt and \\r removed)."""
        self.child.sendline(line)
        self.child.expect_exact(PROMPT, timeout=timeout)
        out = self.child.before.replace("\r\n", "\n").replace("\r", "")
        if out.startswith(line):
            out = out[len(line):]
        return out.lstrip("\n")

    def plain(self, line, timeout=-1):
        """``cmd`` with ANSI color sequences removed."""
        return _ANSI.sub("", self.cmd(line, timeout))

    def alive(self):
        return self.cmd("print 1+1").strip().endswith("= 2")

    def close(self):
        if self.child.isalive():
            self.child.sendline("detach")
            self.child.sendline("quit")
            self.child.expect(pexpect.EOF, timeout=30)
        self.child.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def walk_all(gdb, addresses):
    """``py-walk --format repr`` with no limits of each address, in one gdb command
    (tests/support/gdb_walk_all.py): the texts, in order."""
    with tempfile.TemporaryDirectory() as scratch:
        given, taken = os.path.join(scratch, "in.json"), os.path.join(scratch, "out.json")
        with open(given, "w") as handle:
            json.dump(list(addresses), handle)
        gdb.cmd("python import os; os.environ['CPYWALKER_CORPUS_IN'] = %r; "
                "os.environ['CPYWALKER_CORPUS_OUT'] = %r" % (given, taken))
        reply = gdb.cmd("source " + os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "gdb_walk_all.py"), timeout=1800)
        if not os.path.exists(taken):
            raise RuntimeError("walking the addresses failed: %s" % reply.strip()[-500:])
        with open(taken) as handle:
            return json.load(handle)
