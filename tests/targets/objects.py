# A python2.7 target holding many objects of every builtin kind py-walk decodes (and the
# long tail of longtail.py), plus corrupted fakes built with ctypes. It prints one JSON
# line, then waits on stdin:
#   {"pid", "objects": [[name, id, repr], ...], "bad": {name: address}, "deep": {...}}
# A repr's bytes are sent as latin-1 text (one character per byte).
import array
import collections
import ctypes
import datetime
import decimal
import json
import os
import struct
import sys
import weakref

import longtail
import oddreprs


class New(object):
    def method(self):
        pass


class Slotted(object):
    __slots__ = ("a", "b")


class Old:
    def method(self):
        pass


class MyInt(int):
    pass


class MyStr(str):
    pass


class MyList(list):
    pass


class MyDict(dict):
    pass


class UTC(datetime.tzinfo):
    def utcoffset(self, when):
        return datetime.timedelta(0)


class MyError(Exception):
    pass


def plain_function():
    pass


def closure_maker():
    captured = 12345

    def inner():
        return captured
    return inner


def empty_cell():
    def inner():
        return later
    return inner.func_closure[0]
    later = 1


def with_deleted_entries(container, removed):
    for key in removed:
        container.discard(key) if isinstance(container, set) else container.pop(key)
    return container


def nested(depth):
    value = "bottom"
    for level in range(depth):
        value = [level, value] if level % 2 else {"level": level, "child": value}
    return value


slotted = Slotted()
slotted.a = "slot a"
new_instance = New()
new_instance.attr = [1, 2]
old_instance = Old()
old_instance.attr = "classic"
recursive_list = [1, 2]
recursive_list.append(recursive_list)
recursive_dict = {"name": "self"}
recursive_dict["self"] = recursive_dict
weak_target = New()
dead_weak = weakref.ref(New())
infinity = float("inf")
buffer_source = "hello buffer world"

OBJECTS = [
    ("int_zero", 0), ("int_one", 1), ("int_negative", -42), ("int_max", sys.maxint),
    ("int_min", -sys.maxint - 1),
    ("long_zero", 0L), ("long_small", 7L), ("long_negative", -123456789012345678901234567890L),
    ("long_2_30", 2 ** 30), ("long_2_64", 2 ** 64), ("long_huge", 3 ** 5000),
    ("long_minus_huge", -(7 ** 700)),
    ("float_zero", 0.0), ("float_negative_zero", -0.0), ("float_tenth", 0.1),
    ("float_1e22", 1e22), ("float_1e16", 1e16), ("float_third", 1.0 / 3), ("float_tiny", 5e-324),
    ("float_max", 1.7976931348623157e308), ("float_inf", infinity), ("float_minus_inf", -infinity),
    ("float_nan", float("nan")), ("float_plain", 123456.789), ("float_int_valued", 3.0),
    ("complex_plain", 1 + 2j), ("complex_imag", 1j), ("complex_negative_zero", complex(-0.0, -0.0)),
    ("complex_inf_nan", complex(infinity, float("nan"))), ("complex_real_zero_imag", complex(2.5, 0)),
    ("bool_true", True), ("bool_false", False), ("none", None), ("ellipsis", Ellipsis),
    ("not_implemented", NotImplemented),
    ("str_empty", ""), ("str_plain", "hello world"), ("str_single_quote", "it's"),
    ("str_double_quote", 'say "hi"'), ("str_both_quotes", "both ' and \""),
    ("str_escapes", "tab\tnewline\nreturn\rbackslash\\"), ("str_binary", "\x00\x01\x7f\x80\xff"),
    ("str_all_bytes", "".join(chr(i) for i in range(256))), ("str_long", "abcdefghij" * 1000),
    ("unicode_empty", u""), ("unicode_ascii", u"abc"), ("unicode_latin1", u"caf\xe9 \xff"),
    ("unicode_bmp", u"\u20ac \u4e2d \uffff"), ("unicode_non_bmp", u"\U0001f600 \U0010ffff"),
    ("unicode_lone_surrogate", u"\ud800"), ("unicode_quotes", u"it's \"q\""),
    ("unicode_controls", u"\x00\t\n\r\\\x7f\x80"), ("unicode_all_latin1", u"".join(unichr(i) for i in range(256))),
    ("bytearray_empty", bytearray()), ("bytearray_data", bytearray("abc\x00\xff'\"")),
    ("buffer_whole", buffer(buffer_source)), ("buffer_slice", buffer(buffer_source, 6, 6)),
    ("tuple_empty", ()), ("tuple_one", (1,)), ("tuple_mixed", (1, "two", 3.0, None, (4,))),
    ("list_empty", []), ("list_ints", [1, 2, 3]), ("list_mixed", [1, "a", u"b", [2.5, None], (), {}]),
    ("dict_empty", {}), ("dict_one", {"key": "value"}),
    ("dict_many", dict(("key%d" % i, i) for i in range(50))),
    ("dict_int_keys", dict((i * 7, i) for i in range(20))),
    ("dict_deleted", with_deleted_entries(dict((i, str(i)) for i in range(30)), range(0, 30, 3))),
    ("dict_nested", {"a": {"b": [1, {"c": (2, 3)}]}, (1, 2): frozenset([1])}),
    ("set_empty", set()), ("set_ints", set([1, 2, 3])), ("set_strings", set(["a", "b", "c"])),
    ("set_large", set(range(100))), ("set_deleted", with_deleted_entries(set(range(40)), range(0, 40, 4))),
    ("frozenset_empty", frozenset()), ("frozenset_mixed", frozenset([1, "x", (2, 3)])),
    ("type_int", int), ("type_type", type), ("type_object", object), ("type_none", type(None)),
    ("type_builtin_function", type(len)), ("type_user", New), ("type_user_slotted", Slotted),
    ("classic_class", Old), ("classic_instance", old_instance), ("new_instance", new_instance),
    ("slotted_instance", slotted), ("subclass_int", MyInt(77)), ("subclass_str", MyStr("sub'str")),
    ("subclass_list", MyList([1, [2]])), ("subclass_dict", MyDict(k=1)),
    ("function", plain_function), ("lambda", lambda: None), ("closure", closure_maker()),
    ("builtin_function", len), ("builtin_function_module", sys.getrefcount),
    ("builtin_method", recursive_list.append), ("builtin_classmethod", dict.fromkeys),
    ("bound_method", new_instance.method), ("unbound_method", New.method),
    ("classic_bound_method", old_instance.method), ("method_wrapper", (5).__add__),
    ("slot_wrapper", int.__add__), ("method_descriptor", list.append),
    ("module_builtin", sys), ("module_file", os), ("module_json", json),
    ("code", plain_function.func_code), ("frame", sys._getframe()),
    ("cell", closure_maker().func_closure[0]), ("cell_empty", empty_cell()),
    ("slice_full", slice(1, 10, 2)), ("slice_none", slice(None, "a", None)), ("slice_stop", slice(5)),
    ("xrange_stop", xrange(10)), ("xrange_start_stop", xrange(2, 10)), ("xrange_step", xrange(1, 10, 3)),
    ("xrange_empty", xrange(5, 1)), ("xrange_negative", xrange(10, -10, -4)),
    ("exception_value", ValueError("bad value")), ("exception_key", KeyError(1, 2)),
    ("exception_empty", Exception()), ("exception_user", MyError("mine")),
    ("property", property(lambda self: 1)), ("staticmethod", staticmethod(plain_function)),
    ("classmethod", classmethod(plain_function)),
    ("member_descriptor", Slotted.a), ("getset_descriptor", New.__dict__["__dict__"]),
    ("getset_builtin", int.real), ("dictproxy", New.__dict__),
    ("weakref_live", weakref.ref(weak_target)), ("weakref_dead", dead_weak),
    ("recursive_list", recursive_list), ("recursive_dict", recursive_dict),
    ("array_int", array.array("i", [1, 2, 3])), ("array_empty", array.array("i")),
    ("array_char", array.array("c", "abc")), ("array_char_quote", array.array("c", "it's")),
    ("array_unicode", array.array("u", u"xyz\u20ac")), ("array_double", array.array("d", [1.5, 1e22, -0.0])),
    ("array_float", array.array("f", [0.1, 2.5])), ("array_signed_char", array.array("b", [-128, 127])),
    ("array_unsigned", array.array("I", [0, 4294967295])), ("array_ulong", array.array("L", [2 ** 64 - 1])),
    ("array_long", array.array("l", [-sys.maxint - 1])), ("array_short", array.array("h", [-1, 2])),
    ("array_ushort", array.array("H", [65535])), ("array_byte", array.array("B", range(256))),
    ("date", datetime.date(2020, 1, 2)), ("date_min", datetime.date.min),
    ("date_max", datetime.date.max),
    ("datetime_full", datetime.datetime(2020, 1, 2, 3, 4, 5, 6)),
    ("datetime_midnight", datetime.datetime(2020, 1, 2)),
    ("datetime_no_seconds_us", datetime.datetime(2020, 1, 2, 3, 4, 0, 6)),
    ("datetime_seconds", datetime.datetime(1999, 12, 31, 23, 59, 59)),
    ("datetime_max", datetime.datetime.max), ("datetime_tz", datetime.datetime(2020, 1, 2, tzinfo=UTC())),
    ("time_zero", datetime.time()), ("time_full", datetime.time(3, 4, 5, 6)),
    ("time_seconds", datetime.time(23, 59, 1)), ("time_tz", datetime.time(1, 2, tzinfo=UTC())),
    ("timedelta_zero", datetime.timedelta(0)), ("timedelta_seconds", datetime.timedelta(0, 5)),
    ("timedelta_full", datetime.timedelta(1, 2, 3)), ("timedelta_negative", datetime.timedelta(-1)),
    ("timedelta_us_only", datetime.timedelta(microseconds=7)), ("timedelta_max", datetime.timedelta.max),
    ("counter_empty", collections.Counter()), ("counter_letters", collections.Counter("abracadabra")),
    ("counter_ties", collections.Counter(dict(("k%d" % i, i % 3) for i in range(30)))),
    ("counter_mixed_counts", collections.Counter({"a": 2.5, "b": 2 ** 70, "c": -1, "d": 0, "e": True})),
    ("counter_int_keys", collections.Counter(range(10) + range(5))),
    ("decimal_zero", decimal.Decimal(0)), ("decimal_plain", decimal.Decimal("1.50")),
    ("decimal_negative", decimal.Decimal("-123.456")), ("decimal_small", decimal.Decimal("0.000001")),
    ("decimal_scientific", decimal.Decimal("0.0000001")), ("decimal_exponent", decimal.Decimal("1E+3")),
    ("decimal_negative_zero_exp", decimal.Decimal("-0E-9")), ("decimal_float", decimal.Decimal(0.1)),
    ("decimal_infinity", decimal.Decimal("-Infinity")), ("decimal_nan", decimal.Decimal("NaN")),
    ("decimal_nan_payload", decimal.Decimal("-NaN42")), ("decimal_snan", decimal.Decimal("sNaN")),
    ("decimal_huge_exp", decimal.Decimal("9.99E+999999")), ("decimal_long_digits", decimal.Decimal(3 ** 100)),
    ("nested_50", nested(50)), ("shared_children", [new_instance, new_instance, (new_instance,)]),
] + longtail.OBJECTS + oddreprs.OBJECTS

#: Fake and corrupted objects, kept alive in ctypes buffers. PyObject_HEAD is
#: (ob_refcnt, ob_type); offsets below are x86_64 CPython 2.7.
TP_NAME, TP_FLAGS = 24, 168
KEEP = []


def raw_copy(obj, size):
    buf = ctypes.create_string_buffer(ctypes.string_at(id(obj), size), size)
    KEEP.append(buf)
    return buf


def fake(words):
    buf = ctypes.create_string_buffer(struct.pack("<%dQ" % len(words), *words), 8 * len(words))
    KEEP.append(buf)
    return ctypes.addressof(buf)


def patched(buf, offset, value):
    struct.pack_into("<Q", buf, offset, value)
    return ctypes.addressof(buf)


def type_copy(cls):
    return raw_copy(cls, type(cls).__basicsize__)


a_list = [1, 2, 3]
a_dict = {"a": 1, "b": 2}
a_string = "a string long enough to point into"
type_without_name = type_copy(New)
type_without_flags = type_copy(list)
BAD = {
    "null_type": fake([1, 0, 0]),
    "deadbeef_type": fake([1, 0xdeadbeef, 0]),
    "null_tp_name": fake([1, patched(type_without_name, TP_NAME, 0), 0]),
    "zero_tp_flags": fake([1, patched(type_without_flags, TP_FLAGS, 0), 3, ctypes.c_void_p.from_address(id(a_list) + 24).value, 3]),
    "huge_list_size": patched(raw_copy(a_list, 40), 16, 2 ** 60),
    "huge_tuple_size": patched(raw_copy((1, 2, 3), 48), 16, 2 ** 60),
    "huge_str_size": patched(raw_copy(a_string, 40 + len(a_string)), 16, 2 ** 60),
    "huge_dict_mask": patched(raw_copy(a_dict, dict.__basicsize__), 32, 2 ** 40 - 1),
    "classic_null_dict": patched(raw_copy(old_instance, 40), 24, 0),
    "misaligned": id(a_list) + 1,
    "mid_string": id(a_string) + 40,
}

deep = []
for _ in range(100000):
    deep = [deep]

sys.stdout.write(json.dumps({
    "pid": os.getpid(),
    "objects": [[name, id(obj), oddreprs.expected(name, obj).decode("latin-1")]
                for name, obj in OBJECTS],
    "bad": BAD,
    "deep": {"id": id(deep), "depth": 100001},
}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
