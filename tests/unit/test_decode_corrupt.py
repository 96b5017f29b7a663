"""Bad addresses and objects corrupted as CPython's test_gdb.py does it: each becomes an
error node with a typed error and a one-line message, in bounded time and memory."""

import pytest
from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import Budgets, decode, repr_at, walk
from gdb_cpywalker.decode.reader import ObjectReader
from gdb_cpywalker.errors import DecodeError, MemoryReadError
from gdb_cpywalker.render import render


def node_at(builder, address):
    return decode(ObjectReader(builder.image()), address)


@pytest.mark.parametrize("address, message", [
    (0, "cannot read 16 bytes at 0 (outside the address space)"),
    (0x10, "cannot read 16 bytes at 0x10 (not mapped)"),
    (0x1234567800, "cannot read 16 bytes at 0x1234567800 (not mapped)"),
])
def test_unmapped_addresses(address, message):
    node = node_at(ImageBuilder(), address)
    assert node.kind == "error"
    assert isinstance(node.error, MemoryReadError)
    assert str(node.error).replace("0x0 ", "0 ") == message


def test_misaligned_and_mid_string_pointers():
    builder = ImageBuilder()
    text = builder.str_(b"A" * 64)
    misaligned = node_at(builder, text + 3)
    assert isinstance(misaligned.error, DecodeError)
    assert "misaligned" in str(misaligned.error)
    inside = node_at(builder, text + builder.layout.PyStringObject.ob_sval + 16)
    assert inside.kind == "error"
    assert isinstance(inside.error, (DecodeError, MemoryReadError))


def _corrupt(builder, address, struct_name, **fields):
    builder.set_fields(struct_name, address, **fields)


@pytest.mark.parametrize("ob_type, fragment", [
    (0, "bad ob_type 0x0: NULL or misaligned type pointer"),
    (0xDEADBEEF, "bad ob_type 0xdeadbeef: NULL or misaligned"),
    (0xDEADBEE0, "bad ob_type 0xdeadbee0: type object not readable (cannot read"),
])
def test_bad_ob_type(ob_type, fragment):
    builder = ImageBuilder()
    address = builder.int_(5)
    _corrupt(builder, address, "PyObject", ob_type=ob_type)
    node = node_at(builder, address)
    assert isinstance(node.error, DecodeError)
    assert fragment in str(node.error)


def test_zeroed_tp_flags_and_null_tp_name():
    builder = ImageBuilder()
    foo = builder.heap_type("Foo")
    bar = builder.heap_type("Bar")
    a, b = builder.instance(foo, {}), builder.instance(bar, {})
    _corrupt(builder, foo, "PyTypeObject", tp_flags=0)
    _corrupt(builder, bar, "PyTypeObject", tp_name=0)
    assert "type has tp_flags 0 at %#x" % a in str(node_at(builder, a).error)
    assert "NULL tp_name" in str(node_at(builder, b).error)


def test_classic_instance_with_null_dict():
    builder = ImageBuilder()
    instance = builder.classic_instance(builder.classobj(b"Old"))
    _corrupt(builder, instance, "PyInstanceObject", in_dict=0)
    assert "NULL in_dict" in str(node_at(builder, instance).error)


@pytest.mark.parametrize("make, struct_name, fields", [
    (lambda b: b.list_([1, 2]), "PyListObject", {"ob_size": 2 ** 60, "allocated": 2 ** 61}),
    (lambda b: b.tuple_([1, 2]), "PyVarObject", {"ob_size": 2 ** 60}),
    (lambda b: b.str_(b"ab"), "PyVarObject", {"ob_size": 2 ** 60}),
    (lambda b: b.long_(2 ** 80), "PyVarObject", {"ob_size": 2 ** 60}),
    (lambda b: b.dict_({1: 2}), "PyDictObject", {"ma_mask": 2 ** 40 - 1}),
    (lambda b: b.set_([1]), "PySetObject", {"mask": 2 ** 40 - 1}),
    (lambda b: b.unicode_("ab"), "PyUnicodeObject", {"length": 2 ** 60}),
    (lambda b: b.list_([1, 2]), "PyListObject", {"ob_size": 2 ** 26, "allocated": 2 ** 26}),
])
def test_absurd_sizes_are_refused_without_allocating(make, struct_name, fields):
    builder = ImageBuilder()
    address = make(builder)
    _corrupt(builder, address, struct_name, **fields)
    node = node_at(builder, address)
    assert node.kind == "error", node
    assert isinstance(node.error, (DecodeError, MemoryReadError))


def test_error_nodes_inside_containers_do_not_stop_the_walk():
    builder = ImageBuilder()
    bad = builder.int_(7)
    address = builder.list_([1, Ref(bad), Ref(0x10), 3])
    _corrupt(builder, bad, "PyObject", ob_type=0xDEADBEEF)
    image = builder.image()
    text = repr_at(image, address)
    assert text.startswith("[1, <error: bad ob_type 0xdeadbeef: NULL or misaligned type pointer at ")
    assert text.endswith(", <error: cannot read 16 bytes at 0x10 (not mapped)>, 3]")
    graph = walk(image, address)
    assert [n.kind for n in graph.nodes.values()] == ["list", "int", "error", "error", "int"]
    for fmt in ("tree", "json"):
        assert "0xdeadbeef" in render(graph, fmt)


def test_self_referencing_containers_in_every_format():
    builder = ImageBuilder()
    lst = builder.list_([None])
    items = int.from_bytes(builder.buf[lst - builder.base + 24:][:8], "little")
    builder.word(items, lst)
    image = builder.image()
    assert repr_at(image, lst) == "[[...]]"
    graph = walk(image, lst, Budgets())
    assert list(graph.nodes) == [lst]
    assert "-> %#x (seen above)" % lst in render(graph, "tree")
    assert '"to":"%#x"' % lst in render(graph, "json")
