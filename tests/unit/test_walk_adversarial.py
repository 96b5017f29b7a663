"""What an adversary of py-walk found (issue 8 §1 and issue 11 §1 after they landed): a
method wrapping itself, arrays in json and under the budgets, digits of a Decimal and
formats of Python reprs cut by max-string, Python reprs that cannot be computed."""

import json
import math
import struct

import pytest
from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import Budgets, repr_at, walk
from gdb_cpywalker.errors import UsageError
from gdb_cpywalker.frontend.output import WRITE_SIZE, stream_to, write_file
from gdb_cpywalker.render import render

FORMATS = ("repr", "tree", "json")


def strict_json(text):
    """json.loads refusing NaN and Infinity, which are not JSON."""
    return json.loads(text, parse_constant=lambda name: pytest.fail("not JSON: " + name))


def render_all(builder, address, budgets=Budgets()):
    image = builder.image()
    return {fmt: render(walk(image, address, budgets, layout=builder.layout), fmt)
            for fmt in FORMATS}


def test_a_method_wrapping_itself_is_a_node_not_a_recursion_error():
    """instancemethod_repr asks im_func for __name__, which a method forwards to its own
    im_func: a damaged method that wraps itself used to recurse until RecursionError."""
    builder = ImageBuilder()
    method = builder.method(builder.function(b"f"), 0, 0)
    builder.set_fields("PyMethodObject", method, im_func=method)
    texts = render_all(builder, method)
    assert texts["repr"] == "<unbound method ?.?>"
    assert strict_json(texts["json"])["nodes"]["%#x" % method]["kind"] == "method"


def test_arrays_in_json_and_under_max_items_and_max_string():
    builder = ImageBuilder()
    chars = builder.array("c", b"xyz" * 100, 1)
    wide = builder.array("u", "\xe9\U0001f600".encode("utf-32-le") * 10, 4)
    numbers = builder.array("d", struct.pack("<4d", math.nan, math.inf, -math.inf, 1.5), 8)
    ints = builder.array("i", struct.pack("<10i", *range(10)), 4)
    for address in (chars, wide, numbers, ints):  # all unlimited: json is still JSON
        strict_json(render_all(builder, address)["json"])
    record = strict_json(render_all(builder, numbers)["json"])["nodes"]["%#x" % numbers]
    assert record["value"] == ["d", ["nan", "inf", "-inf", 1.5]]
    assert strict_json(render_all(builder, chars)["json"])["nodes"]["%#x" % chars]["value"] == \
        ["c", "xyz" * 100]

    budgets = Budgets(10, 2, 100, 4)
    cut = render_all(builder, chars, budgets)
    assert cut["repr"] == "array('c', 'xyzx'<296 more bytes not shown: max-string>)"
    assert cut["tree"].endswith(cut["repr"]) and "more items" not in cut["tree"]
    record = strict_json(cut["json"])["nodes"]["%#x" % chars]
    assert (record["value"], record["size"], record["truncated"]) == (["c", "xyzx"], 300, 296)
    assert render_all(builder, wide, budgets)["repr"] == \
        "array('u', u'\\xe9\\U0001f600\\xe9\\U0001f600'<16 more characters not shown: max-string>)"
    cut = render_all(builder, ints, budgets)
    assert cut["repr"] == "array('i', [0, 1, <8 more not shown: max-items>])"
    assert cut["tree"].splitlines()[-1] == "  ... 8 more items"
    assert repr_at(builder.image(), ints, budgets=Budgets(max_items=0)) == \
        "array('i', [<10 more not shown: max-items>])"


def test_decimal_digits_are_the_value_not_a_string_max_string_cuts():
    builder = ImageBuilder()
    number = builder.decimal_(0, b"1" * 50, 0)
    assert repr_at(builder.image(), number, budgets=Budgets(max_string=10)) == \
        "Decimal('%s')" % ("1" * 50)


#: return CONST % (self.x,)
ATTRIBUTE_FORMAT = b"d\x01\x00|\x00\x00j\x00\x00f\x01\x00\x16S"
#: return CONST % self
SELF_FORMAT = b"d\x01\x00|\x00\x00\x16S"


def test_python_reprs_read_their_whole_format_and_cut_percent_s_as_a_str():
    """The format constant was read through max-string: cut, it no longer matched the
    operands and the namedtuple printed as a plain tuple; a %s of a long str was cut
    without saying so."""
    builder = ImageBuilder()
    point = builder.heap_type("Point", "tuple", with_dict=False, defines=[b"__repr__"])
    builder.bind_method(point, b"__repr__", SELF_FORMAT, [b"doc", b"Point(x=%r, y=%r)"], [])
    tagged = builder.heap_type("Tagged", defines=[b"__repr__"])
    builder.bind_method(tagged, b"__repr__", ATTRIBUTE_FORMAT, [b"doc", b"<Tagged %s>"], [b"x"])
    str_type = builder.builtin("str")  # str.__str__, as PyType_Ready makes it
    builder.set_fields("PyTypeObject", str_type, tp_dict=builder.dict_({b"__str__": None}),
                       tp_mro=builder.tuple_([Ref(str_type)]))
    pair = builder.tuple_([b"x" * 20, 1], type_address=point)
    label = builder.instance(tagged, {b"x": b"y" * 50})
    short = Budgets(max_string=3)
    assert repr_at(builder.image(), pair, budgets=short) == \
        "Point(x='xxx'<17 more bytes not shown: max-string>, y=1)"
    assert repr_at(builder.image(), label, budgets=short) == \
        "<Tagged yyy<47 more bytes not shown: max-string>>"
    assert repr_at(builder.image(), label) == "<Tagged %s>" % ("y" * 50)


def test_a_python_repr_that_cannot_be_computed_is_the_default_and_keeps_its_state():
    """An attribute missing (or damaged) in one instance: CPython's default repr, not an
    error node, and tree and json still reach its __dict__."""
    builder = ImageBuilder()
    tagged = builder.heap_type("Tagged", defines=[b"__repr__"])
    builder.bind_method(tagged, b"__repr__", ATTRIBUTE_FORMAT, [b"doc", b"<Tagged %r>"], [b"x"])
    fine = builder.instance(tagged, {b"x": 5})
    lacking = builder.instance(tagged, {b"y": 5})
    assert repr_at(builder.image(), fine) == "<Tagged 5>"
    texts = render_all(builder, lacking)
    assert texts["repr"] == "<__main__.Tagged object at %#x>" % lacking
    assert "__dict__" in texts["tree"] and "'y'" in texts["tree"]
    assert len(strict_json(texts["json"])["nodes"]) == 4  # it, its dict, 'y', 5


def test_an_interrupted_write_is_neither_repeated_nor_glued_to_the_marker():
    """Ctrl-C inside a write (a FIFO's reader slow, gdb's pager) wrote that piece again
    before the marker; on the screen, the error line was glued to the cut line."""
    out = []

    def write(text):
        if len(text) > 100 and not out:  # half of the first big write, then Ctrl-C
            out.append(text[:len(text) // 2])
            raise KeyboardInterrupt
        out.append(text)

    pieces = ["x" * 1000] * 200
    half = -(-WRITE_SIZE // 1000) * 1000 // 2  # of the first write: whole pieces past WRITE_SIZE
    with pytest.raises(KeyboardInterrupt):
        stream_to(iter(pieces), write, also_interrupted=True)
    assert "".join(out) == "x" * half + "\n<output incomplete: interrupted>\n"
    out.clear()
    with pytest.raises(KeyboardInterrupt):
        stream_to(iter(pieces), write)
    assert "".join(out) == "x" * half + "\n"


def test_a_full_disk_is_one_line_with_what_was_written(tmp_path):
    with pytest.raises(UsageError) as error:
        write_file(iter(["x" * 1000] * 100), "/dev/full")
    assert str(error.value) == "cannot write /dev/full: No space left on device (after 0 bytes)"
    path = tmp_path / "out.txt"
    assert write_file(iter(["\xe9" * 1000] * 100), str(path)) == path.stat().st_size == 200000


def test_json_and_tree_of_a_long_string_never_hold_its_whole_text(monkeypatch):
    """A 1 GB str took 9.5 GB of RSS as json (its value, its repr and their JSON text
    whole, at once) and 4.2 GB as a tree line that shows 200 characters of it."""
    import tracemalloc

    import gdb_cpywalker.render.json as json_renderer
    import gdb_cpywalker.render.repr as repr_renderer
    from gdb_cpywalker.render import stream

    builder = ImageBuilder()
    size = 4 << 20
    text = builder.str_(b"x" * size)
    wide = builder.unicode_("x\U0001f600\ud800'" * 8)
    pair = builder.list_([Ref(builder.str_(b"ab'\"\xff" * 7)), Ref(wide)])
    image = builder.image()

    def peak(fmt):
        graph = walk(image, text, Budgets(), layout=builder.layout)
        tracemalloc.start()
        try:
            for _ in stream(graph, fmt):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak("json") < 2.5 * size and peak("tree") < 2.5 * size  # its value, read once

    whole = {fmt: render(walk(image, pair, Budgets(), layout=builder.layout), fmt)
             for fmt in ("json", "tree")}
    for module in (json_renderer, repr_renderer):  # the same text when written in pieces
        monkeypatch.setattr(module, "STRING_PIECE", 7)
    assert {fmt: render(walk(image, pair, Budgets(), layout=builder.layout), fmt)
            for fmt in ("json", "tree")} == whole
    record = strict_json(whole["json"])["nodes"]["%#x" % wide]
    assert (record["value"], record["repr"]) == (
        "x\U0001f600\ud800'" * 8, 'u"' + "x\\U0001f600\\ud800'" * 8 + '"')
