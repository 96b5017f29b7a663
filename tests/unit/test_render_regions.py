"""Sizes in binary units and the region, smaps and statm tables, on captured /proc text."""

import os

import pytest

from gdb_cpywalker import procfs
from gdb_cpywalker.errors import UsageError
from gdb_cpywalker.render.regions import address_report, region_table, smaps_table, statm_table
from gdb_cpywalker.render.units import format_size, parse_size

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def sample(name):
    with open(os.path.join(DATA, name)) as handle:
        return handle.read()


@pytest.mark.parametrize("size, text", [
    (0, "0B"), (1023, "1023B"), (1024, "1.00KiB"), (20480, "20.00KiB"), (3543040, "3.38MiB"),
    (262144, "256.00KiB"), (2 << 30, "2.00GiB"), (1 << 70, "1024.00EiB"),
])
def test_format_size_as_procmem(size, text):
    assert format_size(size) == text


@pytest.mark.parametrize("text, size", [
    ("4096", 4096), ("4k", 4096), ("4K", 4096), ("1M", 1 << 20), ("1MiB", 1 << 20),
    ("0x1000", 4096), ("2g", 2 << 30), ("1.5k", 1536), (" 8kb ", 8192),
])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "x", "-1", "4q", "1..2k"])
def test_parse_size_rejects(text):
    with pytest.raises(UsageError, match="not a size"):
        parse_size(text)


@pytest.mark.parametrize("text", ["1.5", "0.3k", "1.0000001M"])
def test_parse_size_rejects_fractions_of_a_byte(text):
    with pytest.raises(UsageError, match="not a whole number of bytes"):
        parse_size(text)


def test_region_table_rows_and_totals():
    regions = procfs.parse_maps(sample("maps.txt"))
    lines = region_table(regions).splitlines()
    assert lines[0] == ("5640836b9000-5640836ba000     4.00KiB  r--p  00000000  "
                        "/root/.pyenv/versions/2.7.18/bin/python2.7")
    assert lines[3] == "5640b3c03000-5640b3cdf000   880.00KiB  rw-p  00000000  [heap]"
    assert lines[-2] == "ffffffffff600000-ffffffffff601000     4.00KiB  --xp  00000000  [vsyscall]"
    total = sum(r.size for r in regions)
    assert lines[-1] == "11 regions, %s mapped" % format_size(total)
    assert len(lines) == 12


def test_one_region_total_is_singular():
    regions = procfs.parse_maps(sample("maps.txt"))[3:4]
    assert region_table(regions).splitlines()[-1] == "1 region, 880.00KiB mapped"


def test_smaps_table_columns_and_totals():
    regions = procfs.parse_smaps(sample("smaps.txt"))
    lines = smaps_table(regions).splitlines()
    assert lines[0].split() == ["start-end", "size", "Rss", "Pss", "Private_Dirty", "Swap", "perms", "path"]
    heap = lines[2].split()
    assert heap[0] == "5640b3c03000-5640b3cdf000" and heap[1:3] == ["880.00KiB", "848.00KiB"]
    assert heap[-2:] == ["rw-p", "[heap]"]
    totals = lines[-1].split()
    assert totals[0] == "total"
    assert totals[2] == format_size(sum(r.smaps["Rss"] for r in regions))
    assert totals[4] == format_size(sum(r.smaps["Private_Dirty"] for r in regions))
    assert lines[-1].endswith("(4 regions)")


def test_address_report_names_region_and_file_offset():
    regions = procfs.parse_maps(sample("maps.txt"))
    text = address_report(0x5640836bd010, regions[2])
    assert text.splitlines()[1] == ("0x5640836bd010 = 0x5640836bd000 + 0x10 (16 bytes into "
                                    "/root/.pyenv/versions/2.7.18/bin/python2.7), file offset 0x3010")
    heap = address_report(0x5640b3c03000, regions[3]).splitlines()[1]
    assert heap == "0x5640b3c03000 = 0x5640b3c03000 + 0x0 (0 bytes into [heap])"


def test_statm_table_layout():
    statm = procfs.parse_statm(sample("statm.txt"), page_size=4096)
    assert statm_table(statm) == ("7.98MiB  total program size\n"
                                  "6.34MiB  resident set size\n"
                                  "3.58MiB  shared size\n"
                                  "4.00KiB  text\n"
                                  "2.91MiB  data + stack\n")
