"""A minimal ELF reader: headers, segments, sections, notes and symbol tables of ELF32/ELF64 LE files.

Layouts are declared once as data per ELF class; only what symbol lookup, load-bias
computation, build-ids and core files (``corefile/``) need is parsed. Everything is read
lazily from the file with ``pread``.
"""

import os
import struct
from collections import namedtuple

from ..errors import TargetError

ELFCLASS32, ELFCLASS64 = 1, 2
ELFDATA2LSB = 1
ET_EXEC, ET_DYN, ET_CORE = 2, 3, 4
PT_LOAD, PT_NOTE = 1, 4
#: p_flags bits.
PF_X, PF_W, PF_R = 1, 2, 4
NT_GNU_BUILD_ID = 3
#: Largest note segment read whole (a core's notes: registers of every thread, NT_FILE).
MAX_NOTES_SIZE = 64 << 20
SHT_SYMTAB, SHT_DYNSYM, SHT_NOBITS = 2, 11, 8
#: sh_flags: the section is in memory at run time.
SHF_ALLOC = 0x2
SHN_UNDEF = 0
#: e_phnum saying the real count is in section 0's sh_info (cores with >= 65535 mappings).
PN_XNUM = 0xFFFF
STT_FUNC, STT_TLS, STT_GNU_IFUNC = 2, 6, 10

_IDENT_SIZE = 16

#: (file header, program header, section header, symbol) struct formats per ELF class,
#: with the field names in the order the format yields them.
_FORMATS = {
    ELFCLASS32: ("<HHIIIIIHHHHHH", "<IIIIIIII", "<IIIIIIIIII", "<IIIBBH"),
    ELFCLASS64: ("<HHIQQQIHHHHHH", "<IIQQQQQQ", "<IIQQQQIIQQ", "<IBBHQQ"),
}
_HEADER_FIELDS = ("e_type e_machine e_version e_entry e_phoff e_shoff e_flags e_ehsize "
                  "e_phentsize e_phnum e_shentsize e_shnum e_shstrndx")
_PHDR_FIELDS = {
    ELFCLASS32: "p_type p_offset p_vaddr p_paddr p_filesz p_memsz p_flags p_align",
    ELFCLASS64: "p_type p_flags p_offset p_vaddr p_paddr p_filesz p_memsz p_align",
}
_SYM_FIELDS = {
    ELFCLASS32: "st_name st_value st_size st_info st_other st_shndx",
    ELFCLASS64: "st_name st_info st_other st_shndx st_value st_size",
}

Segment = namedtuple("Segment", "type flags offset vaddr filesz memsz")
Section = namedtuple("Section", "name type flags addr offset size link entsize")
Symbol = namedtuple("Symbol", "name value size type defined")
#: One ELF note: owner ``name`` ("CORE", "GNU", ...), ``type`` number and ``desc`` bytes.
Note = namedtuple("Note", "name type desc")
_NOTE_HEADER = struct.Struct("<III")


class ElfError(TargetError):
    """The file is not an ELF file this reader understands, or is truncated."""


class ElfFile:
    """``ElfFile(path)``: ``segments``, ``sections``, ``section(name)``, ``symbol(name)``, ``notes()``.

    ``fd``: an already open descriptor to read instead of opening ``path`` (closed with the
    file). ``image``: the first bytes of the file (as a core dumped them) to read instead:
    headers, segments and notes only, no sections.
    """

    def __init__(self, path, fd=None, image=None):
        self.path = path
        self._fd = fd
        self._image = image
        if fd is None and image is None:
            try:
                self._fd = os.open(path, os.O_RDONLY)
            except OSError as error:
                raise ElfError("cannot open %s: %s" % (path, error.strerror)) from None
        #: Bytes in the file: no offset or size read from it is trusted past this.
        self.file_size = len(image) if image is not None else os.fstat(self._fd).st_size
        try:
            self._parse_headers()
        except (struct.error, ElfError):
            self.close()
            raise ElfError("%s: not a little-endian ELF file" % path) from None
        self._symbols = None

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self):
        self.close()

    def read(self, offset, size):
        if offset + size > self.file_size:  # a damaged header's offset or size: not read, not allocated
            raise ElfError("%s: truncated at offset %#x" % (self.path, min(offset, self.file_size)))
        if self._image is not None:
            data = self._image[offset:offset + size]
        else:
            data = os.pread(self._fd, size, offset)
        if len(data) != size:
            raise ElfError("%s: truncated at offset %#x" % (self.path, offset))
        return data

    def _parse_headers(self):
        ident = self.read(0, _IDENT_SIZE)
        if ident[:4] != b"\x7fELF" or ident[5] != ELFDATA2LSB or ident[4] not in _FORMATS:
            raise ElfError(self.path)
        self.elf_class = ident[4]
        self.pointer_size = 8 if self.elf_class == ELFCLASS64 else 4
        header_format, phdr_format, shdr_format, self._sym_format = (
            struct.Struct(f) for f in _FORMATS[self.elf_class])
        header = dict(zip(_HEADER_FIELDS.split(), header_format.unpack(
            self.read(_IDENT_SIZE, header_format.size))))
        self.type = header["e_type"]
        self.machine = header["e_machine"]
        try:
            raw_sections = [] if self._image is not None else self._table(
                header["e_shoff"], header["e_shnum"], header["e_shentsize"], shdr_format, None,
                lambda values: values)
        except ElfError:  # a damaged section table: no sections (a core needs none)
            raw_sections = []
        phnum = header["e_phnum"]
        if phnum == PN_XNUM and raw_sections:  # more segments than e_phnum holds: sh_info of section 0
            phnum = raw_sections[0][7]
        self.segments = self._table(header["e_phoff"], phnum, header["e_phentsize"],
                                    phdr_format, _PHDR_FIELDS[self.elf_class], self._segment)
        self.sections = []
        if raw_sections and header["e_shstrndx"] < len(raw_sections):
            names = raw_sections[header["e_shstrndx"]]
            try:
                names_data = self.read(names[4], names[5]) if names[1] != SHT_NOBITS else b""
            except ElfError:
                names_data = b""
            for (name, kind, flags, addr, offset, size, link, _info, _align, entsize) in raw_sections:
                self.sections.append(Section(_cstring(names_data, name), kind, flags, addr,
                                             offset, size, link, entsize))

    def _table(self, offset, count, entry_size, entry_format, field_names, build):
        if not offset or not count:
            return []
        if entry_size < entry_format.size:
            raise ElfError(self.path)
        data = self.read(offset, count * entry_size)
        rows = [entry_format.unpack_from(data, i * entry_size) for i in range(count)]
        if field_names:
            names = field_names.split()
            return [build(dict(zip(names, row))) for row in rows]
        return [build(row) for row in rows]

    @staticmethod
    def _segment(fields):
        return Segment(fields["p_type"], fields["p_flags"], fields["p_offset"], fields["p_vaddr"],
                       fields["p_filesz"], fields["p_memsz"])

    def section(self, name):
        """The first section called ``name``, or None."""
        for section in self.sections:
            if section.name == name:
                return section
        return None

    @property
    def load_segments(self):
        return [segment for segment in self.segments if segment.type == PT_LOAD]

    @property
    def first_load_vaddr(self):
        """Page-aligned virtual address of the first PT_LOAD: where mapping offset 0 lands."""
        loads = self.load_segments
        if not loads:
            return 0
        first = min(loads, key=lambda segment: segment.vaddr)
        return (first.vaddr - first.offset) & ~0xFFF

    def notes(self):
        """Every note of the PT_NOTE segments, in file order."""
        for segment in self.segments:
            if segment.type == PT_NOTE and 0 < segment.filesz <= MAX_NOTES_SIZE:
                yield from iter_notes(self.read(segment.offset, segment.filesz))

    def build_id(self):
        """The GNU build-id (hex text) of this file, or None."""
        for note in self.notes():
            if note.name == "GNU" and note.type == NT_GNU_BUILD_ID:
                return note.desc.hex()
        return None

    @property
    def has_debug_info(self):
        return self.section(".debug_info") is not None

    def symbols(self):
        """Every named symbol of .symtab and .dynsym: {name: Symbol}, defined ones win."""
        if self._symbols is None:
            table = {}
            for kind in (SHT_DYNSYM, SHT_SYMTAB):
                for symbol in self._read_symbols(kind):
                    known = table.get(symbol.name)
                    if known is None or (symbol.defined and not known.defined):
                        table[symbol.name] = symbol
            self._symbols = table
        return self._symbols

    def symbol(self, name):
        """The defined symbol called ``name`` (value is a link-time address), or None."""
        symbol = self.symbols().get(name)
        return symbol if symbol is not None and symbol.defined else None

    def function_symbols(self):
        """Every defined function symbol of .symtab and .dynsym (aliases and local
        duplicates included), as ``Symbol``s sorted by address."""
        found = set()
        for kind in (SHT_SYMTAB, SHT_DYNSYM):
            for symbol in self._read_symbols(kind):
                if symbol.defined and symbol.value and symbol.type in (STT_FUNC, STT_GNU_IFUNC):
                    found.add(symbol)
        return sorted(found, key=lambda symbol: (symbol.value, symbol.name))

    def _read_symbols(self, kind):
        fields = _SYM_FIELDS[self.elf_class].split()
        for section in self.sections:
            if section.type != kind or not section.entsize or section.link >= len(self.sections):
                continue
            strings = self.sections[section.link]
            names = self.read(strings.offset, strings.size)
            data = self.read(section.offset, section.size)
            step = section.entsize
            for offset in range(step, len(data) - step + 1, step):
                entry = dict(zip(fields, self._sym_format.unpack_from(data, offset)))
                name = _cstring(names, entry["st_name"])
                if name:
                    symbol_type = entry["st_info"] & 0xF
                    yield Symbol(name, entry["st_value"], entry["st_size"], symbol_type,
                                 entry["st_shndx"] != SHN_UNDEF and symbol_type != STT_TLS)

    def __repr__(self):
        return "<ElfFile %s ELF%d>" % (self.path, self.pointer_size * 8)


def iter_notes(data):
    """The ``Note``s packed in ``data`` (a PT_NOTE segment): name and desc 4-byte aligned.

    A note running past the end of ``data`` ends the iteration.
    """
    offset = 0
    while offset + _NOTE_HEADER.size <= len(data):
        name_size, desc_size, kind = _NOTE_HEADER.unpack_from(data, offset)
        name_start = offset + _NOTE_HEADER.size
        desc_start = name_start + _align4(name_size)
        end = desc_start + _align4(desc_size)
        if desc_start + desc_size > len(data):
            return
        name = data[name_start:name_start + name_size].rstrip(b"\0").decode("ascii", "replace")
        yield Note(name, kind, data[desc_start:desc_start + desc_size])
        offset = end


def _align4(size):
    return (size + 3) & ~3


def _cstring(data, offset):
    end = data.find(b"\0", offset)
    return data[offset:end if end >= 0 else len(data)].decode("utf-8", "replace")
