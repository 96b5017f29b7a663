"""``gdbinit [--install]``: the ``source`` line that loads gdb-cpywalker into gdb.

gdb embeds its own Python, which does not see the environment (venv, site-packages) this
package was installed into: ``source``-ing ``gdbinit.py`` by its full path is what makes
gdb load it. ``--install`` appends that line to ``~/.gdbinit`` once.
"""

import os

from ..errors import UsageError

NAME = "gdbinit"
HELP = "print the 'source' line that loads gdb-cpywalker into gdb (--install: add it to ~/.gdbinit)"


def add_arguments(parser):
    parser.add_argument("--install", action="store_true",
                        help="append the line to ~/.gdbinit unless it is there already")
    parser.add_argument("--file", metavar="FILE", default="~/.gdbinit",
                        help="the gdb init file --install edits (default: ~/.gdbinit)")


def source_line():
    """``source /abs/path/gdb_cpywalker/gdbinit.py`` for this installed copy."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return "source %s" % os.path.join(package, "gdbinit.py")


def run(args):
    line = source_line()
    if not args.install:
        print(line)
        return 0
    path = os.path.expanduser(args.file)
    try:
        with open(path, "a+") as handle:
            handle.seek(0)
            text = handle.read()
            if line in text.splitlines():
                print("%s already loads gdb-cpywalker: %s" % (args.file, line))
                return 0
            handle.write(("" if not text or text.endswith("\n") else "\n") + line + "\n")
    except OSError as error:
        raise UsageError("cannot write %s: %s" % (path, error.strerror)) from None
    print("added to %s: %s" % (args.file, line))
    return 0
