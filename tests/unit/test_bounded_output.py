"""Bounded, streamed output: the max-string budget in every format, sizes believed only
inside the readable memory an object lives in, renderers that stream as the walk goes,
and a target that dies mid-walk stopping it at the first read."""

import gc
import json
import tracemalloc

import pytest
from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import Budgets, decode, repr_at, walk
from gdb_cpywalker.decode.reader import ObjectReader
from gdb_cpywalker.errors import DecodeError, ProcessGone, TargetError
from gdb_cpywalker.frontend.output import stream_to, write_file
from gdb_cpywalker.memory import ImageMemory, Memory
from gdb_cpywalker.memory.procfs import ProcMemory
from gdb_cpywalker.render import render, stream

ALL_UNLIMITED = Budgets()
GRAPH_UNLIMITED_STRING_16 = Budgets(max_string=16)


# -- max-string ------------------------------------------------------------------------

def test_max_string_cuts_str_unicode_bytearray_in_repr_and_says_how_much():
    builder = ImageBuilder()
    text = builder.str_(b"x" * 1000)
    wide = builder.unicode_("\u20ac" * 50)
    raw = builder.bytearray_(b"\xff" * 30)
    image = builder.image()
    cut = Budgets(max_string=4)
    assert repr_at(image, text, budgets=cut) == "'xxxx'<996 more bytes not shown: max-string>"
    assert repr_at(image, wide, budgets=cut) == \
        "u'\\u20ac\\u20ac\\u20ac\\u20ac'<46 more characters not shown: max-string>"
    assert repr_at(image, raw, budgets=cut) == \
        "bytearray(b'\\xff\\xff\\xff\\xff'<26 more bytes not shown: max-string>)"
    assert repr_at(image, text, budgets=Budgets(max_string=999)).endswith(
        "<1 more byte not shown: max-string>")
    assert repr_at(image, text) == "'" + "x" * 1000 + "'"
    assert repr_at(image, text, budgets=Budgets(max_string=1000)) == "'" + "x" * 1000 + "'"


def test_max_string_is_independent_of_the_graph_budgets_and_holds_on_the_hot_path():
    builder = ImageBuilder()
    short, long_ = b"s" * 16, b"L" * 100
    root = builder.list_([short, long_, 7, (long_, 1)])
    image = builder.image()
    text = render(walk(image, root, GRAPH_UNLIMITED_STRING_16), "repr")
    cut = "'" + "L" * 16 + "'<84 more bytes not shown: max-string>"
    assert text == "['%s', %s, 7, (%s, 1)]" % ("s" * 16, cut, cut)
    bounded = render(walk(image, root, Budgets(max_items=10, max_string=16)), "repr")
    assert bounded == text
    whole = render(walk(image, root, ALL_UNLIMITED), "repr")
    assert whole == repr([short.decode(), long_.decode(), 7, (long_.decode(), 1)])


def test_max_string_in_tree_and_json():
    builder = ImageBuilder()
    root = builder.list_([b"ab" * 50])
    graph = walk(builder.image(), root, GRAPH_UNLIMITED_STRING_16)
    tree = render(graph, "tree").splitlines()
    assert tree[1].endswith("len=100 '" + "ab" * 8 + "'<84 more bytes not shown: max-string>")
    document = json.loads(render(graph, "json"))
    string = [node for node in document["nodes"].values() if node["kind"] == "str"][0]
    assert (string["value"], string["size"], string["truncated"]) == ("ab" * 8, 100, 84)
    assert string["repr"].endswith("<84 more bytes not shown: max-string>")


def test_a_buffer_shows_the_bytes_of_its_str_base_within_max_string():
    builder = ImageBuilder()
    base = builder.str_(b"0123456789")
    buffer = builder.new("PyBufferObject", builder.builtin("buffer"), b_base=base, b_size=-1,
                         b_offset=2, b_readonly=1)
    reader = ObjectReader(builder.image(), string_limit=3)
    node = decode(reader, buffer)
    assert (node.value, node.size, node.truncated) == (b"234", 8, 5)
    assert decode(ObjectReader(builder.image()), buffer).value == b"23456789"


# -- sizes inside readable memory --------------------------------------------------------

class SpaciousImage(ImageMemory):
    """An image followed by ``zeros`` readable bytes of zeros, never allocated whole."""

    def __init__(self, builder, zeros):
        super().__init__([(builder.base, bytes(builder.buf))])
        self.zero_start = builder.base + len(builder.buf)
        self.zero_end = self.zero_start + zeros

    def readable_ranges(self):
        return super().readable_ranges() + [(self.zero_start, self.zero_end)]

    def read_partial(self, address, size):
        if self.zero_start <= address < self.zero_end:
            return bytes(min(size, self.zero_end - address))
        data = super().read_partial(address, size)
        if len(data) == size or address + len(data) != self.zero_start:
            return data
        return data + self.read_partial(self.zero_start, size - len(data))


def test_sizes_above_the_old_fixed_caps_are_real_when_memory_holds_them():
    """A 300 MB str, a 2**28-item list and tuple: once refused by MAX_STRING/MAX_ITEMS."""
    builder = ImageBuilder()
    big = builder.str_(b"head")
    items = builder.list_([])
    tuple_ = builder.tuple_([])
    long_ = builder.long_(1)
    builder.set_fields("PyVarObject", big, ob_size=300 << 20)
    builder.set_fields("PyVarObject", tuple_, ob_size=1 << 28)
    builder.set_fields("PyVarObject", long_, ob_size=(1 << 20) + 1)
    builder.set_fields("PyListObject", items, ob_size=1 << 28, allocated=1 << 28,
                       ob_item=builder.base + len(builder.buf))
    memory = SpaciousImage(builder, 3 << 30)
    reader = ObjectReader(memory, string_limit=4)
    node = decode(reader, big)
    assert (node.value, node.size, node.truncated) == (b"head", 300 << 20, (300 << 20) - 4)
    for address in (items, tuple_):
        node = decode(reader, address, max_items=2)
        assert (node.kind, node.size, node.truncated) == (node.kind, 1 << 28, (1 << 28) - 2)
        assert node.kind in ("list", "tuple")
    assert decode(reader, long_).size == (1 << 20) + 1


@pytest.mark.parametrize("make, struct_name, fields, field", [
    (lambda b: b.str_(b"ab"), "PyVarObject", {"ob_size": 1 << 20}, "ob_size"),
    (lambda b: b.tuple_([1]), "PyVarObject", {"ob_size": 1 << 20}, "ob_size"),
    (lambda b: b.list_([1]), "PyListObject", {"ob_size": 1 << 20, "allocated": 1 << 20},
     "list ob_size"),
    (lambda b: b.long_(2 ** 80), "PyVarObject", {"ob_size": 1 << 20}, "long ob_size"),
    (lambda b: b.unicode_("ab"), "PyUnicodeObject", {"length": 1 << 20}, "unicode length"),
    (lambda b: b.bytearray_(b"ab"), "PyByteArrayObject", {"ob_size": 1 << 20, "ob_alloc": 1 << 21},
     "bytearray ob_size"),
    (lambda b: b.dict_({1: 2}), "PyDictObject", {"ma_mask": (1 << 20) - 1}, "hash table mask"),
])
def test_a_size_past_the_readable_memory_the_object_lives_in_is_implausible(
        make, struct_name, fields, field):
    """1 MiB past the end of a small image: the region check, not a fixed cap, refuses it."""
    builder = ImageBuilder()
    address = make(builder)
    builder.set_fields(struct_name, address, **fields)
    node = decode(ObjectReader(builder.image()), address)
    assert isinstance(node.error, DecodeError), node
    value = fields.get("ob_size", fields.get("length"))
    shown = "%#x" % fields["ma_mask"] if value is None else value
    assert "implausible %s %s (past the readable memory ending at %#x)" % (
        field, shown, builder.base + len(builder.buf)) in str(node.error)


class RegionsUnknown(ImageMemory):
    def readable_ranges(self):
        return None


def test_without_regions_the_last_byte_of_a_size_must_be_readable():
    builder = ImageBuilder()
    address = builder.str_(b"abc")
    image = RegionsUnknown([(builder.base, bytes(builder.buf))])
    assert decode(ObjectReader(image), address).value == b"abc"
    builder.set_fields("PyVarObject", address, ob_size=1 << 40)
    image = RegionsUnknown([(builder.base, bytes(builder.buf))])
    error = decode(ObjectReader(image), address).error
    assert "implausible ob_size %d (its end is not readable)" % (1 << 40) in str(error)


def test_a_bit_flipped_size_inside_its_region_is_cut_by_max_string_not_read_whole():
    builder = ImageBuilder()
    address = builder.str_(b"abc")
    builder.alloc(1 << 20)
    builder.set_fields("PyVarObject", address, ob_size=3 | 1 << 19)
    reads = []
    image = builder.image()
    original = image.read_partial
    image.read_partial = lambda at, size: reads.append(size) or original(at, size)
    text = repr_at(image, address, budgets=Budgets(max_string=4096))
    assert text.endswith("<%d more bytes not shown: max-string>" % ((3 | 1 << 19) - 4096))
    assert max(reads) <= 1 << 16


# -- streaming -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["repr", "tree", "json"])
def test_every_format_streams_in_pieces_equal_to_the_whole(fmt):
    builder = ImageBuilder()
    root = builder.list_(list(range(10000)) + [[b"x", {b"k": 1.5}]])
    image = builder.image()
    budgets = Budgets(max_depth=5, max_items=20000)
    for graph_budgets in (ALL_UNLIMITED, budgets):
        pieces = list(stream(walk(image, root, graph_budgets), fmt))
        assert len(pieces) > 2
        assert "".join(pieces).rstrip("\n") == render(walk(image, root, graph_budgets), fmt)
    if fmt == "json":
        assert len(json.loads("".join(pieces))["nodes"]) == 10006


@pytest.mark.parametrize("fmt", ["tree", "json", "repr"])
def test_the_first_pieces_come_before_the_walk_ends(fmt):
    builder = ImageBuilder()
    root = builder.list_([[i] for i in range(5000)])
    graph = walk(builder.image(), root, Budgets(max_depth=3))
    pieces = stream(graph, fmt)
    next(pieces)
    next(pieces)
    assert 0 < len(graph.visited) < 2000


def test_streaming_json_holds_far_less_than_it_writes():
    builder = ImageBuilder()
    root = builder.list_(list(range(20000)))
    image = builder.image()
    written = 0
    gc.collect()
    tracemalloc.start()
    try:
        for piece in stream(walk(image, root), "json"):
            written += len(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert written > 3 << 20
    # the visited set and the list's edges grow with the walk; holding the document and
    # its records (as before streaming) took about 8 times what was written
    assert peak < 2 * written, (peak, written)


def test_a_budgeted_repr_walks_only_as_far_ahead_as_it_prints():
    builder = ImageBuilder()
    root = builder.list_([[i, [i]] for i in range(3000)])
    graph = walk(builder.image(), root, Budgets(max_depth=4))
    pieces = stream(graph, "repr")
    first = next(pieces)
    assert first.startswith("[[0, [0]], [1, [1]]")
    assert len(graph.visited) < 9001


# -- a target that dies mid-walk ---------------------------------------------------------------

class DyingMemory(Memory):
    """An image whose process "dies" when ``dead`` is set; counts the reads tried after."""

    name = "dying"

    def __init__(self, image):
        self.image = image
        self.dead = False
        self.tried_after = 0

    def read_partial(self, address, size):
        if self.dead:
            self.tried_after += 1
            raise ProcessGone(4242)
        return self.image.read_partial(address, size)

    def readable_ranges(self):
        return self.image.readable_ranges()


def killed_after_the_first_piece(pieces, memory):
    for piece in pieces:
        yield piece
        memory.dead = True


@pytest.mark.parametrize("fmt", ["repr", "tree", "json"])
def test_the_walk_stops_at_the_first_read_that_finds_the_process_gone(fmt, tmp_path):
    builder = ImageBuilder()
    root = builder.list_([[i, float(i)] for i in range(20000)])
    memory = DyingMemory(builder.image())
    path = tmp_path / "out"
    pieces = stream(walk(memory, root, Budgets(max_items=30000)), fmt)
    with pytest.raises(ProcessGone) as raised:
        write_file(killed_after_the_first_piece(pieces, memory), str(path))
    assert str(raised.value) == "process 4242 is gone (killed during the walk)"
    assert memory.tried_after == 1
    made, marker = path.read_text().rsplit("\n", 2)[:2]
    assert marker == "<output incomplete: process 4242 is gone (killed during the walk)>"
    assert made.strip() and "error" not in made  # what was made before the death is kept


def test_output_cut_short_is_marked_on_a_line_of_its_own():
    written = []

    def pieces():
        yield "abc"
        raise ProcessGone(7)

    with pytest.raises(ProcessGone):
        stream_to(pieces(), written.append)
    assert "".join(written) == "abc\n<output incomplete: process 7 is gone (killed during the walk)>\n"


def test_decode_raises_process_gone_instead_of_an_error_node():
    builder = ImageBuilder()
    address = builder.int_(3)
    with pytest.raises(ProcessGone):
        memory = DyingMemory(builder.image())
        memory.dead = True
        decode(ObjectReader(memory), address)


def test_procfs_memory_used_after_close_is_a_typed_error():
    import os
    memory = ProcMemory(os.getpid())
    memory.close()
    with pytest.raises(TargetError, match="is closed"):
        memory.read_partial(id(memory), 8)


@pytest.mark.parametrize("make, value", [
    (lambda b, v: b.str_(v), b"a'b\\c\n\xff" * 100000),
    (lambda b, v: b.str_(v), b"x" * 300000 + b"'\"" + b"y" * 300000),
    (lambda b, v: b.str_(v), b"x'" * 300000),
    (lambda b, v: b.unicode_(v), "\u20ac'\U0001f600" * 200000),
    (lambda b, v: b.bytearray_(v), b"\"'" * 300000),
])
def test_a_string_longer_than_a_piece_is_escaped_in_pieces_as_a_whole_would_be(make, value,
                                                                              monkeypatch):
    from gdb_cpywalker.render import repr as repr_module
    monkeypatch.setattr(repr_module, "STRING_PIECE", 4096)
    builder = ImageBuilder()
    address = make(builder, value)
    graph = walk(builder.image(), address, Budgets(max_string=len(value) - 5))
    node = decode(graph.reader, address)
    pieces = list(stream(graph, "repr"))
    assert len(pieces) > 100
    assert "".join(pieces) == repr_module.scalar_repr(node) + "\n"
