"""Typed errors of gdb-cpywalker: every failure a user can meet is one of these.

Front ends (gdb commands, the CLI) print ``str(error)`` as one line; only
``set cpywalker debug on`` shows a traceback.
"""


class CpywalkerError(Exception):
    """Base of every error this package raises on purpose."""


class UsageError(CpywalkerError):
    """Bad arguments: unknown flag, non-number length, absurd size."""


class MemoryAccessError(CpywalkerError):
    """``size`` bytes at ``address`` could not be read or written."""

    verb = "access"

    def __init__(self, address, size, reason="not mapped"):
        self.address = address
        self.size = size
        self.reason = reason
        super().__init__("cannot %s %d bytes at %#x (%s)" % (self.verb, size, address, reason))


class MemoryReadError(MemoryAccessError):
    verb = "read"


class MemoryWriteError(MemoryAccessError):
    verb = "write"


class DecodeError(CpywalkerError):
    """The bytes at ``address`` are not a valid object of the expected kind."""

    def __init__(self, address, message):
        self.address = address
        self.message = message
        super().__init__("%s at %#x" % (message, address))


class UnsupportedTarget(CpywalkerError):
    """The target is not a CPython 2.7 this package can decode."""


class TargetError(CpywalkerError):
    """The target process or core cannot be opened or inspected."""


class ProcessGone(TargetError):
    """The live target process died (or is a zombie) while we were reading it.

    Unlike other read failures it is never turned into an error node: a walk stops at
    the first read that finds the process gone.
    """

    def __init__(self, pid, note=None):
        self.pid = pid
        super().__init__("process %d is gone%s" % (pid, " (%s)" % note if note else ""))
