"""The heap scan on synthetic memory: pools (good, freed blocks, free-list objects, corrupt),
found by symbol or by header, malloc chunks (int blocks, big objects, a corrupt chunk),
static objects, type validation, the census and its sizes."""

import struct

import pytest

from heapimage import ARENA, HEAP, HeapImage

from gdb_cpywalker.heap import find_instances
from gdb_cpywalker.heap.census import take_census
from gdb_cpywalker.heap.scan import HeapScan


def scan_of(image, **options):
    memory, layout, symbols, regions = image.target()
    return HeapScan(memory, layout, symbols, regions, **options)


def objects(scan):
    return sorted((address, entry.name) for batch in scan.batches()
                  for address, entry, _ in batch.items())


def rows(census):
    return {row.type: (row.count, row.bytes) for row in census.rows}


def test_pool_blocks_live_freed_and_free_listed():
    image = HeapImage()
    pool = image.pool(0, 48, {0: ("str", 1), 1: ("str", 3), 3: ("tuple", 0), 4: ("Plain", 2)},
                      free=[2, 5])
    scan = scan_of(image)
    found = [item for item in objects(scan) if ARENA <= item[0] < ARENA + 4096]
    assert found == [(pool + 48, "str"), (pool + 96, "str"), (pool + 48 + 4 * 48, "__main__.Plain")]
    assert scan.stats.method == "scan" and scan.stats.alignment == 16 and scan.stats.pools == 1


def test_gc_objects_sit_after_their_header_and_blocks_past_nextoffset_do_not_count():
    image = HeapImage()
    pool = image.pool(1, 96, {0: ("Widget", 1), 1: ("tuple", 2)}, nblocks=2)
    struct.pack_into("<qQ", image.arena, 4096 + 48 + 2 * 96, 1, image.types["str"])
    found = [item for item in objects(scan_of(image)) if ARENA + 4096 <= item[0] < ARENA + 8192]
    assert found == [(pool + 48 + 32, "__main__.Widget"), (pool + 48 + 96 + 32, "tuple")]


@pytest.mark.parametrize("damage, message", [
    (dict(freeblock=ARENA + 4096 * 9), "free list link"),
    (dict(count=9), "count 9 of 3 blocks"),
    (dict(count=1), "blocks on the free list"),
])
def test_corrupt_pools_are_counted_and_skipped(damage, message):
    image = HeapImage()
    image.pool(0, 48, {0: ("str", 1), 1: ("str", 1)}, free=[2], **damage)
    image.pool(1, 48, {0: ("str", 1)})
    scan = scan_of(image)
    found = [item for item in objects(scan) if ARENA <= item[0] < ARENA + 8192]
    assert found == [(ARENA + 4096 + 48, "str")]
    assert scan.stats.corrupt["pool"] == 1 and message in scan.stats.first_problems[0]
    notes = take_census(scan_of(image)).notes
    assert "1 unreadable pool" in notes


def test_a_pool_claiming_an_arena_index_seen_an_arena_away_is_refused():
    image = HeapImage()
    image.pool(0, 48, {0: ("str", 1)}, arenaindex=5)
    image.pool(63, 48, {0: ("str", 1)}, arenaindex=5)
    image.pool(70, 48, {0: ("str", 1)}, arenaindex=5)
    scan = scan_of(image)
    found = [address for address, _ in objects(scan) if ARENA <= address < ARENA + (512 << 10)]
    assert found == [ARENA + 48, ARENA + 63 * 4096 + 48]
    assert "arena index 5 also at %#x" % ARENA in scan.stats.first_problems[0]


def test_pools_from_the_arenas_symbol_and_8_byte_alignment():
    image = HeapImage(alignment=8)
    image.pool(0, 48, {0: ("str", 1), 2: ("str", 1)}, free=[1])
    table = image.builder.alloc(48)
    image.builder.words(table, [ARENA, ARENA + 4096, 0, 0, 0, 0])
    count = image.builder.alloc(8)
    image.builder.pack(count, "I", 1)
    image.names.update(arenas=image.builder.alloc(8), maxarenas=count)
    image.builder.word(image.names["arenas"], table)
    scan = scan_of(image)
    found = [item for item in objects(scan) if ARENA <= item[0] < ARENA + 4096]
    assert [address for address, _ in found] == [ARENA + 48, ARENA + 48 + 2 * 48]
    assert scan.stats.method == "symbol" and scan.stats.alignment == 8


def test_malloc_chunks_int_blocks_big_objects_and_the_top_chunk():
    image = HeapImage()
    ints = image.int_block([7, 8, 9, 10], free=[1])
    big = image.string_chunk(3000)
    image.chunk(200, lambda user: struct.pack_into("<QQ", image.heap, user, HEAP, HEAP))
    lying = image.string_chunk(100)
    struct.pack_into("<q", image.heap, lying - HEAP + 16, 5000)
    found = [item for item in objects(scan_of(image)) if HEAP <= item[0] < HEAP + (64 << 10)]
    assert found == [(ints, "int"), (ints + 48, "int"), (ints + 72, "int"), (big, "str")]
    census = rows(take_census(scan_of(image)))
    assert census["int"] == (3, 72) and census["str"][1] == 37 + 3000


def test_a_chunk_with_an_impossible_size_is_skipped_and_the_walk_goes_on():
    image = HeapImage()
    first = image.string_chunk(3000)
    bad = HEAP + image.heap_used
    image.bad_chunk()
    second = image.string_chunk(2000)
    scan = scan_of(image)
    found = [item for item in objects(scan) if HEAP <= item[0] < HEAP + (64 << 10)]
    assert found == [(first, "str"), (second, "str")]
    assert scan.stats.corrupt["malloc chunk"] == 1 and not scan.stats.followed
    assert scan.stats.first_problems == ["chunk at %#x has an impossible size 0x13: 4.00KiB not walked" % bad]
    assert bad not in scan.walked and second in scan.walked
    assert "1 unreadable malloc chunk" in take_census(scan_of(image)).notes


def test_fenceposts_end_a_heap_without_a_problem():
    """glibc caps a heap it moved on from with fenceposts (16 bytes in use, then 0)."""
    image = HeapImage()
    first = image.string_chunk(3000)
    struct.pack_into("<QQQQ", image.heap, image.heap_used, 0, 0x11, 0x10, 0x1)
    image.heap_used += 32
    second = image.string_chunk(2000)
    scan = scan_of(image)
    found = [item for item in objects(scan) if HEAP <= item[0] < HEAP + (64 << 10)]
    assert found == [(first, "str"), (second, "str")]
    assert not scan.stats.corrupt and not scan.stats.followed


def test_a_heap_that_does_not_chain_is_left_to_following_references():
    image = HeapImage()
    image.bad_chunk()
    struct.pack_into("<%dQ" % (len(image.heap) // 8 - 2), image.heap, 16, *[0x13] * (len(image.heap) // 8 - 2))
    image.heap_used = len(image.heap)
    scan = scan_of(image)
    objects(scan)
    assert scan.stats.followed and scan.stats.corrupt["malloc chunk"] == 1


def test_static_objects_and_find_instances():
    image = HeapImage()
    image.pool(0, 48, {0: ("Plain", 1), 1: ("Plain", 1)})
    found = objects(scan_of(image))
    assert (image.none, "NoneType") in found
    memory, layout, symbols, regions = image.target()
    plains = find_instances(memory, layout, symbols, regions, ["__main__.Plain"])
    assert sorted(address for address, _ in plains) == [ARENA + 48, ARENA + 96]
    assert find_instances(memory, layout, symbols, regions, ["object"], subclasses=True)
    assert not find_instances(memory, layout, symbols, regions, ["object"], subclasses=False)


def test_a_type_with_a_garbage_name_is_its_own_unreadable_row():
    image = HeapImage()
    builder = image.builder
    weird = builder.make_type("weird", 16)
    garbage = builder.alloc(16)
    builder.buf[garbage - builder.base:garbage - builder.base + 4] = b"\x01\xff\x02\x00"
    builder.set_fields("PyTypeObject", weird, tp_name=garbage)
    image.types["weird"] = weird
    image.pool(0, 16, {0: ("weird", 1), 1: ("weird", 1)})
    census = rows(take_census(scan_of(image)))
    assert census["<type at %#x with an unreadable tp_name>" % weird] == (2, 32)


def test_words_that_are_not_types_are_not_objects():
    image = HeapImage()
    image.pool(0, 48, {0: ("str", 1)}, nblocks=3, count=3)
    struct.pack_into("<qQ", image.arena, 48 + 48, 1, image.none)
    struct.pack_into("<qQ", image.arena, 48 + 96, 1, 0x1234)
    found = [item for item in objects(scan_of(image)) if ARENA <= item[0] < ARENA + 4096]
    assert found == [(ARENA + 48, "str")]


def test_census_sizes_follow_each_types_sizeof():
    image = HeapImage()
    image.pool(0, 48, {0: ("str", 1), 1: ("Plain", 1)})
    image.pool(1, 64, {0: ("tuple", 1), 1: ("Widget", 1)})
    census = rows(take_census(scan_of(image)))
    assert census["str"] == (1, 37 + 5)
    assert census["__main__.Plain"] == (1, 16)
    assert census["tuple"] == (1, 24 + 32)
    assert census["__main__.Widget"] == (1, 24 + 32)


def test_damaged_objects_are_left_out_and_said_not_sized_absurdly():
    """Bit flips in a core: a str and a tuple whose items would not fit their block, a list
    claiming an item array bigger than the target's memory."""
    image = HeapImage()
    pool = image.pool(0, 64, {0: ("str", 1), 1: ("str", 1), 2: ("tuple", 1), 3: ("tuple", 1),
                              4: ("list", 1)})
    struct.pack_into("<q", image.arena, 48 + 64 + 16, 1 << 60)
    struct.pack_into("<q", image.arena, 48 + 3 * 64 + 32 + 16, 1 << 40)
    struct.pack_into("<qQq", image.arena, 48 + 4 * 64 + 32 + 16, 3, 0, 1 << 50)
    census = take_census(scan_of(image))
    found = rows(census)
    assert found["str"] == (1, 37 + 5) and found["tuple"] == (1, 24 + 32)
    assert "list" not in found and census.bytes < 1 << 20
    assert "3 objects whose size cannot be read or cannot be (damaged: list, str, tuple) are left out" \
        in census.notes
    scan = scan_of(image)
    assert scan.types.read_object(pool + 48 + 3 * 64 + 32) is None
    from gdb_cpywalker.heap.leaks import leak_census
    assert leak_census(scan_of(image))[0].bytes < 1 << 20


def test_garbage_addresses_grow_no_address_set_or_count_map():
    from gdb_cpywalker.heap.addrset import AddressSet, Spans
    from gdb_cpywalker.heap.countmap import CountMap
    where = Spans([(ARENA, ARENA + 4096)])
    seen, counts = AddressSet(where), CountMap(where)
    garbage = [address << 24 for address in range(1, 5000)]
    assert seen.add_new(garbage + [ARENA + 16]) == [ARENA + 16]
    counts.add(garbage + [ARENA + 16])
    assert len(seen.granules) == len(counts.granules) == 1 and counts.get(ARENA + 16) == 1


def test_instances_biggest_first_count_every_one_and_name_what_was_meant():
    from gdb_cpywalker.heap.objects import instances, similar
    image = HeapImage()
    image.pool(0, 48, {0: ("Plain", 1), 1: ("Plain", 1), 2: ("str", 1), 3: ("str", 1)})
    image.pool(1, 64, {0: ("Plain", 1), 1: ("Plain", 1), 2: ("str", 1), 3: ("list", 1)})
    struct.pack_into("<q", image.arena, 48 + 3 * 48 + 16, 9)
    struct.pack_into("<qQq", image.arena, 4096 + 48 + 3 * 64 + 32 + 16, 3, 0, 1 << 50)
    names = set()
    found, total = instances(scan_of(image), "__main__.Plain", limit=1, names=names)
    assert total == 4 and [size for size, _, _ in found] == [16]
    found, total = instances(scan_of(image), "str", limit=2)
    assert total == 3 and [(size, address) for size, address, _ in found] == [
        (37 + 9, ARENA + 48 + 3 * 48), (37 + 5, ARENA + 48 + 2 * 48)]
    scan = scan_of(image)
    assert instances(scan, "list") == ([], 0) and scan.stats.damaged["list"] == 1
    assert {"str", "__main__.Plain", "list"} <= names
    assert similar("plain", names) == ["__main__.Plain"] and similar("STR", names) == ["str"]
    assert similar("Order", names) == [] and similar("str", names) == []
    from gdb_cpywalker.heap.session import why_missing
    assert why_missing("list", names, 1) == "1 left out as damaged"
    assert why_missing("plain", names, None) == "did you mean __main__.Plain?"
