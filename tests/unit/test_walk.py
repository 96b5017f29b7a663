"""The iterative walker: visited set, budgets, shared objects, cycles, 100,000 levels."""

import json

from builder import ImageBuilder, Ref

from gdb_cpywalker import walk as package_walk
from gdb_cpywalker.decode import Budgets, repr_at, walk
from gdb_cpywalker.render import render


def nested_lists(builder, depth):
    """[[[...[]...]]] ``depth`` levels deep, built innermost first."""
    address = builder.list_([])
    for _ in range(depth - 1):
        address = builder.list_([Ref(address)])
    return address


def test_100k_deep_list_in_every_format():
    builder = ImageBuilder()
    root = nested_lists(builder, 100000)
    image = builder.image()
    assert repr_at(image, root) == "[" * 100000 + "]" * 100000
    graph = walk(image, root)
    assert len(graph.nodes) == 100000
    tree = render(graph, "tree").splitlines()
    assert len(tree) == 100000 and tree[-1].startswith("  " * 40 + "(depth 99999) [0] ")
    assert len(json.loads(render(graph, "json"))["nodes"]) == 100000


def test_deep_nest_repr_reads_each_list_once_not_decode_per_level(monkeypatch):
    """The hot path reads a nested list's items when it meets the list; the repr then
    continues from those, without decode() per level (the old cost of deep nesting)."""
    from gdb_cpywalker.render import repr as repr_module
    builder = ImageBuilder()
    inner = builder.tuple_([1, b"a"])
    corrupt = builder.list_([Ref(inner)])
    builder.set_fields("PyListObject", corrupt, allocated=0)
    root = builder.list_([Ref(nested_lists(builder, 1000)), Ref(corrupt)])
    decoded = []
    original = repr_module.decode
    monkeypatch.setattr(repr_module, "decode",
                        lambda reader, address: decoded.append(address) or original(reader,
                                                                                    address))
    text = repr_at(builder.image(), root)
    assert text.startswith("[" + "[" * 1000 + "]" * 1000 + ", <error: ")
    assert "implausible list ob_size 1 (allocated 0)" in text
    assert decoded == [root, corrupt]


def test_shared_objects_are_decoded_once_and_marked():
    builder = ImageBuilder()
    shared = builder.list_([1, 2])
    root = builder.tuple_([Ref(shared), Ref(shared)])
    graph = walk(builder.image(), root)
    assert list(graph.nodes)[:2] == [root, shared]
    assert len(graph.nodes) == 4
    assert graph.shared == {shared}
    lines = render(graph, "tree").splitlines()
    assert lines[-1] == "  [1] -> %#x (seen above)" % shared


def test_cycle_through_a_dict_and_an_instance():
    builder = ImageBuilder()
    foo = builder.heap_type("Foo")
    instance = builder.instance(foo, {b"me": None})
    instance_dict = int.from_bytes(
        builder.buf[instance - builder.base + 16:][:8], "little")
    value_slot = instance_dict + builder.layout.PyDictObject.ma_smalltable + 16
    builder.word(value_slot, instance)
    graph = walk(builder.image(), instance)
    assert [n.kind for n in graph.nodes.values()] == ["instance", "dict", "str"]
    assert instance in graph.shared
    tree = render(graph, "tree")
    assert "__dict__ %#x dict" % instance_dict in tree
    assert "value -> %#x (seen above)" % instance in tree


def test_budgets_record_where_the_walk_stopped():
    builder = ImageBuilder()
    root = builder.obj([list(range(5)), [[b"deep"]]])
    image = builder.image()
    by_items = walk(image, root, Budgets(max_items=2))
    assert by_items.nodes[root].truncated == 0
    first = by_items.nodes[root].edges[0]
    assert by_items.nodes[first].truncated == 3
    assert "... 3 more items" in render(by_items, "tree")
    by_depth = walk(image, root, Budgets(max_depth=1))
    assert len(by_depth.nodes) == 3 and len(by_depth.depth_cut) == 2
    assert render(by_depth, "tree").count("... (max depth)") == 2
    by_objects = walk(image, root, Budgets(max_objects=3))
    assert len(by_objects.nodes) == 3
    assert "(max objects)" in render(by_objects, "tree")


def test_instance_state_edges_dict_and_slots():
    builder = ImageBuilder()
    slotted = builder.heap_type("P", slots=("x", "y"))
    size = builder.layout.PyObject.size
    point = builder.instance(slotted, {b"z": 3}, slots={size: 1, size + 8: b"two"})
    node = walk(builder.image(), point).nodes[point]
    graph_tree = render(walk(builder.image(), point), "tree")
    assert node.kind == "instance" and len(node.edges) == 3
    assert ["__dict__", "x", "y"] == [line.split()[0] for line in graph_tree.splitlines()[1:]
                                       if not line.startswith("    ")]


def test_subclass_instance_keeps_builtin_value_and_dict():
    builder = ImageBuilder()
    my_list = builder.heap_type("MyList", "list")
    lst = builder.list_([1], type_address=my_list)
    builder.word(lst + builder.layout.PyListObject.size, builder.dict_({b"a": 2}))
    graph = walk(builder.image(), lst)
    node = graph.nodes[lst]
    assert node.kind == "list" and node.type_name == "MyList"
    assert node.info["attributes"] == 1
    assert render(graph, "repr") == "[1]"
    assert "__dict__" in render(graph, "tree")


def test_package_level_walk_takes_budget_keywords():
    builder = ImageBuilder()
    root = builder.obj(list(range(10)))
    graph = package_walk(builder.image(), root, max_items=3)
    assert graph.budgets == Budgets(max_items=3)
    assert render(graph, "repr") == "[0, 1, 2, <7 more not shown: max-items>]"


def test_frames_reach_their_locals_cells_and_free_variables_by_name():
    builder = ImageBuilder()
    code = builder.code(b"f", varnames=(b"a", b"unset"), cellvars=(b"c",), freevars=(b"free",))
    a, cell, free = builder.int_(1), builder.str_(b"cell"), builder.obj([2])
    frame = builder.frame(code, 12, [a, 0, cell, free])
    graph = walk(builder.image(), frame)
    node = graph.nodes[frame]
    assert (node.kind, node.value, node.info["line"]) == ("frame", "f", 12)
    assert node.edges == [a, cell, free]
    tree = render(graph, "tree").splitlines()
    assert [line.split()[0] for line in tree[1:4]] == ["a", "c", "free"]
    assert render(graph, "repr") == "<frame object at %#x>" % frame


def test_module_level_and_class_body_frames_reach_their_namespaces():
    builder = ImageBuilder()
    caller = builder.frame(builder.code(b"f", varnames=(b"a",)), 3, [builder.int_(1)])
    code = builder.code(b"<module>")
    module_globals = builder.dict_({b"x": 1})
    frame = builder.frame(code, 7, [])
    builder.set_fields("PyFrameObject", frame, f_locals=module_globals, f_globals=module_globals,
                       f_back=caller)
    graph = walk(builder.image(), frame)
    assert graph.nodes[frame].edges == [code, module_globals, caller]
    tree = render(graph, "tree").splitlines()
    assert [line.split()[:3] for line in tree[1:] if not line.startswith("    ")] == [
        ["f_code", "%#x" % code, "code"], ["f_globals", "%#x" % module_globals, "dict"],
        ["f_back", "%#x" % caller, "frame"]]
    assert "'x'" in tree[3] and "  a %#x int" % graph.nodes[caller].edges[0] in "\n".join(tree)
    class_locals = builder.dict_({b"y": 2})
    body = builder.frame(builder.code(b"C"), 9, [])
    builder.set_fields("PyFrameObject", body, f_locals=class_locals, f_globals=module_globals)
    node = walk(builder.image(), body).nodes[body]
    assert node.info["labels"] == ["f_locals", "f_code", "f_globals"]
    assert node.edges[0] == class_locals


def test_modules_functions_and_classes_reach_their_dicts():
    builder = ImageBuilder()
    module = builder.module(b"m", b"/m.py")
    f = builder.function(b"f")
    foo = builder.heap_type("Foo")
    for address in (module, foo):
        assert walk(builder.image(), address).nodes[address].edges
    assert "__dict__" in render(walk(builder.image(), module), "tree")
    assert walk(builder.image(), f).nodes[f].edges == []
