"""Decoding runs of slots without a step per object: wordbits' byte-level answers, and the
decoder's three ways (one type, the types seen before, slot by slot) agreeing slot for slot."""

import struct
from array import array

import pytest

from heapimage import HeapImage

from gdb_cpywalker.heap import wordbits
from gdb_cpywalker.heap.scan import HeapScan
from gdb_cpywalker.heap.types import MAX_REFCNT


def column(*words):
    return array("q", words).tobytes()


def marked(mask, count):
    return [index for index, flag in enumerate(wordbits.flags(mask, count)) if flag]


def test_matches_counts_whole_words_only():
    value = 0x00007F1234567800
    data = value.to_bytes(8, "little")
    straddling = b"\xaa" * 5 + data[:3] + data[3:] + b"\xbb" * 3
    raw = column(value, 5, value) + straddling + column(value)
    assert raw.find(data, 24) == 29
    mask = wordbits.matches(raw, value)
    assert marked(mask, 6) == [0, 2, 5] and wordbits.count_of(mask, 6) == 3
    assert wordbits.matches(raw, 6) == 0
    assert marked(wordbits.matches(column(-1, 1, -1), -1), 3) == [0, 2]


def test_live_refcounts_are_positive_and_below_the_limit():
    words = (1, 0, -1, MAX_REFCNT - 1, MAX_REFCNT, 0x7F0000001000, 255, 1 << 32, 256)
    assert marked(wordbits.live_refcounts(column(*words)), len(words)) == [0, 3, 6, 7, 8]
    assert wordbits.live_refcounts(column(0, 0)) == 0
    assert wordbits.every(3) == wordbits.live_refcounts(column(2, 3, 4))


def test_same_word():
    assert wordbits.same_word(array("q", [7, 7, 7])) == 7
    assert wordbits.same_word(array("q", [7, 7, 8])) is None


@pytest.fixture
def decoder():
    image = HeapImage()
    memory, layout, symbols, regions = image.target()
    scan = HeapScan(memory, layout, symbols, regions)
    for name in ("str", "Plain", "tuple", "Widget"):
        assert scan.types.get(image.types[name]) is not None
    return image, scan


def run(image, stride, slots):
    """A run of ``stride``-byte slots: each ``(type name, refcnt)``, "free" (a free block
    with a stale type), "garbage" or None (zeros)."""
    data = bytearray(stride * len(slots))
    for index, slot in enumerate(slots):
        start = index * stride
        if slot == "free":
            struct.pack_into("<QQ", data, start, 0x7E0000001230, image.types["str"])
        elif slot == "garbage":
            struct.pack_into("<QQQQQQ", data, start, *([0x0065007400780074] * 6))
        elif slot is not None:
            name, refcnt = slot
            if name in ("tuple", "Widget"):
                struct.pack_into("<QQq8xqQ", data, start, 0, 0, -2, refcnt, image.types[name])
            else:
                struct.pack_into("<qQ", data, start, refcnt, image.types[name])
    return bytes(data)


def names(entries):
    return [entry.name if entry is not None else None for entry in entries]


def decoded(scan, data, stride, count, free):
    entries, tally, masks = scan.decoder.decode(data, 0, stride, count, free)
    entries = entries if isinstance(entries, list) else entries()
    assert tally == {entry: entries.count(entry) for entry in set(entries) if entry is not None}
    return names(entries), masks


def test_one_type_with_free_slots(decoder):
    image, scan = decoder
    slots = [("tuple", 1), "free", ("tuple", 3), ("tuple", 2)]
    found, masks = decoded(scan, run(image, 64, slots), 64, 4, [1])
    assert found == ["tuple", None, "tuple", "tuple"] and masks is None


def test_seen_types_are_matched_and_agree_with_the_slot_by_slot_decoding(decoder):
    image, scan = decoder
    slots = [("str", 1), ("tuple", 2), ("Plain", 1), ("Widget", 4), ("tuple", 0), "free",
             ("str", 7), ("Widget", 1), None]
    data = run(image, 64, slots)
    expected = ["str", "tuple", "__main__.Plain", "__main__.Widget", None, None, "str",
                "__main__.Widget", None]
    first, masks = decoded(scan, data, 64, len(slots), [5, 8])
    assert first == expected and masks is None
    again, masks = decoded(scan, data, 64, len(slots), [5, 8])
    assert again == expected and masks is not None
    assert scan.decoder.decode(data, 0, 64, len(slots), [5, 8])[1][scan.types.get(image.types["str"])] == 2


def test_slots_no_seen_type_explains_are_decoded_one_by_one(decoder):
    image, scan = decoder
    decoded(scan, run(image, 64, [("str", 1), ("tuple", 1)]), 64, 2, [])
    slots = [("str", 1), "garbage", ("Plain", 3), ("tuple", 1)]
    found, masks = decoded(scan, run(image, 64, slots), 64, 4, [])
    assert found == ["str", None, "__main__.Plain", "tuple"] and masks is not None
    slots = [("str", 1)] * 10 + ["garbage"] * 70 + [("Widget", 1)] * 10
    found, masks = decoded(scan, run(image, 64, slots), 64, 90, [])
    assert found == ["str"] * 10 + [None] * 70 + ["__main__.Widget"] * 10 and masks is None
