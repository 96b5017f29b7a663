"""``--format repr`` equals what python2.7's own repr() prints, type by type.

Expected strings follow 2.7.18's C repr functions (checked against a real python2.7).
"""

import decimal
import re
import struct

import pytest
from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import Budgets, repr_at, walk
from gdb_cpywalker.memory.base import Memory
from gdb_cpywalker.render import render


def repr_of(builder, address, **kwargs):
    return repr_at(builder.image(), address, **kwargs)


SCALARS = [
    (0, "0"), (-5, "-5"), (2 ** 62, str(2 ** 62)), (2 ** 70, "%dL" % 2 ** 70),
    (-(2 ** 100), "-%dL" % 2 ** 100), (1.5, "1.5"), (0.1, "0.1"), (1e16, "1e+16"),
    (1e22, "1e+22"), (-1e-07, "-1e-07"), (-0.0, "-0.0"), (float("inf"), "inf"),
    (float("-inf"), "-inf"), (float("nan"), "nan"), (123456789012345678.0, "1.2345678901234568e+17"),
    (1j, "1j"), (complex(-0.0, 1), "(-0+1j)"), (complex(1, -0.0), "(1-0j)"),
    (complex(1.5e300, 2), "(1.5e+300+2j)"), (True, "True"), (False, "False"),
    (None, "None"), (Ellipsis, "Ellipsis"), (NotImplemented, "NotImplemented"),
    (b"", "''"), (b"abc", "'abc'"), (b"it's", '"it\'s"'), (b"'\"", "'\\'\"'"),
    (b"a\tb\nc\rd\\e", "'a\\tb\\nc\\rd\\\\e'"), (b"\x00\x7f\x80\xff", "'\\x00\\x7f\\x80\\xff'"),
    ("", "u''"), ("h\u1234\U0001f600", "u'h\\u1234\\U0001f600'"),
    ("a'\x7f\x80\xff\t", "u\"a'\\x7f\\x80\\xff\\t\""), ("'\"", "u'\\'\"'"),
    ("\ud800\udc00", "u'\\ud800\\udc00'"),
    (bytearray(b"a'\"\x00\xff"), "bytearray(b'a\\'\"\\x00\\xff')"),
    (bytearray(b"it's"), "bytearray(b\"it\\'s\")"), (bytearray(), "bytearray(b'')"),
]


@pytest.mark.parametrize("value, expected", SCALARS, ids=[repr(s[0]) for s in SCALARS])
def test_scalars_alone_and_inside_containers(value, expected):
    builder = ImageBuilder()
    alone = builder.obj(value)
    inside = builder.list_([value, (value,), {1: value}])
    assert repr_of(builder, alone) == expected
    assert repr_of(builder, inside) == "[%s, (%s,), {1: %s}]" % (expected, expected, expected)


def test_ucs2_build_prints_a_surrogate_pair_as_one_escape():
    builder = ImageBuilder(unicode_width=2)
    address = builder.obj("x\U0001f600\ud800")
    image = builder.image()
    assert repr_at(image, address, layout=builder.layout) == "u'x\\U0001f600\\ud800'"


def test_32bit_build_decodes_ints_longs_and_strings():
    builder = ImageBuilder(pointer_size=4, unicode_width=2, base=0x08000000)
    address = builder.obj([1, -(2 ** 40), 2 ** 100, b"s", 1.25, {b"k": (None,)}])
    assert repr_at(builder.image(), address, layout=builder.layout) == \
        "[1, -1099511627776L, %dL, 's', 1.25, {'k': (None,)}]" % 2 ** 100


CONTAINERS = [
    ([], "[]"), ((), "()"), ((1,), "(1,)"), ((1, 2), "(1, 2)"), ({}, "{}"),
    ({b"a": [1, (2, 3)], 4: {}}, "{'a': [1, (2, 3)], 4: {}}"),
    (set(), "set([])"), ({1, 2}, "set([1, 2])"), (frozenset(), "frozenset([])"),
    (frozenset([b"x"]), "frozenset(['x'])"), ([[[]]], "[[[]]]"),
    ([(1.5, None, True, b"s")] * 2, "[(1.5, None, True, 's'), (1.5, None, True, 's')]"),
]


@pytest.mark.parametrize("value, expected", CONTAINERS, ids=[c[1] for c in CONTAINERS])
def test_containers(value, expected):
    builder = ImageBuilder()
    assert repr_of(builder, builder.obj(value)) == expected


def test_dict_prints_in_table_order_skipping_deleted_entries():
    builder = ImageBuilder()
    address = builder.dict_([(b"z", 1), (b"a", 2)], deleted=3)
    assert repr_of(builder, address) == "{'z': 1, 'a': 2}"


def test_set_skips_dummy_entries():
    builder = ImageBuilder()
    assert repr_of(builder, builder.set_([3, 4], deleted=2)) == "set([3, 4])"


def test_recursive_containers():
    builder = ImageBuilder()
    outer = builder.list_([1, None])
    builder.word(builder.layout.PyListObject.ob_item and
                 _item_slot(builder, outer, 1), outer)
    assert repr_of(builder, outer) == "[1, [...]]"
    d = builder.dict_({b"k": None})
    table = _dict_value_slot(builder, d)
    builder.word(table, d)
    assert repr_of(builder, d) == "{'k': {...}}"
    s = builder.set_([])
    holder = builder.tuple_([Ref(s), Ref(s)])
    assert repr_of(builder, holder) == "(set([]), set([]))"


def _item_slot(builder, list_address, index):
    layout = builder.layout
    items = int.from_bytes(builder.buf[list_address - builder.base + layout.PyListObject.ob_item:][:8],
                           "little")
    return items + 8 * index


def _dict_value_slot(builder, dict_address):
    return dict_address + builder.layout.PyDictObject.ma_smalltable + \
        builder.layout.PyDictEntry.me_value


def test_shared_objects_print_each_time():
    builder = ImageBuilder()
    inner = builder.list_([1])
    assert repr_of(builder, builder.list_([Ref(inner), Ref(inner)])) == "[[1], [1]]"


def test_types_and_instances():
    builder = ImageBuilder()
    foo = builder.heap_type("Foo")
    slotted = builder.heap_type("Slotted", slots=("x", "y"), with_dict=False)
    mod = builder.heap_type("Bar", module=b"pkg.mod")
    old = builder.classobj(b"Old")
    objects = {
        builder.builtin("int"): "<type 'int'>",
        builder.builtin("NoneType"): "<type 'NoneType'>",
        builder.builtin("exceptions.BaseException"): "<type 'exceptions.BaseException'>",
        foo: "<class '__main__.Foo'>",
        mod: "<class 'pkg.mod.Bar'>",
        old: "<class __main__.Old at %#x>" % old,
    }
    instance = builder.instance(foo, {b"a": 1})
    slots = builder.instance(slotted, slots={builder.layout.PyObject.size: 5})
    classic = builder.classic_instance(old, {b"a": 1})
    plain = builder.new("PyObject", builder.builtin("object"))
    bar = builder.instance(mod)
    objects.update({
        instance: "<__main__.Foo object at %#x>" % instance,
        slots: "<__main__.Slotted object at %#x>" % slots,
        bar: "<pkg.mod.Bar object at %#x>" % bar,
        classic: "<__main__.Old instance at %#x>" % classic,
        plain: "<object object at %#x>" % plain,
    })
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected


def test_callables_and_descriptors():
    builder = ImageBuilder()
    foo = builder.heap_type("Foo")
    instance = builder.instance(foo, {})
    f = builder.function(b"f")
    m = builder.function(b"m")
    lst = builder.list_([])
    seven = builder.int_(7)
    slot = builder.wrapper_descriptor("__add__", builder.builtin("int"))
    objects = {
        f: "<function f at %#x>" % f,
        builder.cfunction("len"): "<built-in function len>",
        builder.cfunction("append", lst): "<built-in method append of list object at %#x>" % lst,
        builder.method(m, instance, foo):
            "<bound method Foo.m of <__main__.Foo object at %#x>>" % instance,
        builder.method(m, 0, foo): "<unbound method Foo.m>",
        builder.method_wrapper(slot, seven):
            "<method-wrapper '__add__' of int object at %#x>" % seven,
        builder.wrapper_descriptor("__init__", builder.builtin("object")):
            "<slot wrapper '__init__' of 'object' objects>",
        builder.descriptor("member_descriptor", b"x", foo): "<member 'x' of 'Foo' objects>",
        builder.descriptor("getset_descriptor", b"__dict__", foo):
            "<attribute '__dict__' of 'Foo' objects>",
        builder.descriptor("method_descriptor", b"append", builder.builtin("list")):
            "<method 'append' of 'list' objects>",
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected


def test_modules_code_frames_cells():
    builder = ImageBuilder()
    code = builder.code(b"f", b"x.py", 3)
    ref = builder.int_(1)
    frame = builder.new("PyFrameObject", builder.builtin("frame"), f_code=code, f_lineno=4)
    cell = builder.new("PyCellObject", builder.builtin("cell"), ob_ref=ref)
    empty = builder.new("PyCellObject", builder.builtin("cell"), ob_ref=0)
    generator = builder.new("PyGenObject", builder.builtin("generator"), gi_code=code)
    objects = {
        builder.module(b"sys"): "<module 'sys' (built-in)>",
        builder.module(b"os", b"/usr/lib/python2.7/os.pyc"):
            "<module 'os' from '/usr/lib/python2.7/os.pyc'>",
        code: '<code object f at %#x, file "x.py", line 3>' % code,
        frame: "<frame object at %#x>" % frame,
        cell: "<cell at %#x: int object at %#x>" % (cell, ref),
        empty: "<cell at %#x: empty>" % empty,
        generator: "<generator object f at %#x>" % generator,
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected


@pytest.mark.parametrize("start, step, length, expected", [
    (0, 1, 0, "xrange(0)"), (0, 1, 5, "xrange(5)"), (1, 1, 4, "xrange(1, 5)"),
    (1, 3, 3, "xrange(1, 10, 3)"), (5, -1, 5, "xrange(5, 0, -1)"),
])
def test_xrange(start, step, length, expected):
    builder = ImageBuilder()
    address = builder.new("rangeobject", builder.builtin("xrange"), start=start, step=step,
                          len=length)
    assert repr_of(builder, address) == expected


def test_slices_exceptions_and_wrappers():
    builder = ImageBuilder()
    none = builder.obj(None)
    one, two = builder.int_(1), builder.int_(2)
    f = builder.function(b"f")
    d = builder.dict_({b"a": 1})
    prop = builder.new("propertyobject", builder.builtin("property"), prop_get=f)
    static = builder.new("staticmethod", builder.builtin("staticmethod"), sm_callable=f)
    klass = builder.new("classmethod", builder.builtin("classmethod"), cm_callable=f)
    objects = {
        builder.new("PySliceObject", builder.builtin("slice"), start=one, stop=two, step=none):
            "slice(1, 2, None)",
        builder.exception("exceptions.ValueError", [b"x"]): "ValueError('x',)",
        builder.exception("exceptions.KeyError", []): "KeyError()",
        builder.exception("MyError", [1, 2]): "MyError(1, 2)",
        prop: "<property object at %#x>" % prop,
        static: "<staticmethod object at %#x>" % static,
        klass: "<classmethod object at %#x>" % klass,
        builder.new("proxyobject", builder.builtin("dictproxy"), dict=d): "dict_proxy({'a': 1})",
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected


def test_weakrefs_and_buffers():
    builder = ImageBuilder()
    f = builder.function(b"f")
    foo = builder.heap_type("Foo")
    instance = builder.instance(foo, {})
    live = builder.new("PyWeakReference", builder.builtin("weakref"), wr_object=f)
    anonymous = builder.new("PyWeakReference", builder.builtin("weakref"), wr_object=instance)
    dead = builder.new("PyWeakReference", builder.builtin("weakref"), wr_object=builder.obj(None))
    base = builder.obj(b"abc")
    buffer = builder.new("PyBufferObject", builder.builtin("buffer"), b_base=base, b_size=-1,
                         b_offset=1, b_readonly=1)
    objects = {
        live: "<weakref at %#x; to 'function' at %#x (f)>" % (live, f),
        anonymous: "<weakref at %#x; to 'Foo' at %#x>" % (anonymous, instance),
        dead: "<weakref at %#x; dead>" % dead,
        buffer: "<read-only buffer for %#x, size -1, offset 1 at %#x>" % (base, buffer),
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected


def test_subclasses_of_builtins_print_their_builtin_value():
    builder = ImageBuilder()
    my_list = builder.heap_type("MyList", "list")
    my_int = builder.heap_type("MyInt", "int")
    my_str = builder.heap_type("MyStr", "str")
    my_set = builder.heap_type("MySet", "set")
    lst = builder.list_([1, 2], type_address=my_list)
    builder.word(lst + builder.layout.PyListObject.size, builder.dict_({b"extra": 1}))
    assert repr_of(builder, lst) == "[1, 2]"
    assert repr_of(builder, builder.int_(5, my_int)) == "5"
    assert repr_of(builder, builder.str_(b"hi", my_str)) == "'hi'"
    assert repr_of(builder, builder.set_([1], type_address=my_set)) == "MySet([1])"
    assert repr_of(builder, builder.list_([builder.int_(5, my_int) and Ref(builder.int_(6, my_int))])) == "[6]"


def test_budgets_show_truncation():
    builder = ImageBuilder()
    address = builder.obj([list(range(10)), {1: [2, [3]]}, b"tail"])
    image = builder.image()

    def rendered(**budgets):
        return render(walk(image, address, Budgets(**budgets)), "repr")

    assert rendered() == "[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], {1: [2, [3]]}, 'tail']"
    assert rendered(max_items=2) == \
        "[[0, 1, <8 more not shown: max-items>], {1: [2, [3]]}, <1 more not shown: max-items>]"
    assert rendered(max_depth=1) == \
        "[[<10 items not shown: max-depth>], {<1 item not shown: max-depth>}, 'tail']"
    assert rendered(max_depth=0) == "[<3 items not shown: max-depth>]"
    assert rendered(max_objects=4) == \
        "[[0, 1, <8 more not shown: max-objects>], <2 more not shown: max-objects>]"
    assert rendered(max_objects=2, max_items=5) == \
        "[[<10 more not shown: max-objects, max-items>], <2 more not shown: max-objects>]"
    assert rendered(max_items=0) == "[<3 more not shown: max-items>]"
    assert rendered(max_objects=0) == "<not shown: max-objects>"


def test_budget_cuts_never_look_like_recursion():
    builder = ImageBuilder()
    lst = builder.list_([None, 1])
    items = int.from_bytes(builder.buf[lst - builder.base + 24:][:8], "little")
    builder.word(items, lst)
    image = builder.image()
    assert render(walk(image, lst, Budgets(max_depth=5)), "repr") == "[[...], 1]"
    assert render(walk(image, lst, Budgets(max_depth=0)), "repr") == \
        "[<2 items not shown: max-depth>]"
    assert render(walk(image, lst, Budgets(max_items=1)), "repr") == \
        "[[...], <1 more not shown: max-items>]"
    dicts = builder.obj([{1: 2}, (3, 4), {5}])
    text = render(walk(builder.image(), dicts, Budgets(max_depth=1)), "repr")
    assert text == ("[{<1 item not shown: max-depth>}, (<2 items not shown: max-depth>), "
                    "set([<1 item not shown: max-depth>])]")


SCALAR_IN_TREE = re.compile(r" (?:str|int) refcnt=\d+(?: len=\d+)? (\S+)$")


@pytest.mark.parametrize("max_depth", [None, 0, 1, 2])
def test_tree_and_repr_show_the_same_objects_for_the_same_budgets(max_depth):
    builder = ImageBuilder()
    address = builder.obj({b"a": {b"b": {b"c": 1}}, b"x": [2, 3, (4,)], b"y": 5})
    image = builder.image()
    for max_objects in range(14):
        graph = walk(image, address, Budgets(max_depth=max_depth, max_objects=max_objects))
        in_tree = [match.group(1) for line in render(graph, "tree").splitlines()
                   for match in [SCALAR_IN_TREE.search(line)] if match]
        in_repr = re.findall(r"'\w'|\b\d+\b(?! (?:more|items?) )", render(graph, "repr"))
        assert sorted(in_repr) == sorted(in_tree), (max_objects, render(graph, "repr"))
    graph = walk(image, address, Budgets(max_objects=6))
    assert render(graph, "repr") == \
        "{'a': {'b': {'c': <not shown: max-objects>}}, <2 more not shown: max-objects>}"
    assert "value %#x dict" % graph.nodes[address].edges[1] in render(graph, "tree")


def test_max_chars_cuts_long_output():
    builder = ImageBuilder()
    address = builder.obj(list(range(100000)))
    text = repr_of(builder, address, max_chars=40)
    assert len(text) == 40 and text.endswith("...") and text.startswith("[0, 1, 2, ")


def test_float_text_matches_python_repr_rules():
    for value in (0.5, 1 / 3, 2.5e-5, 1e100, 5e-324, 1.7976931348623157e308):
        builder = ImageBuilder()
        assert repr_of(builder, builder.obj([value])) == "[%r]" % value


def test_files_defaultdicts_deques_views_and_ordered_dicts():
    builder = ImageBuilder()
    name, mode = builder.str_(b"<stdout>"), builder.str_(b"w")
    stdout = builder.new("PyFileObject", builder.builtin("file"), f_fp=0x1234, f_name=name,
                         f_mode=mode)
    closed = builder.new("PyFileObject", builder.builtin("file"), f_fp=0, f_name=name,
                         f_mode=mode)
    factory = builder.builtin("list")
    dd = builder.new("defdictobject", builder.builtin("collections.defaultdict"))
    source = builder.dict_({b"a": [1]})
    builder.buf[dd - builder.base + 16:dd - builder.base + builder.layout.PyDictObject.size] = \
        builder.buf[source - builder.base + 16:source - builder.base + builder.layout.PyDictObject.size]
    builder.set_fields("PyDictObject", dd, ma_table=dd + builder.layout.PyDictObject.ma_smalltable)
    builder.set_fields("defdictobject", dd, default_factory=factory)
    views = builder.dict_([(1, b"a"), ((2,), [3])])
    objects = {
        stdout: "<open file '<stdout>', mode 'w' at %#x>" % stdout,
        closed: "<closed file '<stdout>', mode 'w' at %#x>" % closed,
        dd: "defaultdict(<type 'list'>, {'a': [1]})",
        builder.deque(range(150)): "deque(%r)" % list(range(150)),
        builder.deque([b"x"], leftindex=61, maxlen=4): "deque(['x'], maxlen=4)",
        builder.deque([]): "deque([])",
        builder.new("dictviewobject", builder.builtin("dict_keys"), dv_dict=views):
            "dict_keys([1, (2,)])",
        builder.new("dictviewobject", builder.builtin("dict_values"), dv_dict=views):
            "dict_values(['a', [3]])",
        builder.new("dictviewobject", builder.builtin("dict_items"), dv_dict=views):
            "dict_items([(1, 'a'), ((2,), [3])])",
        builder.ordered_dict([(b"b", 1), (b"a", [2])]): "OrderedDict([('b', 1), ('a', [2])])",
        builder.ordered_dict([]): "OrderedDict()",
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected


class CountingMemory(Memory):
    """Counts the bytes read from an image."""

    def __init__(self, image):
        self.image = image
        self.bytes_read = 0

        self.calls = 0

    def read_partial(self, address, size):
        data = self.image.read_partial(address, size)
        self.bytes_read += len(data)
        self.calls += 1
        return data


def test_max_chars_reads_only_the_start_of_a_huge_string():
    builder = ImageBuilder()
    address = builder.str_(b"x" * (1 << 22))
    memory = CountingMemory(builder.image())
    assert repr_at(memory, address, max_chars=20) == "'" + "x" * 16 + "..."
    assert memory.bytes_read < 1 << 18
    assert repr_at(memory, address) == "'" + "x" * (1 << 22) + "'"
    assert memory.bytes_read > 1 << 22


def test_longs_of_any_size():
    builder = ImageBuilder()
    huge = 7 ** 20000
    assert repr_of(builder, builder.obj([-huge])) == "[-" + str(decimal.Decimal(huge)) + "L]"


def test_hot_path_reads_ahead_instead_of_one_call_per_page():
    builder = ImageBuilder()
    address = builder.list_([Ref(a) for a in builder.ints(list(range(100000)))])
    memory = CountingMemory(builder.image())
    assert repr_at(memory, address) == repr(list(range(100000)))
    pages = 100000 * builder.layout.PyIntObject.size // 4096
    assert memory.calls < pages // 4


def test_arrays_print_as_array_repr_by_typecode():
    builder = ImageBuilder()
    long_size = builder.model.ctype_size("long")
    objects = {
        builder.array("i", struct.pack("<3i", 1, -2, 3), 4): "array('i', [1, -2, 3])",
        builder.array("I", struct.pack("<2I", 1, 2 ** 32 - 1), 4): "array('I', [1L, 4294967295L])",
        builder.array("l", struct.pack("<%s" % ("q" if long_size == 8 else "i"), -7), long_size):
            "array('l', [-7])",
        builder.array("B", b"\x00\xff", 1): "array('B', [0, 255])",
        builder.array("b", b"\xff", 1): "array('b', [-1])",
        builder.array("H", struct.pack("<H", 65535), 2): "array('H', [65535])",
        builder.array("f", struct.pack("<f", 0.1), 4): "array('f', [0.10000000149011612])",
        builder.array("d", struct.pack("<2d", 1.5, 1e22), 8): "array('d', [1.5, 1e+22])",
        builder.array("c", b"a'b", 1): "array('c', \"a'b\")",
        builder.array("u", "xy\u20ac".encode("utf-32-le"), 4): "array('u', u'xy\\u20ac')",
        builder.array("i", b"", 4): "array('i')",
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected
    bad = builder.array("i", b"\x00" * 4, 8)
    assert repr_of(builder, bad).startswith("<error: ")


def test_datetime_types_drop_trailing_zero_fields_and_show_tzinfo():
    builder = ImageBuilder()
    utc = builder.heap_type("UTC")
    tz = Ref(builder.instance(utc))
    delta = builder.builtin("datetime.timedelta")
    objects = {
        builder.datetime_("datetime.date", bytes([7, 228, 1, 2])): "datetime.date(2020, 1, 2)",
        builder.datetime_("datetime.datetime", bytes([7, 228, 1, 2, 3, 4, 5, 0, 0, 6])):
            "datetime.datetime(2020, 1, 2, 3, 4, 5, 6)",
        builder.datetime_("datetime.datetime", bytes([7, 228, 1, 2, 0, 0, 0, 0, 0, 0])):
            "datetime.datetime(2020, 1, 2, 0, 0)",
        builder.datetime_("datetime.datetime", bytes([0, 1, 12, 31, 0, 0, 0, 15, 66, 63]), None):
            "datetime.datetime(1, 12, 31, 0, 0, 0, 999999)",
        builder.datetime_("datetime.time", bytes([0, 0, 0, 0, 0, 0])): "datetime.time(0, 0)",
        builder.datetime_("datetime.time", bytes([3, 4, 5, 0, 0, 0])): "datetime.time(3, 4, 5)",
        builder.datetime_("datetime.time", bytes([1, 2, 0, 0, 0, 0]), None): "datetime.time(1, 2)",
        builder.new("PyDateTime_Delta", delta, days=0): "datetime.timedelta(0)",
        builder.new("PyDateTime_Delta", delta, days=0, seconds=5): "datetime.timedelta(0, 5)",
        builder.new("PyDateTime_Delta", delta, days=-1, microseconds=3):
            "datetime.timedelta(-1, 0, 3)",
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected
    with_tz = builder.datetime_("datetime.time", bytes([1, 2, 0, 0, 0, 0]), tz)
    assert repr_of(builder, with_tz) == "datetime.time(1, 2, tzinfo=<__main__.UTC object at %#x>)" \
        % tz.address
    none_tz = builder.datetime_("datetime.datetime", bytes([7, 228, 1, 2, 0, 0, 0, 0, 0, 0]), None)
    builder.set_fields("PyDateTime_DateTime", none_tz, hastzinfo=1, tzinfo=builder.obj(None))
    assert repr_of(builder, none_tz) == "datetime.datetime(2020, 1, 2, 0, 0)"
    subclass = builder.heap_type("MyDate", "datetime.date")
    mine = builder.datetime_("datetime.date", bytes([7, 228, 1, 2]), type_address=subclass)
    assert repr_of(builder, mine) == "<__main__.MyDate object at %#x>" % mine


def test_counters_print_most_common_first_stable_for_equal_counts():
    builder = ImageBuilder()
    objects = {
        builder.counter([]): "Counter()",
        builder.counter([(b"a", 1), (b"b", 3), (b"c", 1), (b"d", 2 ** 70), (b"e", 1.5)]):
            "Counter({'d': %dL, 'b': 3, 'e': 1.5, 'a': 1, 'c': 1})" % 2 ** 70,
        builder.counter([(1, -1), (2, 0), (3, True)]): "Counter({3: True, 2: 0, 1: -1})",
    }
    for address, expected in objects.items():
        assert repr_of(builder, address) == expected
    # another module's Counter: a dict subclass whose __repr__ py-walk does not know
    # prints CPython's default, never the dict's repr
    other = builder.counter([(b"x", 1)], module=b"__main__")
    assert repr_of(builder, other) == "<__main__.Counter object at %#x>" % other
    assert repr_of(builder, builder.counter([(b"x", b"many")])).startswith("<error: ")


DECIMALS = ["0", "-0", "1.5", "-1.50", "123456789", "1E+3", "1.000E+3", "0.000001", "0.0000001",
            "-1.2E-7", "1E-6", "12345E-10", "0E-7", "0E+2", "Infinity", "-Infinity", "NaN",
            "-NaN123", "sNaN", "sNaN45", "1" * 60 + "E-30", "9E+999999999"]


def test_decimals_print_as_decimal_str_with_eng_false():
    builder = ImageBuilder()
    for text in DECIMALS:
        sign, digits, exp = decimal.Decimal(text).as_tuple()
        special = isinstance(exp, str)
        digits = "".join(map(str, digits)) if not special or exp != "F" else "0"
        address = builder.decimal_(sign, digits.encode(), exp.encode() if special else exp,
                                   special)
        assert repr_of(builder, address) == repr(decimal.Decimal(text)), text
    broken = builder.decimal_(0, b"1x", 0)
    assert repr_of(builder, broken).startswith("<error: ")
