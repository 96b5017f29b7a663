"""``--format tree`` and ``--format json`` of walked graphs."""

import decimal
import json

from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import Budgets, walk
from gdb_cpywalker.render import FORMATS, render


def test_tree_lines_show_address_type_refcount_size_and_scalar_values():
    builder = ImageBuilder()
    text = builder.str_(b"it's")
    root = builder.obj([7, Ref(text), {b"k": 2 ** 70}, 1.5, None])
    lines = render(walk(builder.image(), root), "tree").splitlines()
    assert lines[0] == "%#x list refcnt=1 len=5" % root
    assert lines[1].startswith("  [0] 0x") and lines[1].endswith(" int refcnt=1 7")
    assert lines[2] == "  [1] %#x str refcnt=1 len=4 \"it's\"" % text
    assert lines[3].endswith(" dict refcnt=1 len=1")
    assert lines[4].startswith("    key 0x") and lines[4].endswith(" str refcnt=1 len=1 'k'")
    assert lines[5].startswith("    value 0x") and lines[5].endswith(" len=3 %dL" % 2 ** 70)
    assert lines[6].endswith(" float refcnt=1 1.5")
    assert lines[7].endswith(" NoneType refcnt=1000 None")


def test_tree_shows_one_line_reprs_of_named_objects():
    builder = ImageBuilder()
    f = builder.function(b"handler")
    module = builder.module(b"os", b"/lib/os.pyc")
    root = builder.tuple_([Ref(f), Ref(module)])
    tree = render(walk(builder.image(), root), "tree")
    assert "function refcnt=1 <function handler at %#x>" % f in tree
    assert "module refcnt=1 <module 'os' from '/lib/os.pyc'>" in tree


def test_tree_error_lines_and_truncation():
    builder = ImageBuilder()
    root = builder.list_([Ref(0x10)] + list(range(5)))
    tree = render(walk(builder.image(), root, Budgets(max_items=2)), "tree").splitlines()
    assert tree[1] == "  [0] 0x10 <error: cannot read 16 bytes at 0x10 (not mapped)>"
    assert tree[-1] == "  ... 4 more items"


def test_json_nodes_keyed_by_address_with_edges():
    builder = ImageBuilder()
    shared = builder.str_(b"s")
    root = builder.dict_([(b"a", Ref(shared)), (1, Ref(shared))])
    document = json.loads(render(walk(builder.image(), root), "json"))
    assert document["root"] == "%#x" % root
    nodes = document["nodes"]
    assert len(nodes) == 4
    top = nodes["%#x" % root]
    assert top["type"] == "dict" and top["size"] == 2 and top["refcount"] == 1
    assert [edge["label"] for edge in top["edges"]] == ["key", "value", "key", "value"]
    assert top["edges"][1]["to"] == top["edges"][3]["to"] == "%#x" % shared
    assert nodes["%#x" % shared] == {
        "type": "str", "kind": "str", "refcount": 1, "size": 1, "value": "s", "repr": "'s'",
        "edges": [], "truncated": 0}


def test_json_values_of_special_scalars_and_errors():
    builder = ImageBuilder()
    root = builder.obj([float("nan"), 1j, "\u20ac", Ref(0x10)])
    nodes = json.loads(render(walk(builder.image(), root), "json"))["nodes"]
    values = {node.get("kind"): node for node in nodes.values()}
    assert values["float"]["value"] == "nan"
    assert values["complex"]["value"] == [0.0, 1.0]
    assert values["unicode"]["value"] == "\u20ac" and values["unicode"]["repr"] == "u'\\u20ac'"
    assert values["error"] == {"kind": "error",
                               "error": "cannot read 16 bytes at 0x10 (not mapped)"}


def test_every_format_renders_and_unknown_format_is_refused():
    builder = ImageBuilder()
    graph = walk(builder.image(), builder.obj([1]))
    assert all(render(graph, fmt) for fmt in FORMATS)
    try:
        render(graph, "yaml")
    except ValueError as error:
        assert "yaml" in str(error)
    else:
        raise AssertionError("unknown format accepted")


def test_json_writes_huge_longs_as_decimal_strings():
    builder = ImageBuilder()
    root = builder.obj([7 ** 20000, 2 ** 100])
    nodes = json.loads(render(walk(builder.image(), root), "json"))["nodes"]
    values = sorted((node["value"] for node in nodes.values() if node["kind"] == "long"),
                    key=lambda value: isinstance(value, str))
    assert values[0] == 2 ** 100
    assert values[1] == str(decimal.Decimal(7 ** 20000))


def test_mappings_other_than_dict_label_their_edges_key_and_value():
    builder = ImageBuilder()
    ordered = builder.ordered_dict([(b"b", 1), (b"a", 2)])
    tree = render(walk(builder.image(), ordered), "tree").splitlines()
    labels = [line.split()[0] for line in tree[1:] if line.startswith("  ") and not line.startswith("   ")]
    assert labels[:4] == ["key", "value", "key", "value"], tree
    assert "'b'" in tree[1] and tree[2].endswith(" 1")
