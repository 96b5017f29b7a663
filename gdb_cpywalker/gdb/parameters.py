"""``set/show cpywalker ...`` parameters: declared here, read anywhere with ``value(name)``."""

import os

import gdb

from .memory import MEMORY_KINDS

_PARAMETERS = {}


class _Prefix(gdb.Command):
    """``set cpywalker`` alone lists the settings; ``show cpywalker`` alone shows them all."""

    def __init__(self, name, doc):
        self.__doc__ = doc
        self._name = name
        super().__init__(name, gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)

    def invoke(self, argument, from_tty):
        self.dont_repeat()
        if argument.strip():
            raise gdb.GdbError('Undefined %s command: "%s".  Try "help %s".'
                               % (self._name, argument.strip(), self._name))
        if self._name.startswith("set"):
            gdb.write(gdb.execute("help " + self._name, to_string=True))
            return
        for name in sorted(_PARAMETERS):
            shown = gdb.execute("show cpywalker " + name, to_string=True)
            gdb.write("%s: %s" % (name, shown))


#: What ``help set cpywalker NAME`` says a setting takes, below its one-line doc.
_VALUES = {gdb.PARAM_BOOLEAN: "On or off.", gdb.PARAM_ZUINTEGER_UNLIMITED: "A number, or unlimited."}


class _Parameter(gdb.Parameter):
    def __init__(self, name, kind, default, doc, choices=None):
        self.set_doc = "Set " + doc
        self.show_doc = "Show " + doc
        self.__doc__ = _VALUES.get(kind, "") if not choices else "One of: %s." % ", ".join(choices)
        if choices:
            super().__init__("cpywalker " + name, gdb.COMMAND_DATA, kind, list(choices))
        else:
            super().__init__("cpywalker " + name, gdb.COMMAND_DATA, kind)
        self.value = default
        self._doc = doc

    def get_show_string(self, svalue):
        return "%s is %s." % (self._doc[0].upper() + self._doc[1:], svalue)

    def get_set_string(self):
        return ""


def declare(name, kind, default, doc, choices=None):
    """Declare ``set cpywalker NAME``; modules call this next to the code that reads it."""
    if name not in _PARAMETERS:
        _PARAMETERS[name] = _Parameter(name, kind, default, doc, choices)
    return _PARAMETERS[name]


def value(name):
    parameter = _PARAMETERS.get(name)
    return None if parameter is None else parameter.value


def limit(name):
    """A ``PARAM_ZUINTEGER_UNLIMITED`` setting as a budget: its number, None for unlimited."""
    setting = value(name)
    return None if setting is None or setting < 0 else setting


def memory_kind(chosen=None):
    """The memory backend to use: ``chosen`` (a command's --memory), else ``set cpywalker memory``."""
    return chosen or value("memory") or "auto"


def color_enabled():
    """Colors only when gdb's styling is on; then ``set cpywalker color on``/``off`` decides,
    and ``auto`` colors when output goes to a terminal."""
    try:
        if not gdb.parameter("style enabled"):
            return False
    except RuntimeError:
        pass
    return value("color") != "off" and (value("color") == "on" or _stdout_is_tty())


def _stdout_is_tty():
    return os.isatty(1)


def register():
    _Prefix("set cpywalker", "Set gdb-cpywalker options.")
    _Prefix("show cpywalker", "Show gdb-cpywalker options.")
    declare("debug", gdb.PARAM_BOOLEAN, False, "whether command errors show a Python traceback")
    declare("memory", gdb.PARAM_ENUM, "auto", "how gdb-cpywalker reads target memory", MEMORY_KINDS)
    declare("color", gdb.PARAM_ENUM, "auto", "whether gdb-cpywalker colors its output",
            ("auto", "on", "off"))
