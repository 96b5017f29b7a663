# The hand-made corpus of bench_reprs: realistic objects of a service (configuration,
# caches, records, errors, schedules, handles) built from every kind py-walk decodes,
# plus the long tail of tests/targets/longtail.py. Prints one JSON line
# {"pid", "objects": [[name, id, repr], ...]} (a repr's bytes as latin-1 text), then
# blocks on stdin.
import array
import collections
import datetime
import decimal
import functools
import io
import itertools
import json
import os
import socket
import sys
import time
import weakref

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "targets"))
import longtail  # noqa: E402


class UTC(datetime.tzinfo):
    def utcoffset(self, when):
        return datetime.timedelta(0)

    def dst(self, when):
        return datetime.timedelta(0)


class Offset(datetime.tzinfo):
    def __init__(self, minutes):
        self.minutes = minutes

    def utcoffset(self, when):
        return datetime.timedelta(minutes=self.minutes)


class Handler(object):
    def __init__(self, name):
        self.name = name

    def handle(self, request):
        return request

    @classmethod
    def build(cls):
        return cls("built")

    @staticmethod
    def helper():
        return 1


class Legacy:
    def run(self):
        return self


class Session(object):
    __slots__ = ("user", "token", "__weakref__")


class ServiceError(Exception):
    pass


class Timeout(ServiceError):
    pass


class Money(decimal.Decimal):
    pass


class Tally(collections.Counter):
    pass


class Stamp(datetime.datetime):
    pass


class Registry(dict):
    pass


class Tags(set):
    pass


class Path(str):
    pass


class Label(unicode):
    pass


class Amount(float):
    pass


class Big(long):
    pass


class Stack(list):
    pass


Request = collections.namedtuple("Request", "method path headers body")
Endpoint = collections.namedtuple("Endpoint", "host port secure")
utc = UTC()
cet = Offset(60)
handler = Handler("orders")
legacy = Legacy()
session = Session()
session.user = u"alice"
session.token = "t0k3n\x00\xff"
now = datetime.datetime(2021, 6, 7, 8, 9, 10, 111213)
sock = socket.socket()
scratch = longtail.SCRATCH
log_path = longtail.fresh_file("service.log", "started\n")


def make_closure(limit):
    count = [0]

    def inner():
        count[0] += 1
        return count[0] < limit
    return inner


def worker(queue):
    for item in queue:
        yield item


closure = make_closure(3)
generator = worker([1, 2, 3])
next(generator)
weak_handler = weakref.ref(handler)
weak_session = weakref.ref(session)
chain = itertools.chain([1], [2])
cache = collections.OrderedDict()
for key in ("user:1", "user:2", "order:9"):
    cache[key] = {"hits": len(key), "expires": now + datetime.timedelta(seconds=len(key))}
by_state = collections.defaultdict(set)
for state, order in (("new", 1), ("paid", 2), ("new", 3)):
    by_state[state].add(order)
config = {
    "name": u"billing-\u00e9",
    "workers": 4,
    "ratio": 0.75,
    "limits": {"connect": 1.5, "read": 30, "retries": (1, 2, 4, 8)},
    "hosts": [Endpoint("db1", 5432, True), Endpoint(u"db2", 5433L, False)],
    "enabled": True,
    "owner": None,
    "tags": frozenset(["a", "b"]),
    "started": now,
}
error_with_args = Timeout("upstream %s timed out" % "db1", 30.0, Endpoint("db1", 5432, True))
nested_error = ServiceError(ValueError("bad"), KeyError("missing"), [IOError(2, "No such file")])
env_error = EnvironmentError(13, "Permission denied", "/etc/shadow")
unicode_error = UnicodeDecodeError("utf8", "\xff\xfe", 0, 1, "invalid start byte")

OBJECTS = longtail.OBJECTS + [
    ("config", config), ("config_limits", config["limits"]), ("config_hosts", config["hosts"]),
    ("cache_ordered", cache), ("cache_entry", cache["user:1"]), ("by_state", by_state),
    ("request", Request("GET", "/orders/7", {"Accept": "application/json"}, None)),
    ("request_body", Request("POST", u"/caf\u00e9", (), bytearray("{\"a\": 1}"))),
    ("endpoints_set", set([Endpoint("a", 1, False), Endpoint("b", 2, True)])),
    ("money", Money("19.99")), ("money_list", [Money("0.10"), decimal.Decimal("-3E+2")]),
    ("tally", Tally(["x", "y", "x", u"z"])), ("tally_in_dict", {"counts": Tally("aab")}),
    ("stamp", Stamp(2021, 1, 2, 3, 4, 5)), ("stamp_tz", Stamp(2021, 1, 2, tzinfo=cet)),
    ("now", now), ("now_utc", now.replace(tzinfo=utc)), ("today", now.date()),
    ("clock", now.time()), ("clock_tz", datetime.time(23, 59, 59, 999999, tzinfo=utc)),
    ("durations", [datetime.timedelta(hours=36), datetime.timedelta(microseconds=-1),
                   datetime.timedelta(days=-2, seconds=5)]),
    ("registry", Registry(handler=handler, legacy=legacy)), ("tags", Tags([1, 2])),
    ("path", Path("/var/log/app.log")), ("label", Label(u"r\u00e9sum\u00e9")),
    ("amount", Amount(2.5)), ("big", Big(10 ** 30)), ("stack", Stack([[], {}, ()])),
    ("handler", handler), ("handler_dict", handler.__dict__), ("legacy", legacy),
    ("legacy_method", legacy.run), ("handler_method", handler.handle),
    ("handler_classmethod", Handler.build), ("handler_staticmethod", Handler.helper),
    ("handler_unbound", Handler.handle), ("handler_class", Handler),
    ("handler_dictproxy", Handler.__dict__), ("legacy_class", Legacy),
    ("session", session), ("session_slot", Session.user), ("weak_handler", weak_handler),
    ("weak_session", weak_session), ("weak_list", [weak_handler, weak_session]),
    ("proxy_handler", weakref.proxy(handler)),
    ("error_with_args", error_with_args), ("nested_error", nested_error),
    ("env_error", env_error), ("unicode_error", unicode_error),
    ("errors", [ServiceError(), Timeout(), StopIteration(), KeyboardInterrupt("^C")]),
    ("closure", closure), ("closure_cells", closure.func_closure), ("generator", generator),
    ("code", worker.func_code), ("functions", {"make": make_closure, "worker": worker}),
    ("partial_in_list", [functools.partial(int, base=16)]),
    ("builtins", [len, sys.exc_info, [].append, dict.fromkeys, str.join, int.__add__]),
    ("method_wrappers", [(1).__add__, "x".__len__, handler.__init__]),
    ("struct_times", [time.gmtime(0), time.gmtime(86400 * 400)]),
    ("stat_in_dict", {"root": os.stat("/"), "flags": sys.flags}),
    ("counters", {"ids": itertools.count(1000), "retries": itertools.count(0, 0.25)}),
    ("repeats", (itertools.repeat(u"x", 2), itertools.repeat(None))),
    ("chain", chain), ("log_file", open(log_path)), ("log_io", io.open(log_path, "rb")),
    ("text_io", io.open(log_path, encoding="utf-8")), ("socket", sock),
    ("socket_raw", sock._sock), ("io_list", [io.BytesIO(), io.FileIO(log_path)]),
    ("arrays", {"i": array.array("i", [1, -2]), "d": array.array("d", [0.5]),
                "c": array.array("c", "ok"), "u": array.array("u", u"\u00e9")}),
    ("buffers", [buffer("abcdef", 2, 3), memoryview("xyz")]),
    ("numbers", [0, -1, 2 ** 63, -2 ** 63 - 1, 1e-300, -1e300, float("inf"), 1 + 2j, True]),
    ("floats", (0.1, 0.2, 0.30000000000000004, 1e16, 123456789.123456789, -0.0)),
    ("strings", ["", "'", '"', "'\"", "\t\n\r", "\x00\x7f\x80\xff", "caf\xc3\xa9"]),
    ("unicodes", [u"", u"'", u"\u2028", u"\U0001f680", u"\ud83d", u"\x7f\x80\xa0"]),
    ("bytearrays", [bytearray(), bytearray("'\""), bytearray(range(250, 256))]),
    ("xranges", (xrange(0), xrange(3, 30, 3), xrange(-1, -10, -2))),
    ("slices", [slice(None), slice(1, None, -1), slice("a", "z")]),
    ("sets", [set(), frozenset(), set([(1, 2), None, 1.5]), frozenset([frozenset([1])])]),
    ("deque_bounded", collections.deque(range(20), maxlen=5)),
    ("deque_unbounded", collections.deque([u"a", ("b",), ["c"]])),
    ("ordered_empty", collections.OrderedDict()), ("defaultdict_none", collections.defaultdict()),
    ("defaultdict_lambda", collections.defaultdict(lambda: 0, {"a": 1})),
    ("dict_views", [config.viewkeys(), {"a": 1}.viewvalues(), {1: 2}.viewitems()]),
    ("module_json", json), ("module_sys", sys), ("module_collections", collections),
    ("types_list", [int, type, object, Handler, Legacy, type(None), type(len)]),
    ("descriptors", [Handler.__dict__["__dict__"], Session.__dict__["token"], int.real,
                     str.__dict__["upper"], dict.__dict__["fromkeys"]]),
    ("properties", [property(), staticmethod(len), classmethod(len)]),
    ("super_in_list", [super(Handler, handler)]),
    ("recursive_config", None), ("shared_rows", None),
    ("nested_tuples", ((((),),),)), ("one_tuples", ((1,), ("a",), ((),))),
    ("mixed_keys", {1: "int", 1.5: "float", "s": "str", u"u": "unicode", (1,): "tuple",
                    None: "none", frozenset(): "frozenset", True: "bool"}),
    ("big_list", list(range(300))), ("big_dict", dict((str(i), i * i) for i in range(200))),
    ("text_blob", "line\n" * 50), ("unicode_blob", u"\u00e9\u00e8" * 100),
]
recursive = {"name": "root", "children": []}
recursive["children"].append({"parent": recursive})
shared_row = [1, "shared"]
OBJECTS[OBJECTS.index(("recursive_config", None))] = ("recursive_config", recursive)
OBJECTS[OBJECTS.index(("shared_rows", None))] = ("shared_rows", [shared_row, shared_row, (shared_row,)])

sys.stdout.write(json.dumps({
    "pid": os.getpid(),
    "objects": [[name, id(obj), repr(obj).decode("latin-1")] for name, obj in OBJECTS],
}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
