"""A truncated core file: which memory it lacks, how regions, dumps and reads say so."""

from gdb_cpywalker.coremaps import core_file_path, mark_truncated, missing_ranges, truncation_note
from gdb_cpywalker.dump import unreadable_reason
from gdb_cpywalker.memory import ImageMemory
from gdb_cpywalker.memory.holes import WithHoles
from gdb_cpywalker.procfs import Region
from gdb_cpywalker.render.regions import address_report, region_row, region_table
from gdb_cpywalker.target.elf import PT_LOAD, Segment

INFO_TARGET = """Symbols from "/opt/app/bin/python2.7".
Local core dump file:
\t`/var/crash/core.1234', file type elf64-x86-64.
\t0x0000555555554000 - 0x0000555555555000 is load1
Local exec file:
\t`/opt/app/bin/python2.7', file type elf64-x86-64.
"""


def load(offset, vaddr, filesz, memsz=None):
    return Segment(PT_LOAD, 6, offset, vaddr, filesz, memsz if memsz is not None else filesz)


def test_core_file_path_from_info_target():
    assert core_file_path(INFO_TARGET) == "/var/crash/core.1234"
    assert core_file_path("Native process:\n\tUsing the running image of attached process 12.\n") is None


def test_missing_ranges_are_the_bytes_past_the_end_of_the_file():
    segments = [load(0x1000, 0x10000, 0x2000), load(0x3000, 0x20000, 0x3000),
                load(0x6000, 0x30000, 0x1000), load(0x6000, 0x40000, 0, 0x5000)]  # not dumped: no loss
    assert missing_ranges(segments, 0x8000) == []
    assert missing_ranges(segments, 0x4000) == [(0x21000, 0x23000), (0x30000, 0x31000)]
    assert missing_ranges(segments, 0x500) == [(0x10000, 0x12000), (0x20000, 0x23000), (0x30000, 0x31000)]


def test_regions_marked_rendered_and_explained():
    regions = [Region(0x10000, 0x12000, "rw-p"), Region(0x20000, 0x24000, "rw-p", path="[heap]"),
               Region(0x40000, 0x45000, "r--p", path="/opt/app/lib/libpython2.7.so.1.0")]
    mark_truncated(regions, [(0x21000, 0x23000)], 0x4000)
    assert [region.truncated for region in regions] == [None, (0x21000, 0x23000, 0x4000), None]
    note = truncation_note(0x4000)
    assert note == "not in the core file (truncated at offset 16384)"
    assert region_row(regions[1]).endswith("[heap]  [0x21000-0x23000 %s]" % note)
    assert region_table(regions).splitlines()[-1] == "3 regions, 44.00KiB mapped, 8.00KiB %s" % note
    assert address_report(0x21010, regions[1]).splitlines()[1].endswith("into [heap]), " + note)
    assert not address_report(0x20010, regions[1]).splitlines()[1].endswith(note)
    memory = WithHoles(ImageMemory([(0x20000, 0x4000)]), [(0x21000, 0x23000)], note)
    assert unreadable_reason(0x22000, regions, memory) == note
    assert unreadable_reason(0x24000, regions, memory) == "not mapped"
    whole = [Region(0x10000, 0x12000, "rw-p")]
    mark_truncated(whole, [(0x10000, 0x12000)], 0x100)
    assert region_row(whole[0]).endswith("[anon]  [not in the core file (truncated at offset 256)]")


def test_holes_stop_reads_where_the_core_lost_bytes_and_say_why():
    memory = WithHoles(ImageMemory([(0x1000, b"a" * 0x3000)]), [(0x2000, 0x2800)], truncation_note(99))
    assert memory.read_partial(0x1ff0, 0x100) == b"a" * 0x10
    assert memory.read_partial(0x2400, 8) == b""
    assert memory.read_partial(0x2800, 8) == b"a" * 8
    assert str(memory.read_error(0x1ff8, 16, b"a" * 8)) == (
        "cannot read 16 bytes at 0x1ff8 (only 8 readable, then not in the core file (truncated at offset 99))")
    assert memory.unreadable_reason(0x5000) == "not mapped"
