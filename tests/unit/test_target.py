"""target/: the ELF reader on real libpython files, symbols from a memory map, build detection."""

import os
import struct

import pytest

from gdb_cpywalker.errors import UnsupportedTarget
from gdb_cpywalker.memory import ImageMemory
from gdb_cpywalker.procfs import Region
from gdb_cpywalker.target.detect import PythonTarget, detect_python, unicode_width
from gdb_cpywalker.target.elf import ElfError, ElfFile
from gdb_cpywalker.target.symbols import MappedSymbols, Symbols

from support.paths import STRIPPED, python27_prefix

STRIPPED_LIBPYTHON = os.path.join(STRIPPED, "lib", "libpython2.7.so.1.0")
BASE = 0x7f0000000000
VERSION_TEXT = b"2.7.18 (default, Nov 23 2026, 01:02:03) \n[GCC 12.2.0]\0"


@pytest.fixture(scope="module")
def stripped_elf():
    return ElfFile(STRIPPED_LIBPYTHON)


def test_stripped_libpython_keeps_dynsym_and_sections(stripped_elf):
    assert stripped_elf.pointer_size == 8 and not stripped_elf.has_debug_info
    text = stripped_elf.section(".text")
    function = stripped_elf.symbol("Py_GetVersion")
    assert text.addr <= function.value < text.addr + text.size
    assert stripped_elf.symbol("PyUnicodeUCS4_FromString") is not None
    assert stripped_elf.symbol("PyUnicodeUCS2_FromString") is None
    assert stripped_elf.symbol("malloc") is None  # imported, not defined


def test_debug_libpython_has_the_same_exported_addresses(stripped_elf):
    debug = ElfFile(os.path.join(python27_prefix(), "lib", "libpython2.7.so.1.0"))
    assert debug.has_debug_info
    for name in ("Py_GetVersion", "_Py_NoneStruct", "PyList_Type"):
        assert debug.symbol(name).value == stripped_elf.symbol(name).value


def test_not_elf_and_truncated_files_are_elf_errors(tmp_path):
    text = tmp_path / "text"
    text.write_bytes(b"just text, not an object file")
    truncated = tmp_path / "truncated"
    with open(STRIPPED_LIBPYTHON, "rb") as handle:
        truncated.write_bytes(handle.read(40))
    for path in (text, truncated, tmp_path / "missing"):
        with pytest.raises(ElfError):
            ElfFile(str(path))


def _symbols(path=STRIPPED_LIBPYTHON):
    """A memory map with ``path`` loaded at BASE, as /proc/PID/maps would show it."""
    return MappedSymbols([Region(BASE, BASE + 0x3d000, "r--p", 0, path=path),
                          Region(BASE + 0x3d000, BASE + 0x145000, "r-xp", 0x3d000, path=path),
                          Region(BASE + 0x200000, BASE + 0x201000, "rw-p", 0)])


def test_mapped_symbols_apply_the_load_bias(stripped_elf):
    symbols = _symbols()
    assert symbols.libpython() == (STRIPPED_LIBPYTHON, BASE)
    assert symbols.address("Py_GetVersion") == BASE + stripped_elf.symbol("Py_GetVersion").value
    assert symbols.address("no_such_symbol") is None
    data = stripped_elf.section(".data")
    assert symbols.section(STRIPPED_LIBPYTHON, ".data") == (BASE + data.addr, BASE + data.addr + data.size)


def _memory_with_version(symbols, text):
    start, end = symbols.section(STRIPPED_LIBPYTHON, ".data")
    data = bytearray(end - start)
    data[1000:1000 + len(text)] = text
    return ImageMemory([(start, bytes(data))])


def test_detect_reads_the_version_from_memory_and_the_unicode_width_from_symbols():
    symbols = _symbols()
    memory = _memory_with_version(symbols, VERSION_TEXT)
    assert detect_python(memory, symbols) == PythonTarget("2.7.18", 8, 4)


def test_detect_refuses_another_python_version():
    symbols = _symbols()
    memory = _memory_with_version(symbols, b"3.11.7 (main, Jan 1 2026, 00:00:00) [GCC 12.2.0]\0")
    with pytest.raises(UnsupportedTarget, match="Python 3.11.7 .*CPython 2.7 only"):
        detect_python(memory, symbols)


def test_detect_without_interpreter_is_a_clear_error():
    symbols = MappedSymbols([Region(BASE, BASE + 0x1000, "r--p", 0, path="/nonexistent/libfoo.so")])
    with pytest.raises(UnsupportedTarget, match="no CPython interpreter"):
        detect_python(ImageMemory(), symbols)


def test_detect_falls_back_to_the_library_name_when_memory_is_unreadable():
    assert detect_python(ImageMemory(), _symbols()).version == "2.7"


def _elf32_image():
    """A minimal ELF32 shared object: one PT_LOAD, .dynsym with a defined and an undefined symbol."""
    dynstr = b"\0Py_GetVersion\0imported\0"
    shstrtab = b"\0.dynsym\0.dynstr\0.shstrtab\0"
    dynsym = (struct.pack("<IIIBBH", 0, 0, 0, 0, 0, 0)
              + struct.pack("<IIIBBH", 1, 0x8049000, 16, 0x12, 0, 1)
              + struct.pack("<IIIBBH", 15, 0, 0, 0x12, 0, 0))
    header_size, phdr_size = 52, 32
    dynsym_at = header_size + phdr_size
    dynstr_at = dynsym_at + len(dynsym)
    shstrtab_at = dynstr_at + len(dynstr)
    sections_at = shstrtab_at + len(shstrtab)
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    header = struct.pack("<HHIIIIIHHHHHH", 3, 3, 1, 0, header_size, sections_at, 0, header_size,
                         phdr_size, 1, 40, 4, 3)
    phdr = struct.pack("<IIIIIIII", 1, 0, 0x8048000, 0x8048000, sections_at, sections_at, 5, 0x1000)
    sections = (bytes(40)
                + struct.pack("<IIIIIIIIII", 1, 11, 2, 0x8048000 + dynsym_at, dynsym_at, len(dynsym), 2, 1, 4, 16)
                + struct.pack("<IIIIIIIIII", 9, 3, 2, 0x8048000 + dynstr_at, dynstr_at, len(dynstr), 0, 0, 1, 0)
                + struct.pack("<IIIIIIIIII", 17, 3, 0, 0, shstrtab_at, len(shstrtab), 0, 0, 1, 0))
    return ident + header + phdr + dynsym + dynstr + shstrtab + sections


def test_elf32_symbols_and_load_address(tmp_path):
    path = tmp_path / "lib32.so"
    path.write_bytes(_elf32_image())
    elf = ElfFile(str(path))
    assert elf.pointer_size == 4 and elf.first_load_vaddr == 0x8048000
    assert [section.name for section in elf.sections] == ["", ".dynsym", ".dynstr", ".shstrtab"]
    assert elf.symbol("Py_GetVersion").value == 0x8049000
    assert elf.symbol("imported") is None and "imported" in elf.symbols()


class _ExportedOnly(Symbols):
    """Symbols that know only which names are exported (no object files, no debug info)."""

    def __init__(self, names):
        super().__init__()
        self.names = names

    def address(self, name):
        return 0x1000 if name in self.names else None


def test_unicode_width_from_exported_names():
    assert unicode_width(_ExportedOnly({"PyUnicodeUCS2_FromString"})) == 2
    assert unicode_width(_ExportedOnly({"PyUnicodeUCS4_FromString"})) == 4
    with pytest.raises(UnsupportedTarget, match="unicode width"):
        unicode_width(_ExportedOnly(set()))
