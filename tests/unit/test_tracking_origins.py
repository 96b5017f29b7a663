"""Origins replayed from synthetic event lists: splits, partial unmaps, moves, brk, reports."""

import pytest

from gdb_cpywalker.errors import UsageError
from gdb_cpywalker.procfs import parse_maps
from gdb_cpywalker.tracking.events import Event, PyFrame
from gdb_cpywalker.tracking.origins import replay
from gdb_cpywalker.tracking.report import NO_RECORD, origin_column, origins_table, origins_text

PAGE = 4096
BASE = 0x7f0000000000


class Calls:
    """Builds numbered events the way the tracker logs them."""

    def __init__(self):
        self.events = []

    def add(self, name, args, result, caller="make_map"):
        frames = ("#0  0x00007f0000100000 in __GI___%s () at %s.c:1" % (name, name),
                  "#1  0x0000555555555189 in %s () at maps.c:12" % caller)
        event = Event(len(self.events) + 1, 100, name, tuple(args), result, "", frames)
        self.events.append(event)
        return event

    def mmap(self, address, size, caller="make_map"):
        return self.add("mmap", (0, size, 3, 0x22, -1, 0), address, caller)


def spans(address_map):
    return [(p.start - BASE, p.end - BASE, p.origin.seq, [c.seq for c in p.changes])
            for p in address_map.pieces]


def test_mmap_then_a_partial_unmap_leaves_two_pieces_of_the_same_call():
    calls = Calls()
    calls.mmap(BASE, 4 * PAGE)
    calls.add("munmap", (BASE + PAGE, PAGE), 0)
    assert spans(replay(calls.events)) == [(0, PAGE, 1, []), (2 * PAGE, 4 * PAGE, 1, [])]


def test_sizes_round_up_to_pages_and_failed_calls_change_nothing():
    calls = Calls()
    calls.mmap(BASE, 100)
    calls.add("munmap", (BASE, PAGE), -22)
    calls.add("mmap", (0, 1 << 50, 3, 0x22, -1, 0), -12)
    assert spans(replay(calls.events)) == [(0, PAGE, 1, [])]


def test_mprotect_splits_and_remembers_the_change():
    calls = Calls()
    calls.mmap(BASE, 3 * PAGE)
    calls.add("mprotect", (BASE + PAGE, PAGE, 0), 0)
    assert spans(replay(calls.events)) == [(0, PAGE, 1, []), (PAGE, 2 * PAGE, 1, [2]),
                                           (2 * PAGE, 3 * PAGE, 1, [])]


def test_map_fixed_over_an_old_mapping_takes_its_pages():
    calls = Calls()
    calls.mmap(BASE, 4 * PAGE)
    calls.add("mmap", (BASE + PAGE, PAGE, 1, 0x32, -1, 0), BASE + PAGE)
    assert spans(replay(calls.events)) == [(0, PAGE, 1, []), (PAGE, 2 * PAGE, 2, []),
                                           (2 * PAGE, 4 * PAGE, 1, [])]


def test_mremap_moves_pages_and_its_growth_is_its_own():
    calls = Calls()
    calls.mmap(BASE, 2 * PAGE)
    calls.add("mremap", (BASE, 2 * PAGE, 5 * PAGE, 1, 0), BASE + 0x100000)
    assert spans(replay(calls.events)) == [(0x100000, 0x100000 + 2 * PAGE, 1, [2]),
                                           (0x100000 + 2 * PAGE, 0x100000 + 5 * PAGE, 2, [])]


def test_mremap_shrinking_in_place_unmaps_the_tail():
    calls = Calls()
    calls.mmap(BASE, 4 * PAGE)
    calls.add("mremap", (BASE, 4 * PAGE, PAGE, 0, 0), BASE)
    assert spans(replay(calls.events)) == [(0, PAGE, 1, [2])]


def test_mremap_dontunmap_keeps_the_old_range():
    calls = Calls()
    calls.mmap(BASE, PAGE)
    calls.add("mremap", (BASE, PAGE, PAGE, 1 | 2 | 4, BASE + 0x10000), BASE + 0x10000)
    assert spans(replay(calls.events)) == [(0, PAGE, 1, [2]), (0x10000, 0x10000 + PAGE, 1, [2])]


def test_brk_growth_belongs_to_each_brk_and_shrinking_gives_it_back():
    calls = Calls()
    heap = BASE
    calls.add("brk", (0,), heap)
    calls.add("brk", (heap + 0x21000,), heap + 0x21000)
    calls.add("brk", (heap + 0x42000,), heap + 0x42000)
    calls.add("brk", (heap + 0x30000,), heap + 0x30000)
    assert spans(replay(calls.events)) == [(0, 0x21000, 2, []), (0x21000, 0x30000, 3, [])]


def test_the_map_answers_by_address_and_by_range():
    calls = Calls()
    calls.mmap(BASE, PAGE)
    calls.mmap(BASE + 2 * PAGE, PAGE)
    address_map = replay(calls.events)
    assert address_map.piece_at(BASE + 10).origin.seq == 1
    assert address_map.piece_at(BASE + PAGE) is None
    clipped = address_map.pieces_in(BASE + 100, BASE + 2 * PAGE + 100)
    assert [(p.start - BASE, p.end - BASE, p.origin.seq) for p in clipped] == \
        [(100, PAGE, 1), (2 * PAGE, 2 * PAGE + 100, 2)]


MAPS = ("7f0000000000-7f0000003000 rw-p 00000000 00:00 0 \n"
        "7f0000010000-7f0000011000 r--p 00000000 08:01 7 /usr/lib/libx.so\n")


def test_the_report_names_creators_gaps_and_changes():
    calls = Calls()
    calls.mmap(BASE, PAGE, caller="outer")
    calls.mmap(BASE + PAGE, PAGE, caller="inner")
    calls.add("mprotect", (BASE + PAGE, PAGE, 1), 0)
    regions = parse_maps(MAPS)
    text = origins_text(regions, replay(calls.events))
    lines = text.splitlines()
    assert lines[0].startswith("7f0000000000-7f0000003000")
    assert lines[1] == ("  7f0000000000-7f0000001000: created by #1 tid=100 mmap(NULL, 4096, "
                        "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000")
    assert lines[3] == "    #1  0x0000555555555189 in outer () at maps.c:12"
    assert lines[4].startswith("  7f0000001000-7f0000002000: created by #2 ")
    assert lines[7] == "  then #3 tid=100 mprotect(0x7f0000001000, 4096, PROT_READ) = 0"
    assert lines[8] == "  7f0000002000-7f0000003000: " + NO_RECORD
    assert lines[9].endswith("/usr/lib/libx.so")
    assert lines[10] == "  " + NO_RECORD


def test_the_report_for_one_address():
    calls = Calls()
    calls.mmap(BASE, PAGE, caller="outer")
    calls.mmap(BASE + PAGE, PAGE, caller="inner")
    regions = parse_maps(MAPS)
    text = origins_text(regions, replay(calls.events), BASE + PAGE + 8)
    assert "0x7f0000001008 is 0x1008 bytes into the region" in text
    assert "created by #2 " in text and "in inner () at maps.c:12" in text
    assert "created by #1 " not in text and "outer" not in text
    with pytest.raises(UsageError, match="no region holds 0x10"):
        origins_text(regions, replay(calls.events), 0x10)


def test_the_column_for_mem_info():
    calls = Calls()
    calls.mmap(BASE, PAGE, caller="outer")
    calls.mmap(BASE + PAGE, PAGE, caller="inner")
    regions = parse_maps(MAPS)
    address_map = replay(calls.events)
    assert origin_column(regions[0], address_map) == "#1 mmap from outer +1 more"
    assert origin_column(regions[1], address_map) == "-"
    rows = origins_table(regions, address_map).splitlines()
    assert rows[0].startswith("7f0000000000-7f0000003000") and rows[0].endswith("[anon]  #1 mmap from outer +1 more")
    assert rows[1].endswith("/usr/lib/libx.so  -")


def test_the_origin_column_keeps_a_python_name_on_its_row():
    regions = parse_maps("7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n")
    event = Event(1, 7, "mmap", (0, 2 * PAGE, 3, 0x22, -1, 0), 0x7f0000000000,
                  python=(PyFrame("/opt/\udcff.py", 2, "f\n\x1b[2J"),))
    assert origin_column(regions[0], replay([event])) == "#1 mmap from /opt/\\xff.py:2 in f\\x0a\\x1b[2J"
