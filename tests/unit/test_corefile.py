"""corefile/ on synthetic kernel-style and gcore-style cores (tests/unit/corebuilder.py): notes,
registers, memory from the core and from mapped files, every unreadable reason, truncation,
bad cores, compressed cores and stdin, --sysroot/--lib-path/--exe and build-id checks, regions."""

import bz2
import gzip
import lzma
import struct
import subprocess
import sys

import pytest
import zstandard

from corebuilder import PAGE, SampleCore, build_core, elf_header
from gdb_cpywalker.corefile import CoreFile, CoreFileError, open_core
from gdb_cpywalker.errors import MemoryReadError
from gdb_cpywalker.memory import PageCache
from support.paths import ROOT

SAMPLE = SampleCore()


@pytest.fixture
def sample(tmp_path):
    """(core path, sysroot holding the library) of SAMPLE."""
    sysroot = tmp_path / "sysroot"
    return SAMPLE.write(tmp_path, sysroot=sysroot), str(sysroot)


def test_threads_registers_process_and_signal(sample):
    with CoreFile(sample[0]) as core:
        assert [thread.lwp for thread in core.threads] == [4242, 4243]
        first = core.threads[0]
        assert first.signal == 11 and first.registers["rip"] == 0x401000
        assert list(first.registers)[:3] == ["r15", "r14", "r13"] and len(first.registers) == 27
        assert core.pthread_id(first) == 0x7F00000AA000
        assert core.thread_of(0x7F00000BB000).lwp == 4243 and core.thread_of(1) is None
        assert core.main_thread() is first
        assert core.stack_pointer(first) == SampleCore.STACK + 0x800
        assert core.process.fname == "app" and core.process.psargs == "app --serve"
        assert core.describe() == "core file %s of PID 4242 (app --serve), signal SIGSEGV at 0x10" % sample[0]
        assert core.truncated_at is None
        assert core.executable_mapping().path == SampleCore.LIB_PATH


def test_memory_from_the_core_and_from_the_mapped_file(sample):
    with open_core(sample[0], sysroot=sample[1]) as core:
        memory = PageCache(core.memory)
        assert memory.read(SampleCore.HEAP, 2 * PAGE) == SAMPLE.heap
        # the library's first page is the core's dump; its code page (filesz 0) comes from the file
        assert memory.read(SampleCore.LIB, PAGE) == SAMPLE.library[:PAGE]
        assert memory.read(SampleCore.LIB + PAGE - 8, 16) == SAMPLE.library[PAGE - 8:PAGE + 8]
        assert memory.read(SampleCore.LIB + 2 * PAGE, PAGE) == SAMPLE.library[2 * PAGE:]
        reasons = {address: core.memory.unreadable_reason(address) for address in
                   (SampleCore.RESERVED, SampleCore.LIB + 3 * PAGE, 0x10)}
        assert reasons == {SampleCore.RESERVED: "not in the core file (---p: not dumped)",
                           SampleCore.LIB + 3 * PAGE: "not mapped", 0x10: "not mapped"}
        with pytest.raises(MemoryReadError) as error:
            memory.read(SampleCore.RESERVED + 8, 8)
        assert str(error.value) == ("cannot read 8 bytes at %#x (not in the core file (---p: not dumped))"
                                    % (SampleCore.RESERVED + 8))


def test_a_mapped_file_not_found_here_says_where_to_look(tmp_path):
    core = open_core(SAMPLE.write(tmp_path))
    assert core.memory.read_partial(SampleCore.LIB + PAGE, 8) == b""
    assert core.memory.unreadable_reason(SampleCore.LIB + PAGE) == (
        "not in the core file, and /lib/libfake.so is not readable here (--sysroot DIR, --lib-path DIR)")
    core.close()


def test_lib_path_and_build_id_checks(tmp_path):
    folder = tmp_path / "libs"
    folder.mkdir()
    (folder / "libfake.so").write_bytes(SAMPLE.library)
    path = SAMPLE.write(tmp_path)
    with open_core(path, lib_path=[str(folder)]) as core:
        assert core.locator.local_path(SampleCore.LIB_PATH) == str(folder / "libfake.so")
        assert core.memory.read_partial(SampleCore.LIB + PAGE, 4) == SAMPLE.library[PAGE:PAGE + 4]
    other = SampleCore(build_id=bytes(20)).write(tmp_path, "core.other")
    with open_core(other, lib_path=[str(folder)]) as core:
        assert core.locator.local_path(SampleCore.LIB_PATH) is None
        assert core.memory.unreadable_reason(SampleCore.LIB + PAGE) == (
            "not in the core file, and %s is another build than the one the core mapped as "
            "/lib/libfake.so (build-id 000102030405, core 000000000000)" % (folder / "libfake.so"))
    with pytest.raises(CoreFileError) as error:
        open_core(other, exe=str(folder / "libfake.so"))
    assert str(error.value).startswith("--exe %s is not the program of this core: " % (folder / "libfake.so"))
    with pytest.raises(CoreFileError, match="--exe /nonexistent: no such file"):
        open_core(path, exe="/nonexistent")
    with pytest.raises(CoreFileError, match="--sysroot /nonexistent: not a directory"):
        open_core(path, sysroot="/nonexistent")


def test_regions_named_and_with_perms(sample):
    with open_core(sample[0], sysroot=sample[1]) as core:
        rows = [(hex(r.start), r.perms, r.offset, r.path) for r in core.regions()]
    assert rows == [
        (hex(SampleCore.RESERVED), "---p", 0, ""),
        (hex(SampleCore.LIB), "r--p", 0, "/lib/libfake.so"),
        (hex(SampleCore.LIB + PAGE), "r-xp", PAGE, "/lib/libfake.so"),
        (hex(SampleCore.VDSO), "r-xp", 0, "[vdso]"),
        (hex(SampleCore.HEAP), "rw-p", 0, "[heap]"),
        (hex(SampleCore.STACK), "rw-p", 0, "[stack]"),
    ]


def test_gcore_style_code_mapping_takes_the_files_segment_perms(tmp_path):
    """gcore writes no segment for a mapping it did not dump: the library's own PT_LOAD says r-x."""
    sysroot = tmp_path / "sysroot"
    path = SampleCore(gcore_style=True).write(tmp_path, sysroot=sysroot)
    with open_core(path, sysroot=str(sysroot)) as core:
        code = [r for r in core.regions() if r.start == SampleCore.LIB + PAGE][0]
        assert code.perms == "r-xp"
        assert core.memory.read_partial(SampleCore.LIB + PAGE, 8) == SAMPLE.library[PAGE:PAGE + 8]
    with open_core(path) as core:  # the file is not here: nothing says what the perms were
        assert [r.perms for r in core.regions() if r.start == SampleCore.LIB + PAGE] == ["???p"]


def test_truncated_core_says_where_it_was_cut(tmp_path):
    cut = len(SAMPLE.data) - PAGE - 100  # 100 bytes before the end of the heap's dump
    path = tmp_path / "core.cut"
    path.write_bytes(SAMPLE.data[:cut])
    with open_core(str(path)) as core:
        assert core.file.truncated_at == cut
        assert core.warnings() == ["%s: truncated core file: memory past offset %d is missing" % (path, cut)]
        with pytest.raises(MemoryReadError) as error:
            core.memory.read(SampleCore.HEAP + 2 * PAGE - 16, 16)
        assert str(error.value).endswith("(not in the core file (truncated at offset %d))" % cut)
        with pytest.raises(MemoryReadError) as error:
            core.memory.read(SampleCore.HEAP, 2 * PAGE)
        assert "(only %d readable, then not in the core file (truncated at offset %d))" % (
            2 * PAGE - 100, cut) in str(error.value)


@pytest.mark.parametrize("data, message", [
    (b"", "{path} is not a core file (empty)"),
    (b"hello, world\n" * 4, "{path} is not a core file (not an ELF file)"),
    (elf_header(3, 0), "{path} is a shared library or PIE executable, not a core file"),
    (elf_header(4, 0, elf_class=1), "{path}: only 64-bit little-endian cores are supported"),
    (SAMPLE.data[:100], "{path}: truncated core file (100 bytes): its ELF headers are cut"),
    (SAMPLE.data[:64 + 7 * 56 + 40], "{path}: truncated core file (496 bytes): its notes are missing"),
    (build_core([], b""), "{path}: damaged core file: no NT_PRSTATUS note (no thread)"),
])
def test_bad_cores_are_one_line_errors(tmp_path, data, message):
    path = tmp_path / "bad"
    path.write_bytes(data)
    with pytest.raises(CoreFileError) as error:
        open_core(str(path))
    assert str(error.value) == message.format(path=path)


def test_compressed_cores_read_as_the_plain_one(tmp_path):
    for kind, compress in (("gzip", gzip.compress), ("xz", lzma.compress), ("bzip2", bz2.compress),
                           ("zstd", zstandard.ZstdCompressor().compress)):
        path = tmp_path / ("core." + kind)
        path.write_bytes(compress(SAMPLE.data))
        with open_core(str(path)) as core:
            assert core.file.source.compression == kind
            assert core.memory.read(SampleCore.HEAP, 2 * PAGE) == SAMPLE.heap
            assert core.warnings() == []
    cut = tmp_path / "cut.gz"
    compressed = gzip.compress(SAMPLE.data)
    cut.write_bytes(compressed[:len(compressed) * 3 // 4])
    with open_core(str(cut)) as core:
        assert core.file.source.truncated_stream and core.file.truncated_at is not None
        assert core.warnings()[0].startswith("%s: the gzip stream ends early (" % cut)
    lz4 = tmp_path / "core.lz4"
    lz4.write_bytes(b"\x04\x22\x4d\x18" + bytes(100))
    with pytest.raises(CoreFileError, match="core.lz4 is lz4-compressed: decompress it first"):
        open_core(str(lz4))


def test_standard_input_plain_and_compressed(tmp_path):
    script = ("import sys; from gdb_cpywalker.corefile import open_core; core = open_core('-'); "
              "print(core.file.describe(), core.file.source.compression)")
    for data in (SAMPLE.data, gzip.compress(SAMPLE.data)):
        out = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True,
                             cwd=ROOT, check=True).stdout.decode()
        assert out.startswith("core file <stdin> of PID 4242 (app --serve)")
        assert out.split()[-1] == ("None" if data is SAMPLE.data else "gzip")


def patched(tmp_path, edits, data=SAMPLE.data):
    """SAMPLE's core with ``edits`` [(offset, struct format, value)] written over it."""
    damaged = bytearray(data)
    for offset, layout, value in edits:
        struct.pack_into(layout, damaged, offset, value)
    path = tmp_path / "damaged"
    path.write_bytes(damaged)
    return str(path)


def load_header(index):
    """File offset of SAMPLE's program header ``index`` (0 is the notes, 5 the heap)."""
    return 64 + index * 56


@pytest.mark.parametrize("edits", [
    [(0x28, "<Q", 64), (0x3A, "<H", 64), (0x3C, "<H", 0xFFFF)],  # 65535 sections of garbage: 4 MiB
    [(0x28, "<Q", 1 << 63), (0x3C, "<H", 1)],  # the section table at 2^63
    [(0x28, "<Q", 64), (0x3A, "<H", 64), (0x3C, "<H", 1), (0x3E, "<H", 0)],  # names table past the end
])
def test_a_damaged_section_table_is_ignored(tmp_path, edits):
    """A core has no use for sections: a section table pointing anywhere (found by QA: an
    OverflowError at 2^63, a MemoryError for a 4 GiB name table) leaves the core readable."""
    with open_core(patched(tmp_path, edits)) as core:
        assert core.memory.read(SampleCore.HEAP, 2 * PAGE) == SAMPLE.heap


def test_offsets_and_sizes_past_the_file_are_errors_not_crashes(tmp_path):
    """Program headers at 2^63, a segment's data at 2^63 or of 2^64-1 bytes, an NT_FILE page
    offset of 2^52 pages: one-line errors, each read says why (found by QA: OverflowError)."""
    path = patched(tmp_path, [(0x20, "<Q", 1 << 63)])
    with pytest.raises(CoreFileError) as error:
        open_core(path)
    assert str(error.value) == "%s: truncated core file (%d bytes): its ELF headers are cut" % (
        path, len(SAMPLE.data))
    with open_core(patched(tmp_path, [(load_header(5) + 8, "<Q", (1 << 63) + 5)])) as core:  # heap's p_offset
        assert core.file.truncated_at == len(SAMPLE.data)
        with pytest.raises(MemoryReadError) as error:
            core.memory.read(SampleCore.HEAP, 16)
        assert str(error.value).endswith("(not in the core file (truncated at offset %d))" % len(SAMPLE.data))
    with open_core(patched(tmp_path, [(load_header(5) + 32, "<Q", (1 << 64) - 1)])) as core:  # its p_filesz
        assert core.file.truncated_at == len(SAMPLE.data)
        assert core.memory.read(SampleCore.HEAP, 16) == SAMPLE.heap[:16]
    code_entry = SAMPLE.data.index(struct.pack("<QQQ", SampleCore.LIB + PAGE, SampleCore.LIB + 3 * PAGE, 1))
    sysroot = tmp_path / "sysroot"
    SAMPLE.write(tmp_path, sysroot=sysroot)
    with open_core(patched(tmp_path, [(code_entry + 16, "<Q", 1 << 52)]), sysroot=str(sysroot)) as core:
        with pytest.raises(MemoryReadError) as error:
            core.memory.read(SampleCore.LIB + PAGE, 16)
        assert "not in the core file, nor in %s (past its end)" % (sysroot / "lib/libfake.so") in str(error.value)


def test_a_command_line_with_a_newline_stays_on_one_line(tmp_path):
    """psargs is the command line as typed (``python -c '<newline>...'``): escaped."""
    data = SAMPLE.data.replace(b"app --serve", b"app\n--serve")
    path = tmp_path / "core"
    path.write_bytes(data)
    with CoreFile(str(path)) as core:
        assert core.describe() == "core file %s of PID 4242 (app\\n--serve), signal SIGSEGV at 0x10" % path
