"""Names of native code addresses, as gdb's ``bt`` names them without debug info.

The function symbols of each mapped ELF file (``.symtab`` when present, else ``.dynsym``:
all a stripped build has) with their sizes: an address inside a symbol's extent gets its
name; an address in a static function of a stripped library gets none (the caller prints
``library+offset``), where a nearest-preceding-symbol lookup would wrongly say it is in the
exported function before it. Of aliases at one address (``select``/``__select``,
``read``/``__read``) the greatest name in byte order wins, as gdb's minimal symbol
lookup picks it. A symbol without a size names what follows it in its own section only:
glibc's ``_init`` (size 0, in ``.init``) does not name the static functions of ``.text``.
"""

import bisect
from collections import namedtuple

from ..target.elf import SHF_ALLOC

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
        """``(starts, groups, sections)``: symbol addresses, the symbols at each, and the
        ``(start, end)`` of the file's allocated sections (empty without section headers)."""
        if path not in self._tables:
            elf = self.symbols.elf(path)
            groups = {}
            for symbol in elf.function_symbols() if elf is not None else ():
                groups.setdefault(symbol.value, []).append(symbol)
            starts = sorted(groups)
            sections = sorted((section.addr, section.addr + section.size)
                              for section in getattr(elf, "sections", ())
                              if section.flags & SHF_ALLOC and section.addr and section.size)
            self._tables[path] = (starts, [groups[start] for start in starts], sections)
        return self._tables[path]

    def _name(self, path, address):
        starts, groups, sections = self._table(path)
        index = bisect.bisect_right(starts, address) - 1
        zero_sized = None
        for candidate in (index, index - 1):
            if candidate < 0:
                break
            start = starts[candidate]
            sized = [symbol for symbol in groups[candidate] if symbol.size]
            if not sized and candidate == index:
                if _section(sections, start) == _section(sections, address):  # gdb: not _init for .text
                    zero_sized = _preferred(groups[candidate])
                continue
            covering = [symbol for symbol in sized if address < start + symbol.size]
            if covering:
                return _preferred(covering)
        return zero_sized


def _section(sections, address):
    """The ``(start, end)`` of the section holding ``address``, or None."""
    index = bisect.bisect_right(sections, (address, float("inf"))) - 1
    if index >= 0 and address < sections[index][1]:
        return sections[index]
    return None


def _preferred(symbols):
    return max(symbols, key=lambda symbol: symbol.name.encode()).name
