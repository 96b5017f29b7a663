"""Decoding one object: kinds from tp_flags bits then tp_name, values, sizes, edges."""

from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import ObjectReader, decode


def decoded(builder, address, max_items=None):
    return decode(ObjectReader(builder.image()), address, max_items)


def test_scalar_nodes_carry_python_values():
    builder = ImageBuilder()
    cases = [(5, "int", 5), (2 ** 90, "long", 2 ** 90), (-(2 ** 90), "long", -(2 ** 90)),
             (0.25, "float", 0.25), (2j, "complex", 2j), (True, "bool", True),
             (b"ab\x00", "str", b"ab\x00"), ("\U0001f600", "unicode", "\U0001f600"),
             (bytearray(b"xy"), "bytearray", b"xy"), (None, "none", None)]
    for value, kind, expected in cases:
        node = decoded(builder, builder.obj(value))
        assert (node.kind, node.value) == (kind, expected)
        assert node.refcount >= 1


def test_container_nodes_list_their_edges_in_repr_order():
    builder = ImageBuilder()
    one, two = builder.int_(1), builder.int_(2)
    lst = decoded(builder, builder.list_([Ref(one), Ref(two)]))
    assert (lst.kind, lst.size, lst.edges) == ("list", 2, [one, two])
    tup = decoded(builder, builder.tuple_([Ref(two)]))
    assert (tup.kind, tup.size, tup.edges) == ("tuple", 1, [two])
    d = decoded(builder, builder.dict_([(Ref(one), Ref(two))], deleted=2))
    assert (d.kind, d.size, d.edges) == ("dict", 1, [one, two])
    s = decoded(builder, builder.set_([Ref(one), Ref(two)], frozen=True))
    assert (s.kind, s.type_name, s.edges) == ("frozenset", "frozenset", [one, two])


def test_max_items_reads_only_what_is_shown():
    builder = ImageBuilder()
    node = decoded(builder, builder.obj(list(range(100))), max_items=3)
    assert len(node.edges) == 3 and node.truncated == 97 and node.size == 100
    d = decoded(builder, builder.obj(dict((i, i) for i in range(10))), max_items=4)
    assert len(d.edges) == 8 and d.truncated == 6


def test_large_dict_table_outside_the_object():
    builder = ImageBuilder()
    pairs = [(i, -i) for i in range(100)]
    node = decoded(builder, builder.dict_(pairs))
    assert node.size == 100 and len(node.edges) == 200


def test_dispatch_by_subclass_bits_then_builtin_base_name():
    builder = ImageBuilder()
    my_int = builder.heap_type("MyInt", "int")
    my_float = builder.heap_type("MyFloat", "float")
    plain = builder.heap_type("Plain")
    for name in ("bool", "object", "type"):
        builder.builtin(name)
    reader = ObjectReader(builder.image())
    assert reader.type_info(my_int).kind == "int"
    assert reader.type_info(my_float).kind == "float"
    assert reader.type_info(plain).kind == "instance"
    assert reader.type_info(builder.builtin("bool")).kind == "bool"
    assert reader.type_info(builder.builtin("object")).kind == "generic"
    assert reader.type_info(builder.builtin("type")).kind == "type"
    assert reader.type_info(my_int).qualified_name == "__main__.MyInt"
    assert reader.type_info(my_int) is reader.type_info(my_int)  # cached per address


def test_subclass_of_float_has_value_and_instance_dict():
    builder = ImageBuilder()
    my_float = builder.heap_type("MyFloat", "float")
    address = builder.new("PyFloatObject", my_float, ob_fval=2.5)
    attributes = builder.dict_({b"unit": b"m"})
    builder.word(address + builder.layout.PyFloatObject.size, attributes)
    node = decoded(builder, address)
    assert (node.kind, node.value, node.type_name) == ("float", 2.5, "MyFloat")
    assert node.edges == [attributes] and node.info["labels"] == ["__dict__"]


def test_var_sized_subclass_dict_at_negative_dictoffset():
    builder = ImageBuilder()
    my_str = builder.heap_type("MyStr", "str")
    address = builder.str_(b"hello", my_str)
    attributes = builder.dict_({})
    basicsize = builder.layout.PyStringObject.ob_sval + 1 + 8
    end = basicsize + 5
    builder.word(address + end + (-end % 8) - 8, attributes)
    node = decoded(builder, address)
    assert (node.kind, node.value) == ("str", b"hello")
    assert node.edges == [attributes]


def test_slots_of_inherited_heap_types():
    builder = ImageBuilder()
    base = builder.heap_type("Base", slots=("a",), with_dict=False)
    a_value = builder.int_(1)
    address = builder.instance(base, slots={builder.layout.PyObject.size: Ref(a_value)})
    node = decoded(builder, address)
    assert node.edges == [a_value] and node.info["labels"] == ["a"]
