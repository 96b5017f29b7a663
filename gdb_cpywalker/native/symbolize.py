"""Names of native code addresses, as gdb's ``bt`` names them without debug info.

The function symbols of each mapped ELF file (``.symtab`` when present, else ``.dynsym``:
all a stripped build has) with their sizes: an address inside a symbol's extent gets its
name; an address in a static function of a stripped library gets none (the caller prints
``library+offset``), where a nearest-preceding-symbol lookup would wrongly say it is in the
exported function before it. Of aliases at one address (``select``/``__select``,
``read``/``__read``) the greatest name in byte order wins, as gdb's minimal symbol
lookup picks it.
"""

import bisect
from collections import namedtuple

#: ``name`` (None: no symbol covers the address), ``path`` of the object file (None:
#: not in a mapped file), ``offset`` the link-time address (address minus load bias).
Location = namedtuple("Location", "name path offset")


class Symbolizer:
    """Address -> ``Location`` for a target, from its ``MappedSymbols`` and ``CodeMap``."""

    def __init__(self, symbols, code_map):
        self.symbols = symbols
        self.code_map = code_map
        self._tables = {}
        self._found = {}

    def locate(self, pc, exact=True):
        """Where ``pc`` is; a return address (``exact=False``) is looked up at ``pc - 1``,
        inside the call instruction, as gdb does."""
        if (pc, exact) not in self._found:
            self._found[pc, exact] = self._locate(pc, exact)
        return self._found[pc, exact]

    def _locate(self, pc, exact):
        lookup = pc if exact else pc - 1
        path = self.code_map.path_at(lookup)
        if path is None:
            return Location(None, None, None)
        bias = self.symbols.load_bias(path)
        if bias is None:
            return Location(None, path, None)
        return Location(self._name(path, lookup - bias), path, pc - bias)

    def _table(self, path):
        if path not in self._tables:
            elf = self.symbols.elf(path)
            groups = {}
            for symbol in elf.function_symbols() if elf is not None else ():
                groups.setdefault(symbol.value, []).append(symbol)
            starts = sorted(groups)
            self._tables[path] = (starts, [groups[start] for start in starts])
        return self._tables[path]

    def _name(self, path, address):
        starts, groups = self._table(path)
        index = bisect.bisect_right(starts, address) - 1
        zero_sized = None
        for candidate in (index, index - 1):
            if candidate < 0:
                break
            start = starts[candidate]
            sized = [symbol for symbol in groups[candidate] if symbol.size]
            if not sized and candidate == index:
                zero_sized = _preferred(groups[candidate])
                continue
            covering = [symbol for symbol in sized if address < start + symbol.size]
            if covering:
                return _preferred(covering)
        return zero_sized


def _preferred(symbols):
    return max(symbols, key=lambda symbol: symbol.name.encode()).name
