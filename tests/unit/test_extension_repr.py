"""The long tail on synthetic memory: C types of extension modules, structseq's 512-byte
buffer, CPython's %.Ns cuts, recursion as CPython guards it, and names shown as UTF-8.

Expected strings are what python2.7.18 prints (tests/e2e checks the same kinds live).
"""

import pytest
from builder import ImageBuilder, Ref

from gdb_cpywalker.layouts import cpython27 as c
from gdb_cpywalker.decode import repr_at
from gdb_cpywalker.render.repr import display

MAXINT = 2 ** 63 - 1


def repr_of(builder, address):
    return repr_at(builder.image(), address)


def static_type(builder, name, struct_name, members=(), namespace=None):
    """A static type ``name`` (its instances laid out as ``struct_name``)."""
    if name not in builder.types:
        address = builder.make_type(name, getattr(builder.layout, struct_name).size)
        if members:
            member = builder.layout.PyMemberDef
            table = builder.alloc(member.size * (len(members) + 1), 8)
            for i, member_name in enumerate(members):
                builder.set_fields("PyMemberDef", table + i * member.size,
                                   name=builder.cstring(member_name))
            builder.set_fields("PyTypeObject", address, tp_members=table)
        if namespace is not None:
            builder.set_fields("PyTypeObject", address, tp_dict=builder.dict_(namespace))
        builder.types[name] = address
    return builder.types[name]


def count(builder, cnt, long_cnt=None, long_step=1):
    return builder.new("countobject", static_type(builder, "itertools.count", "countobject"),
                       cnt=cnt, long_cnt=builder.obj(long_cnt) if long_cnt is not None else 0,
                       long_step=builder.obj(long_step))


@pytest.mark.parametrize("cnt, long_cnt, step, expected", [
    (5, None, 1, "count(5)"), (-5, None, 1, "count(-5)"),
    (MAXINT, None, 1, "count(<NULL>)"), (MAXINT, 2 ** 70, 1, "count(%dL)" % 2 ** 70),
    (MAXINT, 1.5, 1, "count(1.5)"), (MAXINT, 0, 0.5, "count(0, 0.5)"),
    (MAXINT, 3, 2 ** 64, "count(3, %dL)" % 2 ** 64), (MAXINT, 1, 1.0, "count(1, 1.0)"),
    (MAXINT, 1, True, "count(1)"),
])
def test_itertools_count(cnt, long_cnt, step, expected):
    builder = ImageBuilder()
    assert repr_of(builder, count(builder, cnt, long_cnt, step)) == expected


def test_itertools_repeat_with_and_without_a_count():
    builder = ImageBuilder()
    kind = static_type(builder, "itertools.repeat", "repeatobject")
    forever = builder.new("repeatobject", kind, element=builder.obj([b"a"]), cnt=-1)
    three = builder.new("repeatobject", kind, element=builder.obj(None), cnt=3)
    assert repr_of(builder, forever) == "repeat(['a'])"
    assert repr_of(builder, three) == "repeat(None, 3)"


def test_super_weakproxy_capsule_memoryview_socket_cfuncptr():
    builder = ImageBuilder()
    base = builder.heap_type("Base")
    instance = builder.instance(base)
    kind = static_type(builder, "super", "superobject")
    bound = builder.new("superobject", kind, type=base, obj=instance, obj_type=base)
    unbound = builder.new("superobject", kind, type=base)
    assert repr_of(builder, bound) == "<super: <class 'Base'>, <Base object>>"
    assert repr_of(builder, unbound) == "<super: <class 'Base'>, NULL>"
    long_type = builder.heap_type("L" * 150)
    referent = builder.instance(long_type)
    proxy = builder.new("PyWeakReference", static_type(builder, "weakproxy", "PyWeakReference"),
                        wr_object=referent)
    assert repr_of(builder, proxy) == "<weakproxy at %#x to %s at %#x>" % (
        proxy, "L" * 100, referent)
    capsules = static_type(builder, "PyCapsule", "PyCapsule")
    named = builder.new("PyCapsule", capsules, name=builder.cstring("_socket.CAPI"))
    unnamed = builder.new("PyCapsule", capsules)
    assert repr_of(builder, named) == '<capsule object "_socket.CAPI" at %#x>' % named
    assert repr_of(builder, unnamed) == "<capsule object NULL at %#x>" % unnamed
    view = builder.new("PyObject", static_type(builder, "memoryview", "PyObject"))
    assert repr_of(builder, view) == "<memory at %#x>" % view
    sock = builder.new("PySocketSockObject", static_type(builder, "_socket.socket",
                                                          "PySocketSockObject"),
                       sock_fd=-1, sock_family=2, sock_type=1, sock_proto=0)
    assert repr_of(builder, sock) == "<socket object, fd=-1, family=2, type=1, protocol=0>"
    function_type = builder.make_type("CFunctionType", 16, heap=True,
                                      base=static_type(builder, "_ctypes.PyCFuncPtr", "PyObject",
                                                       namespace={b"__repr__": None}))
    pointer = builder.new("PyObject", function_type)
    assert repr_of(builder, pointer) == "<CFunctionType object at %#x>" % pointer


def structseq(builder, values, names):
    kind = static_type(builder, "posix.stat_result", "PyStructSequence", names,
                       {b"n_sequence_fields": len(names)})
    return builder.new("PyStructSequence", kind, extra=len(values) * builder.psize,
                       ob_size=len(values))


def _fill(builder, address, values):
    builder.words(address + builder.layout.PyStructSequence.ob_item,
                  [builder.obj(value) for value in values])
    return address


@pytest.mark.parametrize("width", [3, 55, 100])
def test_structseq_fields_and_the_512_byte_buffer(width):
    """structseq_repr stops with '...' at the first field that would pass byte 507."""
    names = ["st_%d" % i for i in range(10)]
    values = [b"a" * width] * 10
    builder = ImageBuilder()
    address = _fill(builder, structseq(builder, values, names), values)
    text = "posix.stat_result("
    for name, value in zip(names, values):
        part = "%s=%r, " % (name, value.decode())
        if len(text) + len(part) + 1 > 507:
            text += "...)"
            break
        text += part
    else:
        text = text[:-2] + ")"
    assert repr_of(builder, address) == text


def test_zipimporter_cuts_archive_and_prefix():
    builder = ImageBuilder()
    kind = static_type(builder, "zipimport.zipimporter", "ZipImporter")
    plain = builder.new("ZipImporter", kind, archive=builder.obj(b"/a.zip"), prefix=builder.obj(b""))
    long_one = builder.new("ZipImporter", kind, archive=builder.obj(b"x" * 400),
                           prefix=builder.obj(b"p" * 200))
    assert repr_of(builder, plain) == '<zipimporter object "/a.zip">'
    assert repr_of(builder, long_one) == '<zipimporter object "%s/%s">' % ("x" * 300, "p" * 150)


def test_code_cuts_nul_and_first_line_zero():
    builder = ImageBuilder()
    long_name = builder.code(b"c" * 150, b"/" + b"d" * 400, line=0)
    nul_name = builder.code(b"before\0after")
    assert repr_of(builder, long_name) == '<code object %s at %#x, file "%s", line -1>' % (
        "c" * 100, long_name, "/" + "d" * 299)
    assert repr_of(builder, nul_name).startswith("<code object before at ")


def test_xrange_stop_clipped_to_a_c_long():
    builder = ImageBuilder()
    clipped = builder.new("rangeobject", builder.builtin("xrange"), start=0, step=3,
                          len=(MAXINT + 2) // 3)
    assert repr_of(builder, clipped) == "xrange(0, %d, 3)" % MAXINT


def test_exception_and_bound_method_recurse_once_more_than_a_list():
    """BaseException_repr and instancemethod_repr have no Py_ReprEnter: only the list or
    tuple inside stops the recursion."""
    builder = ImageBuilder()
    error = builder.exception("ValueError", [None])
    holder = builder.list_([Ref(error)])
    args = builder.tuple_([Ref(holder)])
    builder.set_fields("PyBaseExceptionObject", error, args=args)
    assert repr_of(builder, error) == "ValueError([ValueError(...)],)"
    assert repr_of(builder, holder) == "[ValueError([...],)]"
    my_list = builder.heap_type("L", "list")
    owner = builder.list_([None], type_address=my_list)
    method = builder.method(builder.function(b"f"), owner, my_list)
    builder.words(builder.get_word(owner + builder.layout.PyListObject.ob_item), [method])
    assert repr_of(builder, method) == "<bound method L.f of [<bound method L.f of [...]>]>"


def test_defaultdict_containing_itself_prints_its_factory_twice():
    builder = ImageBuilder()
    factory = builder.builtin("list")
    table = builder.dict_({b"self": None}, type_address=builder.builtin("collections.defaultdict"))
    builder.set_fields("defdictobject", table, default_factory=factory)
    entries = builder.get_word(table + builder.layout.PyDictObject.ma_table)
    for slot in range(8):
        entry = entries + slot * builder.layout.PyDictEntry.size
        if builder.get_word(entry + builder.layout.PyDictEntry.me_key):
            builder.word(entry + builder.layout.PyDictEntry.me_value, table)
    assert repr_of(builder, table) == \
        "defaultdict(<type 'list'>, {'self': defaultdict(<type 'list'>, {...})})"


def test_namedtuple_style_repr_from_its_format():
    builder = ImageBuilder()
    point = builder.heap_type("Point", "tuple", with_dict=False, defines=[b"__repr__"])
    builder.bind_method(point, b"__repr__", b"d\x01\x00|\x00\x00\x16S",
                        [b"doc", b"Point(x=%r, y=%r, p=100%%)"])
    address = builder.tuple_([1, b"a"], type_address=point)
    assert repr_of(builder, address) == "Point(x=1, y='a', p=100%)"


def test_display_shows_raw_bytes_as_utf8_and_escapes_invalid_ones():
    assert display("caf\xc3\xa9") == "caf\u00e9"
    assert display("caf\xe9 'x\\xe9'") == "caf\\xe9 'x\\xe9'"
    assert display("plain") == "plain"


def test_layout_tables_of_the_long_tail():
    assert c.DECLARATIONS["countobject"][2] == ("ssize", "cnt")
    builder = ImageBuilder()
    layout = builder.layout
    assert (layout.countobject.long_step, layout.repeatobject.cnt, layout.superobject.obj_type,
            layout.PyCapsule.name, layout.fileio.dict, layout.buffered.dict,
            layout.textio.encoding, layout.textio.dict, layout.PySocketSockObject.size) == \
        (32, 24, 32, 24, 32, 136, 40, 168, 56)


LONG_TAIL_TYPES = [
    ("itertools.count", "countobject"), ("itertools.repeat", "repeatobject"),
    ("super", "superobject"), ("weakproxy", "PyWeakReference"), ("PyCapsule", "PyCapsule"),
    ("zipimport.zipimporter", "ZipImporter"), ("_io.FileIO", "fileio"),
    ("_io.BufferedReader", "buffered"), ("_io.TextIOWrapper", "textio"),
    ("_socket.socket", "PySocketSockObject"), ("_ctypes.CField", "CFieldObject"),
    ("sqlalchemy.cimmutabledict.immutabledict", "ImmutableDict"),
    ("sqlalchemy.engine.util.tuplegetter", "tuplegetterobject"), ("Element", "ElementObject"),
]


@pytest.mark.parametrize("name, struct_name", LONG_TAIL_TYPES)
def test_garbage_fields_give_an_error_text_never_an_exception(name, struct_name):
    """Every word after the header is garbage: a pointer into nowhere, a misaligned one,
    a huge count. The repr says what could not be read; nothing raises."""
    import random

    rng = random.Random(name)
    for _ in range(20):
        builder = ImageBuilder()
        kind = static_type(builder, name, struct_name)
        size = getattr(builder.layout, struct_name).size
        address = builder.new(struct_name, kind)
        words = [rng.choice([0, 1, -1, 0x7f0000000008, 0x7f0000000003, 2 ** 62,
                             rng.getrandbits(64)]) for _ in range(2, size // 8)]
        builder.words(address + 16, [word & (2 ** 64 - 1) for word in words])
        text = repr_of(builder, address)
        assert isinstance(text, str) and "internal error" not in text
