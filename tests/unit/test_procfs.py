"""Region records from captured /proc text (maps, smaps, statm) and from gdb's mapping texts."""

import os

import pytest

from gdb_cpywalker import coremaps, procfs
from gdb_cpywalker.errors import TargetError, UsageError

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def sample(name):
    with open(os.path.join(DATA, name)) as handle:
        return handle.read()


@pytest.fixture
def maps():
    return procfs.parse_maps(sample("maps.txt"))


def test_maps_fields(maps):
    first = maps[0]
    assert (first.start, first.end, first.perms, first.offset, first.dev, first.inode) == (
        0x5640836b9000, 0x5640836ba000, "r--p", 0, "fe:00", 11677)
    assert first.path == "/root/.pyenv/versions/2.7.18/bin/python2.7"
    assert first.size == 4096
    assert maps[2].offset == 0x3000 and maps[2].writable and maps[2].readable
    assert len(maps) == 11


def test_names_anonymous_named_deleted_and_spaced(maps):
    names = [region.name for region in maps]
    assert names[3] == "[heap]"
    assert "[anon:cpywalker arena]" in names
    assert "/dev/zero (deleted)" in names
    assert "/tmp/dir with spaces/data file.bin" in names
    assert names[-1] == "[vsyscall]" and maps[-1].end == 0xffffffffff601000
    assert not maps[-1].readable


def test_anonymous_mapping_without_path_is_anon():
    region = procfs.parse_maps_line("7efd38663000-7efd387d6000 rw-p 00000000 00:00 0 ")
    assert region.path == "" and region.name == "[anon]" and region.size == 0x173000


def test_bad_maps_line():
    with pytest.raises(ValueError):
        procfs.parse_maps_line("garbage")


def test_smaps_counters_in_bytes():
    regions = procfs.parse_smaps(sample("smaps.txt"))
    assert [r.name for r in regions][:2] == ["/root/.pyenv/versions/2.7.18/bin/python2.7", "[heap]"]
    assert len(regions) == 4
    heap = regions[1]
    assert heap.smaps["Size"] == heap.size == 880 * 1024
    assert heap.smaps["Rss"] == 848 * 1024
    assert regions[0].smaps["Pss"] == 2 * 1024
    assert regions[0].smaps["THPeligible"] == 0
    assert "VmFlags" not in regions[0].smaps


def test_statm():
    statm = procfs.parse_statm(sample("statm.txt"), page_size=4096)
    assert (statm.size, statm.resident, statm.shared, statm.text, statm.data) == (2042, 1622, 916, 1, 745)
    with pytest.raises(ValueError):
        procfs.parse_statm("1 2 3")


@pytest.mark.parametrize("pattern, expected", [
    ("[heap]", ["[heap]"]),
    ("*libm*", ["/usr/lib/x86_64-linux-gnu/libm.so.6"]),
    ("libm.so.6", ["/usr/lib/x86_64-linux-gnu/libm.so.6"]),
    ("[anon:cpywalker*]", ["[anon:cpywalker arena]"]),
    ("[v*]", ["[vdso]", "[vsyscall]"]),
])
def test_select_by_pattern(maps, pattern, expected):
    assert [r.name for r in procfs.select_regions(maps, pattern)] == expected


def test_select_writable_and_min_size(maps):
    writable = procfs.select_regions(maps, writable=True)
    assert all(r.perms[1] == "w" for r in writable) and len(writable) == 5
    big = procfs.select_regions(maps, min_size=0x20000)
    assert [r.name for r in big] == ["[heap]", "[anon:cpywalker arena]", "[stack]"]


def test_pattern_matching_nothing_is_an_error(maps):
    with pytest.raises(UsageError, match="no region matches"):
        procfs.select_regions(maps, "*nothing*")


def test_region_at(maps):
    assert procfs.region_at(maps, 0x5640b3c03000 + 10).name == "[heap]"
    assert procfs.region_at(maps, 0x5640b3cdf000) is None  # end is exclusive
    assert procfs.region_at(maps, 0x10) is None


def test_read_live_process_matches_its_maps_file():
    regions = procfs.read_regions(os.getpid())
    with open("/proc/self/maps") as handle:
        starts = [int(line.split("-")[0], 16) for line in handle]
    assert [r.start for r in regions][:5] == starts[:5]
    assert procfs.read_statm(os.getpid()).page_size == os.sysconf("SC_PAGE_SIZE")


def test_missing_process():
    with pytest.raises(TargetError, match="cannot read /proc/"):
        procfs.read_regions(2 ** 22 + 1)


def test_gdb_live_mappings_with_perms():
    regions = coremaps.parse_proc_mappings(sample("gdb-live-mappings.txt"))
    assert len(regions) == 46
    assert (regions[0].start, regions[0].end, regions[0].perms, regions[0].offset) == (
        0x563094406000, 0x563094407000, "r--p", 0)
    heap = [r for r in regions if r.name == "[heap]"][0]
    assert heap.size == 0xc4000 and heap.perms == "rw-p"
    assert regions[-1].name == "[stack]"
    assert sum(1 for r in regions if r.name == "[anon]") == 3


def test_core_regions_merge_file_mappings_and_load_sections():
    mappings = coremaps.parse_proc_mappings(sample("gdb-core-mappings.txt"))
    sections = coremaps.parse_core_sections(sample("gdb-core-sections.txt"))
    assert all(r.perms == coremaps.UNKNOWN_PERMS for r in mappings)
    assert len(sections) == 29  # load1..load29, none of the exec file's sections
    assert sections[0] == (0x563094406000, 0x563094407000, "r--p")
    assert sections[-1] == (0xffffffffff600000, 0xffffffffff601000, "r-xp")
    vdso = coremaps.vdso_address(sample("gdb-core-auxv.txt"))
    assert vdso == 0x7fd03c5ca000
    regions = coremaps.merge_core_regions(mappings, sections, {"[stack]": 0x7ffc6af9f000, "[vdso]": vdso})
    by_start = {r.start: r for r in regions}
    assert by_start[0x56309440a000].perms == "rw-p"  # python2.7's data, from load3
    assert by_start[0x563094407000].perms == coremaps.UNKNOWN_PERMS  # text not dumped
    assert by_start[0x56309cc75000].name == "[heap]" and by_start[0x56309cc75000].size == 0xc4000
    assert sum(1 for r in regions if r.name == "[heap]") == 1
    assert by_start[0x7ffc6af85000].name == "[stack]"
    assert by_start[0xffffffffff600000].name == "[vsyscall]"
    assert by_start[vdso].name == "[vdso]" and by_start[vdso].perms == "r-xp"
    assert [r.start for r in regions] == sorted(r.start for r in regions)
    assert len(regions) == len(mappings) + 7  # heap, 3 anonymous, vdso, stack, vsyscall
    assert coremaps.vdso_address("") is None
