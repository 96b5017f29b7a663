"""``hexdump -C`` text with absolute addresses, built fast enough for megabytes.

    00007f3a1c000000  48 65 6c 6c 6f 00 00 00  01 00 00 00 00 00 00 00  |Hello...........|

A row that repeats the one before it collapses to ``*`` (``-v`` keeps every row), a
final partial row is padded as ``hexdump -C`` pads it, and the dump ends with the
address after its last byte.

Speed: no Python loop per row. Each slice of rows is laid out at once: a template of
blank lines is repeated, then each column of bytes (``data[k::16]``) is translated to
its high digits, low digits and ASCII characters, each copied into the template with
one strided slice assignment. Identical rows are found with big-integer XOR, and only
the rows kept are laid out.

Colors (the hex column, byte by byte, from a per-byte role table): where a byte's role
differs from the byte before it in the row, the space in front of its hex digits is
replaced by a one-byte tag; one ``replace`` per role then turns the tags into
" " + ANSI escape. A run of same-colored bytes costs one escape and the layout keeps
its fixed width until that last step. The tags of all columns come from one
big-integer shift: the columns, joined, are compared with themselves one column on.
The escape of a row's first byte, always there, is written into the line like a column.
Each other escape costs ``replace`` some 20-35 ns: with a few per row, colored output
takes about twice as long as plain.
"""

import binascii
import itertools
import re
import struct

from . import color as colors

ROW = 16
#: Bytes laid out per pass: big enough to amortise the passes, small enough for the cache.
SLICE = 1 << 14

_ASCII = bytes(c if 0x20 <= c < 0x7f else 0x2e for c in range(256))
_HIGH_DIGIT = bytes(b"0123456789abcdef"[c >> 4] for c in range(256))
_LOW_DIGIT = bytes(b"0123456789abcdef"[c & 15] for c in range(256))
#: Control whitespace; the space is printable, so words of text keep one color.
_WHITESPACE = b"\t\n\r\x0b\x0c"
#: Color role of a byte, as the tag byte (1..5) that stands for it in the layout.
_ROLES = ("zero", "printable", "whitespace", "ff", "other")
_TAG = bytes(1 if c == 0 else 4 if c == 0xff else 3 if c in _WHITESPACE
             else 2 if 0x20 <= c < 0x7f else 5 for c in range(256))
#: (tag of the byte before << 3 | tag) -> the tag, or a space when the role did not change.
_TAG_IF_CHANGED = bytes(0x20 if code >> 3 == code & 7 else code & 7 for code in range(256))
_ZERO_TO_ONE = bytes([1] + [0] * 255)
_RUN = re.compile(b"\x01+")
#: "0000" "0001" ... "ffff": the four address digits above the lowest, for 65536 rows.
_ROW_DIGITS = bytearray(binascii.hexlify(struct.pack(">65536H", *range(65536))))


class _Layout:
    """Where each column goes in one line, and the blank line the columns are copied into."""

    def __init__(self, escapes):
        address_on = escapes.get("address", "").encode()
        reset = colors.RESET.encode() if escapes else b""
        # The first byte of a row always opens its role's color (which ends the address color).
        # When every role's escape has the same length, that escape is part of the line and
        # only its differing characters are copied in: ``opening`` (position, byte -> character).
        # Otherwise the first byte gets a tag as the others do: ``tagged`` are the columns with tags.
        firsts = [escapes.get(role, "").encode() for role in _ROLES]
        same_length = len(set(map(len, firsts))) == 1
        head = address_on + b" " * ROW + b"  " + (firsts[0] if same_length else b"")
        hex_area = b" " * (3 * ROW + 1)
        self.blank = head + hex_area + reset + b" |" + b" " * ROW + b"|\n"
        self.width = len(self.blank)
        self.address = len(address_on)
        self.hex = [len(head) + 3 * k + (k >= 8) for k in range(ROW)]
        self.ascii = [self.width - 2 - ROW + k for k in range(ROW)]
        self.tagged = range(1 if same_length else 0, ROW)
        self.opening = [(self.address + ROW + 2 + j, bytes(firsts[tag - 1][j] for tag in _TAG))
                        for j in range(len(firsts[0]) if same_length else 0)
                        if len({first[j] for first in firsts}) > 1]


class HexDumper:
    """Streams a dump: ``rows(address, data)`` pieces, ``gap()`` between ranges, ``end(address)``.

    ``data`` given to ``rows`` holds whole rows, except that a partial row may end it;
    after a partial row comes ``gap()`` or ``end()``. ``collapse=False`` is ``-v``.
    ``color`` uses the palette of render/color.py (plain when pygments is missing).
    """

    def __init__(self, collapse=True, color=False):
        self.collapse = collapse
        self.escapes = colors.palette() if color else {}
        self.layout = _Layout(self.escapes)
        self._tag_escapes = [(bytes([i + 1]), b" " + self.escapes.get(role, "").encode())
                             for i, role in enumerate(_ROLES) if self.escapes]
        self._previous = None
        self._in_run = False

    def gap(self):
        """The next row does not follow the last one: never collapse across."""
        self._previous = None
        self._in_run = False

    def end(self, address):
        """The closing line: the address just past the dump, as ``hexdump -C`` ends."""
        line = self._paint("%016x" % address, "address")
        return (line + "\n").encode()

    def rows(self, address, data):
        """Yield the text (ASCII bytes or bytearray) of ``data`` at ``address``, slice by slice."""
        whole = len(data) - len(data) % ROW
        for offset in range(0, whole, SLICE):
            piece = data[offset:min(offset + SLICE, whole)]
            yield self._full_rows(address + offset, piece)
        if whole < len(data):
            yield self._partial_row(address + whole, data[whole:])
            self.gap()

    def _full_rows(self, address, data):
        same = self._repeats(data) if self.collapse else b""
        self._previous = data[-ROW:]
        if 1 not in same:
            self._in_run = False
            return self._finish(self._lay_out(address, data))
        return self._finish(self._collapsed(address, data, same))

    def _repeats(self, data):
        """One flag per row: 1 where the row equals the row before it."""
        first = b"\x01" if data[:ROW] == self._previous else b"\x00"
        if len(data) == ROW:
            return first
        diff = int.from_bytes(data[ROW:], "little") ^ int.from_bytes(data[:-ROW], "little")
        for shift in (8, 16, 32, 64):          # OR each row's 16 bytes into its first byte
            diff |= diff >> shift
        row_diff = diff.to_bytes(len(data) - ROW, "little")[::ROW]
        return first + row_diff.translate(_ZERO_TO_ONE)

    def _collapsed(self, address, data, same):
        """Lay out only the rows that differ from the row before; each run of repeats is one ``*``."""
        stretches = []                         # (first row, end row) of each stretch kept
        first = 0
        for run in _RUN.finditer(same):
            stretches.append((first, run.start()))
            first = run.end()
        stretches.append((first, len(same)))
        kept = b"".join(data[start * ROW:end * ROW] for start, end in stretches)
        addresses = itertools.chain.from_iterable(
            range(address + start * ROW, address + end * ROW, ROW) for start, end in stretches)
        text = self._lay_out(address, kept, list(addresses))
        width = self.layout.width
        marker = (self._paint("*", "marker") + "\n").encode()
        pieces = []
        done = 0
        for index, (start, end) in enumerate(stretches):
            pieces.append(text[done * width:(done + end - start) * width])
            done += end - start
            continues_run = index == 0 and end == 0 and self._in_run
            if index < len(stretches) - 1 and not continues_run:
                pieces.append(marker)
        self._in_run = stretches[-1][0] == len(same)
        return b"".join(pieces)

    def _lay_out(self, address, data, addresses=None):
        """Fixed-width lines of ``data`` (colors still as tags): rows at ``address`` on, or at ``addresses``."""
        layout = self.layout
        width = layout.width
        out = self._blank_rows(address, len(data) // ROW, addresses)
        rows = bytearray(data)      # strided assignment copies any source that is not a bytearray
        columns = [rows[k::ROW] for k in range(ROW)]
        for k, column in enumerate(columns):
            out[layout.hex[k]::width] = column.translate(_HIGH_DIGIT)
            out[layout.hex[k] + 1::width] = column.translate(_LOW_DIGIT)
            out[layout.ascii[k]::width] = column.translate(_ASCII)
        if self.escapes:
            count = len(columns[0])
            tags = self._tags(bytearray().join(columns), count)
            for k in layout.tagged:
                out[layout.hex[k] - 1::width] = tags[k * count:(k + 1) * count]
            for position, characters in layout.opening:
                out[position::width] = columns[0].translate(characters)
        return out

    def _blank_rows(self, address, count, addresses=None):
        """``count`` blank lines with their addresses (``address`` on, or ``addresses``) filled in.

        Within 1 MiB only the four digits above the lowest change from row to row: the
        others go into the blank line once, those four come from a table.
        """
        layout = self.layout
        first = (address >> 4) & 0xffff
        if addresses is not None or first + count > 0x10000:
            out = bytearray(layout.blank) * count
            addresses = range(address, address + count * ROW, ROW) if addresses is None else addresses
            digits = bytearray(binascii.hexlify(struct.pack(">%dQ" % count, *addresses)))
            for k in range(ROW):
                out[layout.address + k::layout.width] = digits[k::ROW]
            return out
        start = layout.address
        blank = layout.blank[:start] + b"%016x" % address + layout.blank[start + ROW:]
        out = bytearray(blank) * count
        varying = _ROW_DIGITS[4 * first:4 * (first + count)]
        for k in range(4):
            out[start + 11 + k::layout.width] = varying[k::4]
        return out

    @staticmethod
    def _tags(columns, count):
        """For bytes laid out column by column (``count`` rows each), the color tag of each
        byte, or a space where its role is the role of the byte before it in its row."""
        tags = columns.translate(_TAG)
        value = int.from_bytes(tags, "little")
        # Each byte gains, in bits 3-5, the tag of the byte one column before (0 in column 0).
        both = (value | value << 8 * count + 3).to_bytes(len(tags) + count + 1, "little")
        return bytearray(both[:len(tags)]).translate(_TAG_IF_CHANGED)

    def _finish(self, out):
        """The text of laid out lines: color tags become escapes (bytes replace faster than bytearray)."""
        if not self._tag_escapes:
            return out
        text = bytes(out)
        for tag, escape in self._tag_escapes:
            text = text.replace(tag, escape)
        return text

    def _partial_row(self, address, row):
        """The last, short row: missing bytes are blanks, as ``hexdump -C`` pads them."""
        tokens = []
        for k in range(ROW):
            token = self._paint("%02x" % row[k], _ROLES[_TAG[row[k]] - 1]) if k < len(row) else "  "
            tokens.append((" " if k == 8 else "") + token + " ")
        line = "%s  %s |%s|\n" % (self._paint("%016x" % address, "address"), "".join(tokens),
                                   row.translate(_ASCII).decode())
        return line.encode()

    def _paint(self, text, role):
        return colors.paint(text, role, bool(self.escapes))


def hexdump(data, address=0, collapse=True, color=False):
    """The whole dump of ``data`` at ``address`` as one string (small dumps and tests)."""
    if not data:
        return ""
    dumper = HexDumper(collapse, color)
    return b"".join(list(dumper.rows(address, data)) + [dumper.end(address + len(data))]).decode()
