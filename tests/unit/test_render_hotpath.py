"""The streamed repr's hot path (render/hotpath.py) prints exactly what the general path
(decode, one node per object) prints, and leaves to it everything it cannot render."""

import pytest
from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import Budgets, repr_at
from gdb_cpywalker.render import hotpath

VALUES = [0, -7, 2 ** 62, 0 * 2 ** 70, 2 ** 70, -(2 ** 70), 7 ** 400, -(2 ** 64),
          1.5, -0.0, float("nan"), True, False, None, b"", b"it's", b"\x00\x7f\x80\xff'\"",
          "", "caf\xe9 \u20ac", "'\"", "\U0001f600\ud800", "\ud800\udc00", "x" * 3000,
          (), (1,), (1, b"a"), [], [1.5, "u"], {}, {b"k": 1}, {1: (2, [3, {4: "five"}])},
          b"s" * 5000]


def general_path(monkeypatch):
    """Disable the hot path: every object then goes through decode()."""
    monkeypatch.setattr(hotpath.HotPath, "texts", lambda self, addresses, nested=True:
                        [None] * len(addresses))
    monkeypatch.setattr(hotpath.HotPath, "container", lambda self, address: None)


def both_paths(monkeypatch, image, address, **kwargs):
    fast = repr_at(image, address, **kwargs)
    with monkeypatch.context() as patch:
        general_path(patch)
        slow = repr_at(image, address, **kwargs)
    return fast, slow


def nest(builder, depth, last):
    for _ in range(depth):
        last = builder.list_([Ref(last)])
    return last


def test_scalars_and_small_containers_print_as_the_general_path(monkeypatch):
    builder = ImageBuilder()
    rows = builder.list_([list(VALUES), tuple(VALUES[:20]), {b"k%d" % i: value for i, value
                                                             in enumerate(VALUES[:20])}]
                         + VALUES)
    fast, slow = both_paths(monkeypatch, builder.image(), rows)
    assert fast == slow
    assert "7" * 2 in fast and "u'caf\\xe9 \\u20ac'" in fast


def test_subclasses_and_cuts_fall_back(monkeypatch):
    builder = ImageBuilder()
    my_str = builder.heap_type("MyStr", "str", with_dict=False)
    my_int = builder.heap_type("MyInt", "int", with_dict=False)
    my_list = builder.heap_type("MyList", "list", with_dict=False)
    root = builder.list_([Ref(builder.str_(b"sub", my_str)), Ref(builder.int_(5, my_int)),
                          Ref(builder.list_([1, 2], my_list)), b"a" * 40, "b" * 40,
                          Ref(builder.tuple_([Ref(builder.str_(b"deep", my_str))]))])
    image = builder.image()
    fast, slow = both_paths(monkeypatch, image, root)
    assert fast == slow and "<__main__.MyStr object at" not in fast
    cut = Budgets(max_string=10)
    fast, slow = both_paths(monkeypatch, image, root, budgets=cut)
    assert fast == slow and "<30 more bytes not shown: max-string>" in fast
    assert "<30 more characters not shown: max-string>" in fast


def test_a_deep_nest_and_its_recursion_markers(monkeypatch):
    builder = ImageBuilder()
    tail = builder.list_([1, "x", (2,)])
    chain = nest(builder, 300, tail)
    loop = builder.list_([0])
    looped = nest(builder, 50, loop)
    builder.word(builder.get_word(loop + builder.layout.PyListObject.ob_item), looped)
    pair = builder.tuple_([1, 2])
    pair_chain = builder.list_([b"head", Ref(builder.tuple_([b"t", Ref(
        builder.dict_([(b"d", Ref(pair))]))]))])
    root = builder.list_([Ref(chain), Ref(looped), Ref(chain), Ref(pair_chain)])
    fast, slow = both_paths(monkeypatch, builder.image(), root)
    assert fast == slow
    assert fast.startswith("[" + "[" * 300 + "[1, u'x', (2,)]" + "]" * 300)
    assert "[" * 51 + "[...]" + "]" * 51 in fast


@pytest.mark.parametrize("limit", [3, 40])
def test_a_clipped_deep_nest(monkeypatch, limit):
    builder = ImageBuilder()
    root = nest(builder, 200, builder.list_([]))
    fast, slow = both_paths(monkeypatch, builder.image(), root, max_chars=limit)
    assert fast == slow and len(fast) == limit


BATCHES = {
    "no quotes": ["plain", "caf\xe9 \u20ac", "", "\\ \t\n\x7f\x00", "\U0001f600\ud800", "x" * 300],
    "a single quote": ["plain", "it's", "caf\xe9"],
    "a double quote": ["plain", 'say "hi"', "caf\xe9"],
    "both quotes": ["plain", "'\"", "\\'"],
    "only quotes": ["'", '"', "''"],
}


@pytest.mark.parametrize("texts", BATCHES.values(), ids=list(BATCHES))
def test_batches_of_strings_with_and_without_quotes(monkeypatch, texts):
    """str and unicode reprs are formatted a batch at a time (joined at single quotes
    when no string holds a quote): every kind of batch prints as the general path."""
    builder = ImageBuilder()
    raw = [text.encode("latin-1", "backslashreplace") for text in texts]
    root = builder.list_(texts + raw + [tuple(texts), tuple(raw), [texts[0], raw[-1]]])
    fast, slow = both_paths(monkeypatch, builder.image(), root)
    assert fast == slow
    assert "u%s" % ascii(texts[1]) in fast


def test_an_undecodable_unicode_in_a_batch(monkeypatch):
    builder = ImageBuilder()
    bad = builder.unicode_("abc")
    storage = builder.get_word(bad + builder.layout.PyUnicodeObject.str)
    builder.buf[storage - builder.base + 4:storage - builder.base + 8] = \
        (0x110000).to_bytes(4, "little")
    root = builder.list_(["before", Ref(bad), "after", ("in", Ref(bad))])
    fast, slow = both_paths(monkeypatch, builder.image(), root)
    assert fast == slow
    assert fast.startswith("[u'before', ") and "u'after'" in fast
