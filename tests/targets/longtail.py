# The long tail of reprs for python2.7 targets (imported by objects.py and by the
# hand-made corpus): C types of extension modules, structseqs, Python reprs that depend
# only on fields, recursion without Py_ReprEnter, CPython's %.Ns cuts, methods wrapping
# other callables, edge values and non-ASCII names.  OBJECTS is [(name, object)].
import array
import collections
import ctypes
import datetime
import decimal
import functools
import grp
import io
import itertools
import new
import operator
import os
import pwd
import re
import resource
import shutil
import socket
import struct
import sys
import tempfile
import thread
import time
import types
import urlparse
import weakref
import zipfile
import zipimport

import cStringIO

SCRATCH = tempfile.mkdtemp(prefix="cpywalker-longtail-")
KEEP = []


def advanced(iterator, steps):
    for _ in range(steps):
        next(iterator)
    return iterator


class Base(object):
    def method(self):
        return super(Base, self)


class Derived(Base):
    pass


class Long150(object):
    pass


Long150.__name__ = "L" * 150
LongName = type("VeryLong" * 30, (object,), {})


def code_named(name, filename="longtail.py", firstlineno=1):
    code = compile("pass", filename, "exec")
    return new.code(code.co_argcount, code.co_nlocals, code.co_stacksize, code.co_flags,
                    code.co_code, code.co_consts, code.co_names, code.co_varnames, filename,
                    name, firstlineno, code.co_lnotab)


def generator_named(name):
    namespace = {}
    exec "def %s():\n    yield 1\n" % name in namespace
    return namespace[name]()


def cell_of(value):
    return (lambda: value).func_closure[0]


class WithInstanceName(object):
    pass


named_instance = WithInstanceName()
named_instance.__name__ = "instance name"
long_named_instance = WithInstanceName()
long_named_instance.__name__ = "n" * 300
int_named_instance = WithInstanceName()
int_named_instance.__name__ = 42


class WithClassName(object):
    __name__ = "class attribute name"


class_named_instance = WithClassName()


class OldNamed:
    pass


old_named = OldNamed()
old_named.__name__ = "classic name"


class CallableWithName(object):
    __name__ = "called"

    def __call__(self, *args):
        return args


class ListWithMethod(list):
    def method(self):
        return self


recursive_method_list = ListWithMethod()
recursive_method_list.append(recursive_method_list.method)
recursive_error = ValueError()
recursive_error.args = ([recursive_error],)
self_args_error = KeyError()
self_args_error.args = (self_args_error,)
recursive_defaultdict = collections.defaultdict(list)
recursive_defaultdict["self"] = recursive_defaultdict
repeat_holder = [itertools.repeat(None)]
recursive_repeat = itertools.repeat(repeat_holder)
repeat_holder.append(recursive_repeat)
slice_holder = []
recursive_slice = slice(slice_holder)
slice_holder.append(recursive_slice)
recursive_deque = collections.deque()
recursive_deque.append(recursive_deque)
recursive_ordered = collections.OrderedDict()
recursive_ordered["self"] = recursive_ordered
recursive_tuple_holder = []
recursive_tuple = (recursive_tuple_holder,)
recursive_tuple_holder.append(recursive_tuple)
error_in_list = [ValueError()]
error_in_list[0].args = (error_in_list,)


class MyCounter(collections.Counter):
    pass


class MyDate(datetime.date):
    pass


class MyDateTime(datetime.datetime):
    pass


class MyTime(datetime.time):
    pass


class MyDelta(datetime.timedelta):
    pass


class MyDecimal(decimal.Decimal):
    pass


class UTC(datetime.tzinfo):
    def utcoffset(self, when):
        return datetime.timedelta(0)


Point = collections.namedtuple("Point", "x y")
Row = collections.namedtuple("Row", "id name tags")


class Point3(collections.namedtuple("Point3", "x y z")):
    __slots__ = ()


Renamed = collections.namedtuple("Renamed", "a def a", rename=True)
Percent = collections.namedtuple("Percent", "value")


def fresh_file(name, data="data\n"):
    path = os.path.join(SCRATCH, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


text_path = fresh_file("text.txt")
closed_fileio = io.FileIO(text_path)
closed_fileio.close()
fd_fileio = io.FileIO(os.open(text_path, os.O_RDONLY))
closed_raw_socket = socket._socket.socket()
closed_raw_socket.close()

zip_path = os.path.join(SCRATCH, "archive.zip")
with zipfile.ZipFile(zip_path, "w") as archive:
    archive.writestr("pkg/__init__.py", "")
    archive.writestr("top.py", "")

# a module and a class whose names are UTF-8 (and one that is not valid UTF-8)
utf8_dir = os.path.join(SCRATCH, "caf\xc3\xa9")
os.mkdir(utf8_dir)
with open(os.path.join(utf8_dir, "m\xc3\xbcnchen.py"), "w") as handle:
    handle.write("def f():\n    return 1\n")
sys.path.insert(0, utf8_dir)
utf8_module = __import__("m\xc3\xbcnchen")
sys.path.pop(0)
Utf8Class = type("Caf\xc3\xa9", (object,), {})
Latin1Class = type("Caf\xe9", (object,), {})
Utf8Old = new.classobj("\xc3\xa9t\xc3\xa9", (), {})

libc = ctypes.CDLL(None)
c_callback = ctypes.CFUNCTYPE(ctypes.c_int)(lambda: 0)
ctypes.pythonapi.PyCapsule_New.restype = ctypes.py_object
ctypes.pythonapi.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
null_name_capsule = ctypes.pythonapi.PyCapsule_New(1, None, None)

weak_target = Derived()
dead_proxy = weakref.proxy(Derived())
long_target = Long150()
lock = thread.allocate_lock()

OBJECTS = [
    # itertools.count: C ssize counting, long/float start and step, count(<NULL>)
    ("count_default", itertools.count()), ("count_int", itertools.count(5)),
    ("count_negative", itertools.count(-5)), ("count_long_start", itertools.count(2L)),
    ("count_huge", itertools.count(2 ** 70)), ("count_float", itertools.count(1.5)),
    ("count_float_step", itertools.count(0, 0.5)), ("count_int_step", itertools.count(3, 2)),
    ("count_long_step", itertools.count(3, 2L)), ("count_float_one", itertools.count(1, 1.0)),
    ("count_bool_step", itertools.count(1, True)), ("count_maxint", itertools.count(sys.maxint)),
    ("count_past_maxint", advanced(itertools.count(sys.maxint), 2)),
    ("count_minint", itertools.count(-sys.maxint - 1)), ("count_advanced", advanced(itertools.count(7), 3)),
    ("count_decimal", itertools.count(decimal.Decimal("1.5"))),
    ("count_negative_step", itertools.count(10, -3)),
    # itertools.repeat
    ("repeat_forever", itertools.repeat("a")), ("repeat_times", itertools.repeat([1, 2], 3)),
    ("repeat_zero", itertools.repeat(None, 0)), ("repeat_used", advanced(itertools.repeat(1.5, 5), 2)),
    ("repeat_of_dict", itertools.repeat({"k": (1,)}, 1)),
    # super
    ("super_bound", weak_target.method()), ("super_unbound", super(Base)),
    ("super_type", super(Base, Derived)), ("super_derived", super(Derived, weak_target)),
    # weak proxies
    ("weakproxy_live", weakref.proxy(weak_target)), ("weakproxy_dead", dead_proxy),
    ("weakproxy_callable", weakref.proxy(code_named)),
    ("weakproxy_long_name", weakref.proxy(long_target)),
    ("weakref_long_name", weakref.ref(long_target)),
    # structseq
    ("structseq_flags", sys.flags), ("structseq_float_info", sys.float_info),
    ("structseq_long_info", sys.long_info), ("structseq_version", sys.version_info),
    ("structseq_struct_time", time.gmtime(0)), ("structseq_localtime", time.localtime(86400 * 365)),
    ("structseq_stat", os.stat("/")), ("structseq_statvfs", os.statvfs("/")),
    ("structseq_passwd", pwd.getpwuid(0)), ("structseq_group", grp.getgrgid(0)),
    ("structseq_rusage", resource.struct_rusage(tuple(range(16)))),
    ("structseq_cut", os.stat_result(tuple(["a" * 100] * 10))),
    ("structseq_cut_late", os.stat_result(tuple(["b" * 55] * 10))),
    ("structseq_nested", time.struct_time(([1], (2,), {3: 4}, "x", u"y", 1.5, None, 2 ** 70, -1))),
    # memoryview, capsules, PyCObject
    ("memoryview_str", memoryview("abc")), ("memoryview_bytearray", memoryview(bytearray(4))),
    ("capsule_socket", socket._socket.CAPI), ("capsule_datetime", datetime.datetime_CAPI),
    ("capsule_null_name", null_name_capsule), ("cobject", cStringIO.cStringIO_CAPI),
    # ctypes function pointers
    ("ctypes_callback", c_callback), ("ctypes_libc_function", libc.strlen),
    ("ctypes_pythonapi_function", ctypes.pythonapi.Py_GetVersion),
    # zipimport
    ("zipimporter", zipimport.zipimporter(zip_path)),
    ("zipimporter_prefix", zipimport.zipimporter(os.path.join(zip_path, "pkg"))),
    # _io
    ("fileio_read", io.FileIO(text_path)), ("fileio_write", io.FileIO(fresh_file("w.bin"), "w")),
    ("fileio_append", io.FileIO(fresh_file("a.bin"), "a")),
    ("fileio_update", io.FileIO(fresh_file("u.bin"), "r+")),
    ("fileio_append_read", io.FileIO(fresh_file("ar.bin"), "a+")),
    ("fileio_closed", closed_fileio), ("fileio_fd", fd_fileio),
    ("buffered_reader", io.open(text_path, "rb")), ("buffered_writer", io.open(fresh_file("bw"), "wb")),
    ("buffered_random", io.open(fresh_file("br"), "r+b")),
    ("buffered_over_bytesio", io.BufferedReader(io.BytesIO("xyz"))),
    ("textio", io.open(text_path)), ("textio_latin1", io.open(text_path, encoding="latin-1")),
    ("textio_over_bytesio", io.TextIOWrapper(io.BytesIO("abc"), encoding="utf-8")),
    ("bytesio", io.BytesIO("abc")), ("stringio_io", io.StringIO(u"abc")),
    # sockets
    ("socket_raw", socket.socket()._sock), ("socket_raw_udp", socket.socket(socket.AF_INET, socket.SOCK_DGRAM)._sock),
    ("socket_raw_closed", closed_raw_socket), ("socket_object", socket.socket()),
    # Python reprs that only read fields
    ("counter_subclass", MyCounter("abracadabra")), ("counter_subclass_empty", MyCounter()),
    ("date_subclass", MyDate(2010, 1, 2)), ("datetime_subclass", MyDateTime(2010, 1, 1, 10, 0)),
    ("datetime_subclass_tz", MyDateTime(2010, 1, 1, tzinfo=UTC())),
    ("time_subclass", MyTime(1, 2, 3)), ("timedelta_subclass", MyDelta(3, 4)),
    ("decimal_subclass", MyDecimal("1.50")), ("decimal_subclass_nan", MyDecimal("-sNaN7")),
    ("namedtuple", Point(1, 2)), ("namedtuple_row", Row(7, u"caf\xe9", ("a", "b"))),
    ("namedtuple_nested", Point(Point(1, 2), [Point(3, None)])),
    ("namedtuple_subclass_slots", Point3(1.5, -2, 3L)), ("namedtuple_renamed", Renamed(1, 2, 3)),
    ("namedtuple_percent", Percent("100%")),
    ("urlparse_result", urlparse.urlparse("http://user@example.com:8080/p/a/t/h;params?q=1#frag")),
    ("urlsplit_result", urlparse.urlsplit("https://example.org/x?y=z")),
    # recursion: which reprs guard (Py_ReprEnter) and which recurse once more
    ("recursive_method_list", recursive_method_list), ("recursive_method", recursive_method_list[0]),
    ("recursive_error", recursive_error), ("recursive_error_args", self_args_error),
    ("recursive_defaultdict", recursive_defaultdict), ("recursive_repeat", recursive_repeat),
    ("recursive_slice", recursive_slice), ("recursive_deque", recursive_deque),
    ("recursive_ordered_dict", recursive_ordered), ("recursive_tuple", recursive_tuple),
    ("recursive_error_in_list", error_in_list),
    # CPython's own length cuts
    ("cell_long_type_name", cell_of(LongName())), ("code_long_name", code_named("c" * 150)),
    ("code_long_filename", code_named("f", "/" + "d" * 400 + ".py")),
    ("code_nul_name", code_named("before\0after")), ("code_line_zero", code_named("zero", firstlineno=0)),
    ("generator_long_name", generator_named("g" * 250)),
    ("weakref_long_referent_name", weakref.ref(long_named_instance)),
    # methods whose function is another callable
    ("unbound_socket_method", socket._socketobject.getpeername),
    ("bound_socket_method", socket.socket().getpeername),
    ("method_of_method_descriptor", types.MethodType(list.append, [1])),
    ("method_of_builtin", types.MethodType(len, 5, int)),
    ("method_of_partial", types.MethodType(functools.partial(len), None, Base)),
    ("method_of_callable", types.MethodType(CallableWithName(), weak_target, Derived)),
    ("method_of_method", types.MethodType(Base.method, 1, int)),
    ("method_of_type", types.MethodType(dict, None, Base)),
    ("method_of_classobj", types.MethodType(OldNamed, None, OldNamed)),
    ("method_class_none", types.MethodType(len, 1)),
    # edge values
    ("xrange_clipped", xrange(0, sys.maxint, 3)), ("xrange_clipped_negative", xrange(0, -sys.maxint - 1, -7)),
    ("xrange_full", xrange(-sys.maxint - 1, sys.maxint, 7)), ("xrange_near_max", xrange(sys.maxint - 2, sys.maxint)),
    ("weakref_instance_name", weakref.ref(named_instance)), ("weakref_class_attr_name", weakref.ref(class_named_instance)),
    ("weakref_int_name", weakref.ref(int_named_instance)), ("weakref_classic_name", weakref.ref(old_named)),
    ("weakref_to_function", weakref.ref(code_named)), ("weakref_to_class", weakref.ref(Base)),
    # non-ASCII names and paths
    ("module_utf8_path", utf8_module), ("function_utf8_module", utf8_module.f),
    ("code_utf8_path", utf8_module.f.func_code), ("class_utf8", Utf8Class), ("instance_utf8", Utf8Class()),
    ("class_invalid_utf8", Latin1Class), ("instance_invalid_utf8", Latin1Class()),
    ("classic_class_utf8", Utf8Old), ("classic_instance_utf8", Utf8Old()),
    ("str_value_utf8", "caf\xc3\xa9"), ("file_unicode_name", open(text_path.decode("ascii"))),
    ("file_utf8_name", open(os.path.join(utf8_dir, "m\xc3\xbcnchen.py"))),
    # C types printed as <module.Name object at 0x...>
    ("partial", functools.partial(len)), ("itemgetter", operator.itemgetter(1)),
    ("attrgetter", operator.attrgetter("x")), ("methodcaller", operator.methodcaller("f")),
    ("sre_pattern", re.compile("a+")), ("sre_match", re.match("a", "a")),
    ("cstringio_out", cStringIO.StringIO()), ("cstringio_in", cStringIO.StringIO("in")),
    ("thread_lock", lock), ("thread_local", thread._local()), ("struct", struct.Struct("<i")),
    ("chain", itertools.chain([1], [2])), ("islice", itertools.islice([1], 1)),
    ("izip", itertools.izip([1], [2])), ("groupby", itertools.groupby([1])),
    ("tee", itertools.tee([1])[0]), ("product", itertools.product([1])),
    ("deque_iterator", iter(collections.deque([1]))), ("list_iterator", iter([1])),
    ("enumerate", enumerate([1])), ("reversed", reversed([1])),
    ("dict_keyiterator", iter({1: 2})), ("array_iterator", iter(array.array("i"))),
    ("classmethod_descriptor", dict.__dict__["fromkeys"]), ("tzinfo", UTC()),
]


class Pair(ctypes.Structure):
    _fields_ = [("flag", ctypes.c_ushort), ("bits", ctypes.c_int, 3), ("value", ctypes.c_double)]


OBJECTS += [("ctypes_field", Pair.flag), ("ctypes_bitfield", Pair.bits),
            ("ctypes_field_double", Pair.value)]


class MyCInt(ctypes.c_int):
    pass


import xml.etree.cElementTree as cElementTree  # noqa: E402

wide_text = ctypes.c_wchar_p(u"wide \u20ac")
OBJECTS += [
    ("ctypes_int", ctypes.c_int(-5)), ("ctypes_uint", ctypes.c_uint(5)),
    ("ctypes_long", ctypes.c_long(-2 ** 40)), ("ctypes_ulong", ctypes.c_ulong(2 ** 64 - 1)),
    ("ctypes_short", ctypes.c_short(-2)), ("ctypes_ubyte", ctypes.c_ubyte(255)),
    ("ctypes_byte", ctypes.c_byte(-1)), ("ctypes_ushort", ctypes.c_ushort(65535)),
    ("ctypes_char", ctypes.c_char("\xff")), ("ctypes_wchar", ctypes.c_wchar(u"\xe9")),
    ("ctypes_double", ctypes.c_double(0.1)), ("ctypes_float", ctypes.c_float(0.1)),
    ("ctypes_longdouble", ctypes.c_longdouble(1.0 / 3)), ("ctypes_bool", ctypes.c_bool(True)),
    ("ctypes_void_null", ctypes.c_void_p()), ("ctypes_void", ctypes.c_void_p(16)),
    ("ctypes_wchar_p", wide_text), ("ctypes_wchar_p_null", ctypes.c_wchar_p()),
    ("ctypes_subclass", MyCInt(3)),
    ("element", cElementTree.Element("tag")), ("element_unicode", cElementTree.Element(u"caf\xe9")),
]


def nul_named():
    pass


nul_named.__name__ = "before\0after"
nul_module = new.module("mod\0ule")
OBJECTS += [("function_nul_name", nul_named), ("module_nul_name", nul_module)]


# field-only Python reprs: return CONST % (self.attr | self.__class__.__name__ | id(self))
class Tagged(object):
    def __init__(self, tag, payload):
        self.tag = tag
        self.payload = payload

    def __repr__(self):
        return "<%s %s %r at 0x%x>" % (self.__class__.__name__, self.tag, self.payload, id(self))


class SlottedRepr(object):
    __slots__ = ("name", "count")

    def __init__(self, name, count):
        self.name = name
        self.count = count

    def __repr__(self):
        return "%s(%r, count=%d, module=%s)" % (type(self).__name__, self.name, self.count,
                                                self.__class__.__module__)


class DefaultRepr(object):
    kind = "default"

    def __repr__(self):
        return "<kind %s, 100%%>" % (self.kind)


class TaggedChild(Tagged):
    pass


import codecs  # noqa: E402

OBJECTS += [
    ("python_repr_attrs", Tagged("t1", [1, {"a": (2,)}])),
    ("python_repr_subclass", TaggedChild(u"uni", None)),
    ("python_repr_slots", SlottedRepr("n", 3)), ("python_repr_class_attr", DefaultRepr()),
    ("python_repr_in_list", [Tagged(7, Tagged(8L, ()))]),
    ("codec_info", codecs.lookup("utf-8")),
]
OBJECTS += [("python_repr_str_of_instance", SlottedRepr(Tagged, 0)),
            ("python_repr_percent_s_object", DefaultRepr())]
OBJECTS[-1][1].kind = Base()
