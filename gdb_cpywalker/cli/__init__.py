"""The standalone command line: ``python3 -m gdb_cpywalker SUBCOMMAND ...``.

Each subcommand is a module of this package with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> exit status``; errors are one line.
"""

import argparse
import importlib
import os
import signal
import sys
import traceback

from ..errors import CpywalkerError

#: Subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS = ["info", "statm", "read", "write", "bt", "walk", "origins", "report", "heap", "refs", "gdbinit"]


class _Parser(argparse.ArgumentParser):
    """argparse whose refusals are one line, ``COMMAND: message``, as every other error."""

    def error(self, message):
        self.exit(2, "%s: %s (--help for usage)\n" % (self.prog.split()[-1], message))


def program_name(argv0=None):
    """How the user ran us: the installed script's name, else ``python3 -m gdb_cpywalker``."""
    name = os.path.basename(sys.argv[0] if argv0 is None else argv0)
    if not name or name in ("__main__.py", "-c", "-m") or name.endswith(".py"):
        return "%s -m gdb_cpywalker" % (os.path.basename(sys.executable) or "python3")
    return name


def build_parser(prog=None):
    parser = _Parser(
        prog=prog or program_name(),
        description="Inspect the memory and CPython 2.7 objects of a live process or a core file.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for module_name in SUBCOMMANDS:
        module = importlib.import_module("." + module_name, __name__)
        sub = subparsers.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show tracebacks on errors")
        sub.set_defaults(handler=module.run, parser=sub)
    return parser


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C, so that a target held stopped (``-S``)
    gets its SIGCONT and ptrace'd threads are detached, then exit 128 + the signal."""


def _terminate(signum, _frame):
    for number in (signal.SIGTERM, signal.SIGHUP):  # once: the clean-up is not cut short
        signal.signal(number, signal.SIG_IGN)
    raise _Terminated(signum)


def _drop_stdout():
    """Point stdout at /dev/null: what is still buffered for a closed pipe is dropped, and
    the interpreter's flush at exit does not complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv=None):
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the subcommand's parser, so the line names the subcommand
        args.parser.error("unrecognized arguments: %s" % " ".join(extra))
    for number in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(number) is not signal.SIG_IGN:  # nohup stays nohup
            signal.signal(number, _terminate)
    try:
        return args.handler(args) or 0
    except _Terminated as terminated:
        return 128 + terminated.args[0]
    except BrokenPipeError:  # the reader of stdout went away (| head): stop quietly
        _drop_stdout()
        return 0
    except (CpywalkerError, OSError) as error:
        if args.debug:
            traceback.print_exc()
        sys.stderr.write("%s: %s\n" % (args.command, error))
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: still one line, as in gdb, unless --debug
        if args.debug:
            traceback.print_exc()
        sys.stderr.write("%s: internal error: %s: %s (--debug for details)\n"
                         % (args.command, type(error).__name__, error))
        return 1
