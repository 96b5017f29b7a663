"""The base of every gdb command: argparse options, one-line errors, expressions as addresses."""

import argparse
import contextlib
import re
import traceback

import gdb

from ..errors import CpywalkerError, UsageError
from ..render.units import format_size
from . import parameters
from .truncation import core_truncation
from .memory import live_local_pid


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


@contextlib.contextmanager
def no_inferior_calls():
    """``set may-call-functions off`` while evaluating: ``py-walk f()`` must not run ``f``."""
    previous = gdb.parameter("may-call-functions")
    gdb.execute("set may-call-functions off", to_string=True)
    try:
        yield
    finally:
        gdb.execute("set may-call-functions %s" % ("on" if previous else "off"), to_string=True)


#: Values that stand for where they live, as ``x`` takes them: ``x main``, ``x buffer``.
_BY_ADDRESS = (gdb.TYPE_CODE_FUNC, gdb.TYPE_CODE_ARRAY, gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION)
_IDENTIFIER = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*$")


def integer_of(expression):
    """The whole-number value of a gdb expression, never calling a function in the target;
    a float is refused, not truncated.

    A function, array, struct or union is its address; so is a bare symbol without debug
    info (``_Py_NoneStruct`` of a stripped build), which gdb cannot take the value of.
    """
    with no_inferior_calls():
        try:
            value = gdb.parse_and_eval(expression)
        except gdb.error as error:
            if not _IDENTIFIER.match(expression):
                raise UsageError(str(error)) from None
            try:
                value = gdb.parse_and_eval("&" + expression.strip())
            except gdb.error:
                raise UsageError(str(error)) from None
    try:
        code = value.type.strip_typedefs().code
        if code in _BY_ADDRESS and value.address is not None:
            value = value.address
        elif code == gdb.TYPE_CODE_FLT:
            raise UsageError("%s is not a whole number" % expression.strip())
        if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
            value = value.cast(gdb.lookup_type("unsigned long"))
        return int(value)
    except gdb.error as error:
        raise UsageError(str(error)) from None


def address_of(expression):
    """The address a gdb expression names (``$rdi``, ``op``, ``&x``, ``main``, ``0x1000+8``)."""
    return integer_of(expression) & ((1 << 64) - 1)


def option_table(parser, extra_values):
    """``{option string: values}`` of ``parser``: None for a flag, () when any value goes."""
    table = {}
    for action in parser._actions:
        for option in action.option_strings:
            if action.nargs == 0:
                table[option] = None
            else:
                table[option] = tuple(action.choices or extra_values.get(option, ()))
    return table


def target_is_running():
    """True when a thread of the selected inferior runs (``continue &``, non-stop mode)."""
    return any(thread.is_running() for thread in gdb.selected_inferior().threads())


class CpywalkerCommand(gdb.Command):
    """Subclasses set ``parser`` and implement ``run(args, from_tty)``.

    The first line of the class docstring becomes gdb's one-line help; the parser's
    usage and option help are appended to ``help COMMAND``.
    """

    command_name = None
    parser = None
    repeats = False
    #: Whether the command follows pointers through memory: a running target gets a note.
    walks_memory = False
    #: Option -> values it completes to, beyond the parser's ``choices`` (py-walk: 'unlimited').
    option_values = {}

    def __init__(self):
        self.__doc__ = (self.__doc__ or "").strip() + "\n\n" + self.parser.format_help()
        super().__init__(self.command_name, gdb.COMMAND_DATA)

    def complete(self, text, word):
        """Options, then the values of the option before the cursor; else gdb expressions."""
        words = text.split()
        current = "" if not words or text[-1:].isspace() else words[-1]
        previous = words[-1] if current == "" and words else (words[-2] if len(words) > 1 else None)
        options = option_table(self.parser, self.option_values)
        if previous in options and options[previous] is not None:
            candidates = options[previous]
            if not candidates:
                return gdb.COMPLETE_NONE
        elif current.startswith("-"):
            candidates = sorted(options)
        else:
            return gdb.COMPLETE_EXPRESSION
        # gdb replaces only ``word`` (it breaks words at '-'): drop what precedes it.
        skip = len(current) - len(word or "")
        return [value[skip:] for value in candidates if value.startswith(current)]

    def invoke(self, argument, from_tty):
        if not self.repeats:
            self.dont_repeat()
        try:
            args = self.parser.parse_args(gdb.string_to_argv(argument))
            if self.walks_memory and target_is_running():
                gdb.write("%s: note: the target is running, so what it reads may be changing; "
                          "'interrupt' stops it\n" % self.command_name, gdb.STDERR)
            if self.walks_memory:
                self._note_truncated_core()
            self.run(args, from_tty)
        except _HelpShown:
            pass
        except (CpywalkerError, gdb.error, OverflowError, ValueError) as error:
            self.fail(error)
        except KeyboardInterrupt:
            raise gdb.GdbError("%s: interrupted" % self.command_name) from None
        except Exception as error:  # a bug of ours: still one line unless debugging
            self.fail(error, bug=True)

    def _note_truncated_core(self):
        """A core file cut short lacks memory its objects point into: say so before reading."""
        truncation = live_local_pid() is None and core_truncation()
        if truncation:
            missing, file_size = truncation
            gdb.write("%s: note: the core file is truncated at offset %d: %s of the target's memory "
                      "is not in it (mem-info marks where)\n"
                      % (self.command_name, file_size, format_size(sum(end - start for start, end in missing))),
                      gdb.STDERR)

    def fail(self, error, bug=False):
        if parameters.value("debug"):
            traceback.print_exc()
        text = str(error) or type(error).__name__
        if bug:
            text = "internal error: %s: %s (set cpywalker debug on for details)" % (type(error).__name__, text)
        raise gdb.GdbError("%s: %s" % (self.command_name, text)) from None

    def run(self, args, from_tty):
        raise NotImplementedError
