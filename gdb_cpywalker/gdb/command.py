"""The base of every gdb command: argparse options, one-line errors, expressions as addresses."""

import argparse
import traceback

import gdb

from ..errors import CpywalkerError, UsageError
from . import parameters


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of exiting gdb."""

    def error(self, message):
        raise UsageError(message)

    def exit(self, status=0, message=None):
        if message:
            gdb.write(message)
        raise _HelpShown()


class _HelpShown(Exception):
    """``--help`` was printed; nothing else to do."""


def make_parser(command, description):
    return _Parser(prog=command, description=description, add_help=True)


def address_of(expression):
    """The integer value of a gdb expression (``$rdi``, ``op``, ``&x``, ``0x1000+8``)."""
    try:
        value = gdb.parse_and_eval(expression)
        if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
            value = value.cast(gdb.lookup_type("unsigned long"))
        return int(value) & ((1 << 64) - 1)
    except gdb.error as error:
        raise UsageError(str(error)) from None


class CpywalkerCommand(gdb.Command):
    """Subclasses set ``parser`` and implement ``run(args, from_tty)``.

    The first line of the class docstring becomes gdb's one-line help; the parser's
    usage and option help are appended to ``help COMMAND``.
    """

    command_name = None
    parser = None
    repeats = False

    def __init__(self):
        self.__doc__ = (self.__doc__ or "").strip() + "\n\n" + self.parser.format_help()
        # A subclass with a ``complete`` method completes itself; others complete expressions.
        completer = () if hasattr(self, "complete") else (gdb.COMPLETE_EXPRESSION,)
        super().__init__(self.command_name, gdb.COMMAND_DATA, *completer)

    def invoke(self, argument, from_tty):
        if not self.repeats:
            self.dont_repeat()
        try:
            args = self.parser.parse_args(gdb.string_to_argv(argument))
            self.run(args, from_tty)
        except _HelpShown:
            pass
        except (CpywalkerError, gdb.error, OverflowError, ValueError) as error:
            self.fail(error)
        except KeyboardInterrupt:
            raise gdb.GdbError("%s: interrupted" % self.command_name) from None
        except Exception as error:  # a bug of ours: still one line unless debugging
            self.fail(error, bug=True)

    def fail(self, error, bug=False):
        if parameters.value("debug"):
            traceback.print_exc()
        text = str(error) or type(error).__name__
        if bug:
            text = "internal error: %s: %s (set cpywalker debug on for details)" % (type(error).__name__, text)
        raise gdb.GdbError("%s: %s" % (self.command_name, text)) from None

    def run(self, args, from_tty):
        raise NotImplementedError
