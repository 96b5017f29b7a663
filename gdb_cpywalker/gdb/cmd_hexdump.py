"""``hexdump ADDR [LEN]`` / ``hexdump -P PATTERN``: target memory as ``hexdump -C`` text.

Pressing Enter after a dump continues where it stopped, as ``x`` does. gdb repeats a
command by running its text again; a repeat is told apart from the same command typed
anew by gdb's command history, which an empty line does not extend (pwndbg's way).
"""

import gdb

from ..errors import TargetError, UsageError
from ..procfs import select_regions
from ..dump import DEFAULT_LENGTH, DEFAULT_MAX_BYTES, HUGE, checked_length, dump_memory, dump_regions
from ..render.hexdump import HexDumper
from ..render.units import format_size, parse_size
from . import parameters
from .command import CpywalkerCommand, address_of, integer_of, make_parser
from .memory import MEMORY_KINDS, open_memory
from .regions import current_regions

parser = make_parser("hexdump", "Dump target memory as 'hexdump -C' does, with absolute addresses.")
parser.add_argument("words", nargs="*", metavar="ADDR [LEN]",
                    help="ADDR: any gdb expression, spaces allowed ($sp + 8, &x, 0x7f...); LEN: "
                         "bytes to dump (default %d): 4096, 0x100, 4k, 1M or an expression"
                         % DEFAULT_LENGTH)
parser.add_argument("-v", "--verbose", action="store_true", help="show repeated rows instead of '*'")
parser.add_argument("-P", "--pattern", help="dump whole regions whose path matches this glob ('[heap]')")
parser.add_argument("--max-bytes", type=parse_size, default=DEFAULT_MAX_BYTES, metavar="N",
                    help="with -P: stop after N bytes in all (default %s)" % format_size(DEFAULT_MAX_BYTES))
parser.add_argument("--force", action="store_true", help="allow a LEN above %s" % format_size(HUGE))
parser.add_argument("--memory", choices=MEMORY_KINDS, help="how to read (default: set cpywalker memory)")


def _length(text):
    """LEN as a size (``4k``) or, failing that, as a gdb expression."""
    try:
        return parse_size(text)
    except UsageError:
        pass
    try:
        return integer_of(text)
    except UsageError as error:
        raise UsageError("bad length %r: %s" % (text, error)) from None


def _address_and_length(words):
    """(address, length) of ``ADDR [LEN]`` where ADDR may hold spaces: the last word is
    LEN and the rest ADDR, unless that does not evaluate; then all words are ADDR
    (``$sp + 8``). When neither evaluates, the error is the first reading's."""
    if len(words) == 1:
        return address_of(words[0]), DEFAULT_LENGTH
    try:
        return address_of(" ".join(words[:-1])), _length(words[-1])
    except UsageError as error:
        try:
            return address_of(" ".join(words)), DEFAULT_LENGTH
        except UsageError:
            raise error from None


def _history_number():
    """The number of gdb's last history entry, or None."""
    lines = gdb.execute("show commands", to_string=True).splitlines()
    words = lines[-1].split(None, 1) if lines else []
    return int(words[0]) if words and words[0].isdigit() else None


class HexdumpCommand(CpywalkerCommand):
    """Dump memory like hexdump -C: hexdump ADDR [LEN] | hexdump -P PATTERN [--max-bytes N]; Enter continues."""

    command_name = "hexdump"
    parser = parser
    repeats = True

    def __init__(self):
        super().__init__()
        self._continue = None       # (history number, next address, length) after the last dump
        self._history = None
        self._resume = None

    def invoke(self, argument, from_tty):
        self._history = _history_number() if from_tty else None
        last, self._continue = self._continue, None
        repeated = self._history is not None and last is not None and last[0] == self._history
        self._resume = last[1:] if repeated else None
        try:
            super().invoke(argument, from_tty)
        except gdb.GdbError:
            if self._resume:  # a failed continuation stays put: Enter tells the same again
                self._continue = (self._history,) + tuple(self._resume)
            raise

    def run(self, args, from_tty):
        kind = parameters.memory_kind(args.memory)
        dumper = HexDumper(collapse=not args.verbose, color=parameters.color_enabled())
        memory = open_memory(kind)
        if args.pattern is not None:
            self.dont_repeat()
            if args.words:
                raise UsageError("give ADDR or -P PATTERN, not both")
            chosen = select_regions(current_regions(kind), args.pattern)
            self._write(dump_regions(memory, chosen, dumper, args.max_bytes))
            return
        if self._resume:
            address, length = self._resume
        elif not args.words:
            raise UsageError("give an address (hexdump ADDR [LEN]) or -P PATTERN")
        else:
            address, length = _address_and_length(args.words)
            length = checked_length(length, args.force)
        self._write(dump_memory(memory, address, length, dumper, self._regions(kind)))
        self._continue = (self._history, address + length, length)

    @staticmethod
    def _regions(kind):
        try:
            return current_regions(kind)
        except TargetError:
            return None

    @staticmethod
    def _write(pieces):
        """Write the dump in large pieces: gdb's output path is slow per call."""
        batch, size = [], 0
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size >= 1 << 16:
                gdb.write("".join(batch))
                batch, size = [], 0
        gdb.write("".join(batch))
