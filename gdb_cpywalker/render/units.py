"""Sizes in binary units, both ways: ``20.00KiB`` out (as procmem prints), ``4k``/``1M`` in."""

import re

from ..errors import UsageError

_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
_SUFFIX = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*(0x[0-9a-f]+|\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def format_size(size):
    """``512B``, ``20.00KiB``, ``3.38MiB``: two decimals in the largest unit below 1024."""
    if size < 1024:
        return "%dB" % size
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return "%.2f%s" % (value, unit)


def parse_size(text):
    """``4096``, ``0x1000``, ``4k``, ``1M``, ``1MiB``, ``2g`` -> bytes; UsageError otherwise."""
    match = _SIZE.match(text)
    if not match:
        raise UsageError("not a size: %r (examples: 4096, 4k, 1M)" % text)
    number, suffix = match.groups()
    value = int(number, 16) if number.lower().startswith("0x") else float(number)
    size = value * _SUFFIX[suffix.lower()]
    if size != int(size):
        raise UsageError("not a whole number of bytes: %r" % text)
    return int(size)
