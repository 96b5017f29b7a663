"""The hexdump renderer on literal bytes, against the real ``hexdump -C``, and over memory with gaps."""

import random
import re
import shutil
import subprocess

import pytest

from gdb_cpywalker.errors import MemoryReadError, UsageError
from gdb_cpywalker.memory.image import ImageMemory
from gdb_cpywalker.procfs import Region
from gdb_cpywalker.render import color as colors
from gdb_cpywalker.dump import HUGE, checked_length, dump_memory, dump_regions
from gdb_cpywalker.render.hexdump import SLICE, HexDumper, hexdump

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def reference_hexdump(data, verbose=False):
    """What ``hexdump -C`` prints, with its 8-digit offsets widened to our 16 digits."""
    tool = shutil.which("hexdump")
    assert tool, "hexdump (bsdextrautils) is needed for the reference output"
    out = subprocess.run([tool, "-C"] + (["-v"] if verbose else []), input=data,
                         capture_output=True, check=True).stdout.decode()
    return re.sub(r"(?m)^([0-9a-f]{8})", r"00000000\1", out)


def varied(size, seed=7):
    """Zero runs, text, random bytes and repeated rows, in pieces that cross slice boundaries."""
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        kind = rng.randrange(5)
        length = rng.choice((5, 16, 33, 700, 5000, 20000))
        if kind == 0:
            out += bytes(length)
        elif kind == 1:
            out += (b"Hello, world!\n\t" * length)[:length]
        elif kind == 2:
            out += bytes(rng.randrange(256) for _ in range(length))
        elif kind == 3:
            out += (bytes(range(16)) * length)[:length]
        else:
            out += b"\xff" * length
    return bytes(out[:size])


def test_layout_of_one_row_matches_the_issue_example():
    data = b"Hello\0\0\0\x01" + bytes(7)
    assert hexdump(data, 0x7f3a1c000000) == (
        "00007f3a1c000000  48 65 6c 6c 6f 00 00 00  01 00 00 00 00 00 00 00  |Hello...........|\n"
        "00007f3a1c000010\n")


def test_repeated_rows_collapse_and_the_partial_row_is_padded():
    data = b"A" * 51
    assert hexdump(data, 0x1000) == (
        "0000000000001000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|\n"
        "*\n"
        "0000000000001030  41 41 41                                          |AAA|\n"
        "0000000000001033\n")


def test_verbose_keeps_every_row():
    text = hexdump(bytes(64), collapse=False)
    assert "*" not in text
    assert len(text.splitlines()) == 5


def test_empty_data_prints_nothing_like_hexdump():
    assert hexdump(b"") == ""


@pytest.mark.parametrize("size", [1, 15, 16, 17, 255, 4096, SLICE - 3, SLICE + 16, 3 * SLICE + 7, 300000])
@pytest.mark.parametrize("verbose", [False, True])
def test_byte_for_byte_equal_to_hexdump_tool(size, verbose):
    data = varied(size, seed=size)
    assert hexdump(data, collapse=not verbose) == reference_hexdump(data, verbose)


def test_zero_runs_across_slices_equal_to_hexdump_tool():
    data = b"x" * 20 + bytes(5 * SLICE) + b"tail" + bytes(SLICE) + b"\x01" * 16 * 3
    assert hexdump(data) == reference_hexdump(data)


def test_streaming_in_pieces_equals_one_pass():
    data = varied(100000, seed=3)
    dumper = HexDumper()
    pieces = []
    for start in range(0, len(data), 4096):
        pieces.extend(dumper.rows(start, data[start:start + 4096]))
    pieces.append(dumper.end(len(data)))
    assert b"".join(pieces).decode() == hexdump(data)


def test_colors_keep_the_text_and_color_each_run_once():
    assert colors.palette(), "pygments is installed in the test environment"
    data = varied(70000, seed=11)
    colored = hexdump(data, 0x4000, color=True)
    assert "\x1b[" in colored
    assert ANSI.sub("", colored) == hexdump(data, 0x4000)
    zero = colors.palette()["zero"]
    row = hexdump(bytes(16), color=True).splitlines()[0]
    assert row.count(zero) == 1  # one escape for a run of 16 zero bytes


def test_colors_fall_back_to_plain_without_pygments(monkeypatch):
    monkeypatch.setattr(colors, "palette", lambda style=colors.STYLE: {})
    data = varied(5000)
    assert hexdump(data, color=True) == hexdump(data)
    assert colors.paint("x", "address") == "x"


def test_palette_escapes_are_short_ansi_colors():
    for escape in colors.palette().values():
        assert re.fullmatch(r"\x1b\[(3[0-7]|9[0-7])m", escape)


def image_with_hole():
    """Two pages of known bytes with an unmapped page between them."""
    first = bytes(range(256)) * 16
    third = b"THIRD-PAGE" * 409 + b"THIRD-"
    return ImageMemory([(0x10000, first), (0x12000, third)]), first, third


def test_dump_skips_an_unmapped_range_with_one_note_and_goes_on():
    memory, first, third = image_with_hole()
    text = "".join(dump_memory(memory, 0x10000, 0x3000, HexDumper(), name="hexdump"))
    expected = (hexdump(first, 0x10000).rsplit("\n", 2)[0] + "\n"
                + "hexdump: 0x11000 - 0x12000: cannot read (not mapped)\n"
                + hexdump(third, 0x12000))
    assert text == expected


def test_regions_name_the_unreadable_range_and_skip_it_at_once():
    memory, first, _ = image_with_hole()
    regions = [Region(0x10000, 0x11000, "rw-p"), Region(0x11000, 0x12000, "r--p", path="[vvar]"),
               Region(0x12000, 0x13000, "rw-p")]
    text = "".join(dump_memory(memory, 0x10ff8, 0x10, HexDumper(), regions))
    assert text.splitlines() == [
        "0000000000010ff8  f8 f9 fa fb fc fd fe ff                           |........|",
        "hexdump: 0x11000 - 0x11008: cannot read ([vvar] is not readable)",
        "0000000000011008"]


def test_nothing_readable_is_one_error():
    memory, _, _ = image_with_hole()
    with pytest.raises(MemoryReadError) as error:
        list(dump_memory(memory, 0x10, 16, HexDumper()))
    assert str(error.value) == "cannot read 16 bytes at 0x10 (not mapped)"


def test_dump_regions_prints_each_region_row_and_stops_at_the_cap():
    memory, _, _ = image_with_hole()
    regions = [Region(0x10000, 0x11000, "rw-p", path="[heap]"), Region(0x12000, 0x13000, "rw-p")]
    lines = "".join(dump_regions(memory, regions, HexDumper(), 0x1000 + 32, "read")).splitlines()
    assert lines[0].startswith("000000010000-000000011000") and lines[0].endswith("[heap]")
    second = lines.index(next(line for line in lines if line.startswith("000000012000-")))
    assert lines[second + 1:] == [
        "0000000000012000  54 48 49 52 44 2d 50 41  47 45 54 48 49 52 44 2d  |THIRD-PAGETHIRD-|",
        "0000000000012010  50 41 47 45 54 48 49 52  44 2d 50 41 47 45 54 48  |PAGETHIRD-PAGETH|",
        "0000000000012020",
        "read: stopped after 4.03KiB (--max-bytes raises the cap)"]


def test_lengths_negative_or_huge_are_refused_unless_forced():
    with pytest.raises(UsageError, match="negative"):
        checked_length(-1)
    with pytest.raises(UsageError, match="--force"):
        checked_length(HUGE + 1)
    assert checked_length(HUGE + 1, force=True) == HUGE + 1
    assert checked_length(0) == 0


def test_huge_forced_dump_of_sparse_memory_does_not_allocate_it():
    memory, _, _ = image_with_hole()
    regions = [Region(0x10000, 0x11000), Region(0x12000, 0x13000)]
    text = "".join(dump_memory(memory, 0x10000, 1 << 40, HexDumper(), regions))
    assert text.splitlines()[-2:] == [
        "hexdump: 0x13000 - 0x10000010000: cannot read (not mapped)", "0000010000010000"]



def naive_rows(data, address):
    """One row at a time, the obvious way: the reference for addresses anywhere."""
    lines = []
    for offset in range(0, len(data), 16):
        row = data[offset:offset + 16]
        cells = ["%02x" % b for b in row]
        text = "".join(chr(b) if 0x20 <= b < 0x7f else "." for b in row)
        lines.append("%016x  %s  %s  |%s|\n" % (address + offset, " ".join(cells[:8]), " ".join(cells[8:]), text))
    return "".join(lines) + "%016x\n" % (address + len(data))


@pytest.mark.parametrize("address", [0, 0xffff0, 0x100000 - 5 * 16, 0x7f3a1c0ff808, 0xfffffffffffe0000,
                                     0x10000000 - SLICE // 2 + 3])
def test_addresses_across_megabyte_and_slice_boundaries(address):
    data = varied(3 * SLICE, seed=address & 0xffff)
    assert hexdump(data, address, collapse=False) == naive_rows(data, address)


def test_dump_stops_at_the_end_of_the_address_space():
    top = (1 << 64) - 32
    memory = ImageMemory([(top, b"T" * 32)])
    text = "".join(dump_memory(memory, top, 64, HexDumper()))
    assert text.splitlines()[-2:] == ["*", "10000000000000000"]
    with pytest.raises(MemoryReadError, match="outside the address space"):
        list(dump_memory(memory, 1 << 64, 16, HexDumper()))


def role_heavy(size, seed):
    """Bytes whose color role changes often: runs drawn from each role's values, then noise."""
    rng = random.Random(seed)
    alphabets = [b"\x00", b"\xff", b"\t\n\r\x0b\x0c", b"Az 7~", bytes(range(0x80, 0xff)), bytes(range(256))]
    out = bytearray()
    while len(out) < size:
        alphabet = rng.choice(alphabets)
        out += bytes(rng.choice(alphabet) for _ in range(rng.choice((1, 2, 3, 17, 40))))
    return bytes(out[:size])


def naive_colored_rows(data, address):
    """Whole rows colored one byte at a time: an escape in front of each byte whose role differs
    from the byte before it in the row (always the first), reset before the ASCII column."""
    escapes = colors.palette()
    roles = {0: "zero", 0xff: "ff"}
    roles.update((c, "whitespace") for c in b"\t\n\r\x0b\x0c")
    lines = []
    for offset in range(0, len(data), 16):
        row = data[offset:offset + 16]
        cells, before = [], None
        for k, byte in enumerate(row):
            role = roles.get(byte, "printable" if 0x20 <= byte < 0x7f else "other")
            cells.append((" " if k == 8 else "") + " " + (escapes[role] if role != before else "") + "%02x" % byte)
            before = role
        text = "".join(chr(b) if 0x20 <= b < 0x7f else "." for b in row)
        lines.append("%s%016x %s %s |%s|\n" % (escapes["address"], address + offset, "".join(cells),
                                               colors.RESET, text))
    return "".join(lines) + colors.paint("%016x" % (address + len(data)), "address") + "\n"


@pytest.mark.parametrize("seed", range(6))
def test_colored_rows_put_each_escape_where_the_role_changes(seed):
    data = role_heavy(16 * (SLICE // 16 + 37 * seed + 1), seed)
    address = 0x7f3a1c0ff000 + 0x10 * seed
    assert hexdump(data, address, collapse=False, color=True) == naive_colored_rows(data, address)


@pytest.mark.parametrize("size", [1, 16, 17, 31, SLICE - 5, SLICE + 16, 2 * SLICE + 9, 60001])
@pytest.mark.parametrize("verbose", [False, True])
def test_colored_without_its_escapes_is_the_plain_dump(size, verbose):
    for data in (role_heavy(size, size), varied(size, seed=size + 1), bytes(random.Random(size).randrange(256)
                                                                           for _ in range(size))):
        colored = hexdump(data, 0xfff0, collapse=not verbose, color=True)
        assert ANSI.sub("", colored) == hexdump(data, 0xfff0, collapse=not verbose)


@pytest.mark.parametrize("other", ["", "\x1b[38;5;208m", "\x1b[35m"])
def test_colored_rows_with_escapes_of_other_lengths(monkeypatch, other):
    palette = dict(colors.palette(), other=other)
    monkeypatch.setattr(colors, "palette", lambda style=colors.STYLE: palette)
    data = role_heavy(16 * 300, 9)
    assert hexdump(data, 0x1000, collapse=False, color=True) == naive_colored_rows(data, 0x1000)
