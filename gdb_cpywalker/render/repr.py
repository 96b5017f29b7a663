"""``--format repr``: the target's own ``repr()`` text, streamed straight from memory.

``ReprWriter`` walks iteratively (a 100,000-deep list works) with an explicit stack of
generators; each object's text is a sequence of strings and child addresses. Runs of
exact ints, strs, floats, bools and None inside lists, tuples, dicts and sets are
formatted straight from cached page bytes without building a Node (the speed goal);
everything else goes through ``decode.objects.decode``, except a small list or tuple
whose items the hot path already read (a deep nest is never decoded level by level).
Recursion prints ``[...]``, ``{...}``, ``(...)``, ``set(...)`` as CPython's Py_ReprEnter
does.

Budgets: with any limit on depth, items or objects the repr shows exactly the objects
of the walker's Graph, so tree, json and repr cut the same objects (a ``WalkIndex`` walks
just ahead of the text). What a budget leaves out is named in angle brackets, never
confused with a recursion marker::

    [0, 1, <98 more not shown: max-items>]         items past --max-items
    [<10 items not shown: max-depth>]              a container at --max-depth
    {'a': 1, <5 more not shown: max-objects>}      entries past --max-objects
    <bound method A.f of <not shown: max-objects>> one object past a budget
    'abcd'<996 more bytes not shown: max-string>   a str past --max-string

``ReprWriter.pieces`` yields the text as it is made, for front ends to stream.
"""

from ..decode.graph import UNLIMITED
from ..decode.objects import SCALAR_KINDS, decode, string_cut
from ..decode.extension_types import DEFAULT_REPR
from ..decode.reader import ObjectReader
from ..decode.walker import Graph, WalkIndex
from ..errors import CpywalkerError, ProcessGone
from .bigint import decimal_string
from .extension_repr import TEXT as EXTENSION_TEXT
from .extension_repr import TOKENS as EXTENSION_TOKENS
from .extension_repr import c_string, snprintf
from .hotpath import HotPath

ELLIPSIS = "..."
#: how one object that a budget left out prints
NOT_SHOWN = "<not shown: %s>"


# -- scalar text (each mirrors the C function named) ----------------------------------

def _escape_table(quote):
    table = {}
    for code in range(256):
        char = chr(code)
        if char in (quote, "\\"):
            table[code] = "\\" + char
        elif char in "\t\n\r":
            table[code] = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}[char]
        elif code < 0x20 or code >= 0x7F:
            table[code] = "\\x%02x" % code
    return table


_STR_SINGLE = _escape_table("'")
_STR_DOUBLE = _escape_table('"')


def str_repr(data):
    """PyString_Repr of stringobject.c (smartquotes): ``'...'`` or ``"..."`` with escapes."""
    text = data.decode("latin-1")
    if "'" in text:
        if '"' not in text:
            return '"' + text.translate(_STR_DOUBLE) + '"'
    elif text.isascii() and text.isprintable() and "\\" not in text:
        return "'" + text + "'"
    return "'" + text.translate(_STR_SINGLE) + "'"


def bytearray_repr(data):
    """bytearray_repr of bytearrayobject.c: a ``'`` is always escaped, ``"`` never."""
    text = data.decode("latin-1")
    quote = '"' if "'" in text and '"' not in text else "'"
    return "bytearray(b" + quote + text.translate(_STR_SINGLE) + quote + ")"


class _UnicodeTable(dict):
    """unicodeescape_string of unicodeobject.c: \\uXXXX, and \\UXXXXXXXX above 0xffff."""

    def __init__(self, escapes):
        super().__init__((code, chr(code)) for code in range(256))
        self.update(escapes)

    def __missing__(self, code):
        text = self[code] = "\\U%08x" % code if code >= 0x10000 else "\\u%04x" % code
        return text


_UNICODE_SINGLE = _UnicodeTable(_STR_SINGLE)
_UNICODE_DOUBLE = _UnicodeTable(_STR_DOUBLE)


def unicode_repr(text):
    """unicode_repr of unicodeobject.c. A UCS2 surrogate pair arrives decoded as one
    character and prints as one \\U escape, as 2.7's UCS2 build does."""
    if "'" in text and '"' not in text:
        return 'u"' + text.translate(_UNICODE_DOUBLE) + '"'
    return "u'" + text.translate(_UNICODE_SINGLE) + "'"


def decimal_text(value):
    """str(value) without Python's int-to-str digit limit (longs of any size)."""
    try:
        return str(value)
    except ValueError:
        return decimal_string(value)


def scalar_repr(node):
    """repr of a node of SCALAR_KINDS. float_repr and complex_repr of 2.7 use the
    shortest ('r') format, exactly as Python 3's repr of float and complex. A string cut
    by max-string is the repr of the part shown (its quotes chosen from that part), then
    ``string_cut``."""
    kind = node.kind
    if kind == "int":
        return str(node.value)
    if kind == "long":
        return decimal_text(node.value) + "L"
    if kind in ("float", "complex", "bool"):
        return repr(node.value)
    if kind == "str":
        return str_repr(node.value) + string_cut(node)
    if kind == "unicode":
        return unicode_repr(node.value) + string_cut(node)
    if kind == "bytearray":
        return bytearray_repr(node.value)[:-1] + string_cut(node) + ")"
    return {"none": "None", "ellipsis": "Ellipsis", "notimplemented": "NotImplemented"}[kind]


#: strings longer than this (bytes, or characters of a unicode) are escaped and written
#: in pieces of this size: a 500 MB str is never copied whole into its repr
STRING_PIECE = 1 << 20


def string_pieces(node, piece_size=None):
    """The repr of a str, unicode or bytearray node (as scalar_repr), in pieces of
    ``piece_size`` (STRING_PIECE) characters of its value, the quotes chosen from its
    whole value."""
    piece_size = piece_size or STRING_PIECE
    data = node.value
    kind = node.kind
    quotes = ("'", '"') if kind == "unicode" else (b"'", b'"')
    double = quotes[0] in data and quotes[1] not in data
    quote = '"' if double else "'"
    if kind == "unicode":
        table, opening, closing = (_UNICODE_DOUBLE if double else _UNICODE_SINGLE), "u" + quote, quote
    elif kind == "str":
        table, opening, closing = (_STR_DOUBLE if double else _STR_SINGLE), quote, quote
    else:  # bytearray_repr always escapes a single quote
        table, opening, closing = _STR_SINGLE, "bytearray(b" + quote, quote
    escaped_quote = "'" if table in (_STR_SINGLE, _UNICODE_SINGLE) else '"'
    yield opening
    for start in range(0, len(data), piece_size):
        piece = data[start:start + piece_size]
        if kind != "unicode":
            piece = piece.decode("latin-1")
        if piece.isascii() and piece.isprintable() and "\\" not in piece \
                and escaped_quote not in piece:
            yield piece
        else:
            yield piece.translate(table)
    yield closing + string_cut(node) + (")" if kind == "bytearray" else "")


def long_string(node):
    """Whether ``node`` is a str, unicode or bytearray long enough for string_pieces."""
    return node.kind in _STRING_KINDS and len(node.value) > STRING_PIECE


def repr_head(node, limit):
    """The first ``limit`` characters (or a few more) of the repr of a long_string node,
    without escaping the rest of it."""
    head = ""
    for piece in string_pieces(node, limit + 1):
        head += piece
        if len(head) > limit:
            break
    return head


def error_text(node):
    return "<error: %s>" % node.error


# -- the non-scalar kinds ---------------------------------------------------------

def _object_repr(node, reader):
    """object_repr of typeobject.c: ``<module.Name object at 0x...>``."""
    return "<%s object at %#x>" % (reader.type_info(node.type_address).qualified_name,
                                   node.address)


def has_default_repr(node, reader):
    """Whether ``node`` is an instance of a subclass of a builtin that prints object_repr,
    not the builtin's repr (decode/extension_types.py: DEFAULT_REPR)."""
    info = reader.types.get(node.type_address)
    return info is not None and info.detail is DEFAULT_REPR


def _type_repr(node, reader):
    """type_repr of typeobject.c: ``<type 'int'>``, ``<class '__main__.Foo'>``."""
    return "<%s '%s'>" % ("class" if node.info["heap"] else "type", node.value)


def _classobj_repr(node, reader):
    """class_repr of classobject.c."""
    return "<class %s.%s at %#x>" % (node.info["module"] or "?", node.info["name"], node.address)


def _classic_instance_repr(node, reader):
    """instance_repr of classobject.c (a class without __repr__)."""
    return "<%s.%s instance at %#x>" % (node.info["module"] or "?", node.info["name"],
                                        node.address)


def _cfunction_repr(node, reader):
    """meth_repr of methodobject.c."""
    if not node.info["self"]:
        return "<built-in function %s>" % node.value
    return "<built-in method %s of %s object at %#x>" % (
        node.value, node.info["self_type"], node.info["self"])


def _method_wrapper_repr(node, reader):
    """wrapper_repr of descrobject.c."""
    return "<method-wrapper '%s' of %s object at %#x>" % (
        node.value, node.info["self_type"], node.info["self"])


def _descriptor(template):
    """descr_repr of descrobject.c with one of its templates."""
    return lambda node, reader: template % (node.value, node.info["type_name"])


def _module_repr(node, reader):
    """module_repr of moduleobject.c."""
    name = c_string(node.info["name"])
    if node.info["file"] is None:
        return "<module '%s' (built-in)>" % name
    return "<module '%s' from '%s'>" % (name, c_string(node.info["file"]))


def _code_repr(node, reader):
    """code_repr of codeobject.c: ``char buf[500]``, name cut at 100, file at 300, and
    a first line of 0 printed as -1."""
    return snprintf(500, '<code object %s at %#x, file "%s", line %d>' % (
        c_string(node.value, 100), node.address, c_string(node.info["file"], 300),
        node.info["line"] or -1))


def _cell_repr(node, reader):
    """cell_repr of cellobject.c."""
    if not node.info["ref"]:
        return "<cell at %#x: empty>" % node.address
    return "<cell at %#x: %s object at %#x>" % (node.address,
                                               c_string(node.info["ref_type"], 80),
                                               node.info["ref"])


def _xrange_repr(node, reader):
    """range_repr of rangeobject.c."""
    start, stop, step = node.value
    if start == 0 and step == 1:
        return "xrange(%d)" % stop
    if step == 1:
        return "xrange(%d, %d)" % (start, stop)
    return "xrange(%d, %d, %d)" % (start, stop, step)


def _buffer_repr(node, reader):
    """buffer_repr of bufferobject.c."""
    info = node.info
    status = "read-only" if info["b_readonly"] else "read-write"
    if not info["b_base"]:
        return "<%s buffer ptr %#x, size %d at %#x>" % (status, info["b_ptr"], info["b_size"],
                                                       node.address)
    return "<%s buffer for %#x, size %d, offset %d at %#x>" % (
        status, info["b_base"], info["b_size"], info["b_offset"], node.address)


def _weakref_repr(node, reader):
    """weakref_repr of weakrefobject.c: ``char buffer[256]``."""
    info = node.info
    if info["dead"]:
        return "<weakref at %#x; dead>" % node.address
    text = "<weakref at %#x; to '%s' at %#x" % (
        node.address, c_string(info["referent_type"], 50), info["referent"])
    if info["referent_name"] is not None:
        text += " (%s)" % c_string(info["referent_name"])
    return snprintf(256, text + ">")


def _array_repr(node, reader):
    """array_repr of arraymodule.c: ``array('i', [1, 2])``, ``array('c', 'ab')``,
    ``array('u', u'ab')``; I and L items are longs, f items C floats widened to double.
    max-items cuts the items of numbers, max-string those of characters."""
    code, values = node.value
    if not node.size:
        return "array('%s')" % code
    if code == "c":
        items = str_repr(values) + string_cut(node)
    elif code == "u":
        items = unicode_repr(values) + string_cut(node)
    else:
        suffix = "L" if code in "IL" else ""
        items = ", ".join(repr(value) + suffix for value in values)
        if node.truncated:  # max-items
            items += "%s<%d more not shown: max-items>" % (", " if values else "", node.truncated)
        items = "[" + items + "]"
    return "array('%s', %s)" % (code, items)


def decimal_str(sign, digits, exp, is_special):
    """Decimal.__str__ of 2.7's Lib/decimal.py with eng=False and the default context
    (capitals=1): scientific notation past 6 leading zeros or for a positive exponent."""
    sign = "-" if sign else ""
    if is_special:
        return sign + {"F": "Infinity", "n": "NaN" + digits, "N": "sNaN" + digits}[exp]
    leftdigits = exp + len(digits)
    dotplace = leftdigits if exp <= 0 and leftdigits > -6 else 1
    if dotplace <= 0:
        intpart, fracpart = "0", "." + "0" * -dotplace + digits
    elif dotplace >= len(digits):
        intpart, fracpart = digits + "0" * (dotplace - len(digits)), ""
    else:
        intpart, fracpart = digits[:dotplace], "." + digits[dotplace:]
    exponent = "" if leftdigits == dotplace else "E%+d" % (leftdigits - dotplace)
    return sign + intpart + fracpart + exponent


def _decimal_repr(node, reader):
    """Decimal.__repr__ of Lib/decimal.py: ``Decimal('<str>')``."""
    return "Decimal('%s')" % decimal_str(*node.value)


#: fields that date_repr, time_repr, datetime_repr and delta_repr of datetimemodule.c
#: always print; past them, trailing zero fields are dropped
_DATETIME_FIELDS = {"date": 3, "time": 2, "datetime": 5, "timedelta": 1}


def _datetime_opening(node):
    """``datetime.time(3, 4`` of ``datetime.time(3, 4, 0, 0)``, before ``)`` or the
    tzinfo that append_keyword_tzinfo adds."""
    values = list(node.value)
    while len(values) > _DATETIME_FIELDS[node.kind] and not values[-1]:
        values.pop()
    return "%s(%s" % (node.type_name, ", ".join(map(str, values)))


#: kind -> function(node, reader) giving the one-line repr of a node of that kind (also
#: the value column of --format tree and the "repr" of --format json)
KIND_TEXT = {
    "instance": _object_repr, "generic": _object_repr, "property": _object_repr,
    "staticmethod": _object_repr, "classmethod": _object_repr, "type": _type_repr,
    "frame": _object_repr, "classobj": _classobj_repr,
    "classic_instance": _classic_instance_repr,
    "function": lambda node, reader: "<function %s at %#x>" % (c_string(node.value),
                                                               node.address),
    "cfunction": _cfunction_repr, "method_wrapper": _method_wrapper_repr,
    "wrapper_descriptor": _descriptor("<slot wrapper '%s' of '%s' objects>"),
    "method_descriptor": _descriptor("<method '%s' of '%s' objects>"),
    "member_descriptor": _descriptor("<member '%s' of '%s' objects>"),
    "getset_descriptor": _descriptor("<attribute '%s' of '%s' objects>"),
    "module": _module_repr, "code": _code_repr, "cell": _cell_repr,
    # gen_repr of genobject.c
    "generator": lambda node, reader: "<generator object %s at %#x>" % (
        c_string(node.value, 200), node.address),
    "xrange": _xrange_repr, "buffer": _buffer_repr, "weakref": _weakref_repr,
    "array": _array_repr, "decimal": _decimal_repr,
}
KIND_TEXT.update(EXTENSION_TEXT)

#: kind -> what a recursive repr prints (Py_ReprEnter; OrderedDict.__repr__'s
#: _repr_running); "set" kinds add their type name, defaultdict its factory. Any other
#: kind does not guard: it recurses once more, as CPython does.
_RECURSION = {"list": "[...]", "dict": "{...}", "tuple": "(...)", "deque": "[...]",
              "ordereddict": "..."}
_CONTAINERS = frozenset(("list", "tuple", "dict", "defaultdict", "set", "frozenset", "deque",
                         "dictview", "ordereddict", "counter"))
#: kinds whose long values string_pieces writes piece by piece
_STRING_KINDS = frozenset(("str", "unicode", "bytearray"))
#: how the key and the value of one dict entry print
_DICT_PAIR = ("", ": ", "")
#: opening of a container the hot path read -> its recursion marker
_SEQUENCE_RECURSION = {"[": "[...]", "(": "(...)", "{": "{...}"}


class ReprWriter:
    """Streams the repr of objects of one target within budgets (and a character limit)."""

    #: items formatted between two yields when a character limit is set
    CHUNK = 64
    #: items formatted between two yields otherwise
    STREAM_CHUNK = 8192
    #: tokens joined into one piece of the streamed text (a long token ends a piece)
    FLUSH = 1024
    LONG_TOKEN = 4096
    #: most levels of a deep nest followed in one frame (see _hot_tokens)
    CHAIN = 4096

    def __init__(self, reader, budgets=UNLIMITED, max_chars=None, graph=None):
        self.reader = reader
        self.budgets = budgets
        self.max_chars = max_chars
        #: with graph budgets, the walked Graph that decides what is shown (else None)
        self.graph = graph
        #: the WalkIndex of that graph while rendering it
        self._index = None
        #: whether the object _start just decoded is in graph.depth_cut
        self._depth_cut = False
        self.hot = HotPath(reader)
        #: the hot path formats small containers too, unless a budget decides what shows
        self._nested = not budgets.limits_graph
        #: most levels of a chain of small containers that _hot_tokens follows at once
        self._chain_limit = self.CHAIN if max_chars is None else self.CHUNK
        #: address -> recursion marker of each object being printed (see pieces)
        self._markers = {}

    def render(self, address):
        """The repr text of the object at ``address`` (clipped at max_chars)."""
        limit = self.max_chars
        if limit is None:
            return "".join(self.pieces(address))
        out = []
        length = 0
        for piece in self.pieces(address, flush=1):
            out.append(piece)
            length += len(piece)
            if length > limit:
                break
        return self._clip("".join(out))

    def pieces(self, address, flush=FLUSH):
        """The repr text of the object at ``address`` in pieces (of ``flush`` tokens), each
        as soon as it is made."""
        if self.budgets.limits_graph:
            if self.graph is None or self.graph.root != address:
                self.graph = Graph(self.reader, address, self.budgets)
            self._index = WalkIndex(self.graph)
        first = self._start(address)
        if first.__class__ is str:
            yield first
            return
        out = []
        stack = []
        # objects being printed: those that guard with Py_ReprEnter -> what a recursive
        # repr prints; the others (unguarded) recurse once more, as CPython's reprs do
        self._markers = markers = {}
        unguarded = {}
        self._enter(stack, first, address, unguarded)
        long_token = self.LONG_TOKEN
        try:
            yield from self._stream(out, stack, (markers, unguarded), flush, long_token)
        except ProcessGone:
            if out:  # what was made before the target died
                yield "".join(out)
            raise
        if out:
            yield "".join(out)

    def _stream(self, out, stack, entered, flush, long_token):
        """The loop of ``pieces``: tokens of the objects on ``stack`` into ``out``."""
        markers, unguarded = entered
        while stack:
            tokens, current = stack[-1]
            for token in tokens:
                if token.__class__ is not str:
                    marker = markers.get(token)
                    if marker is None and unguarded.get(token, 0) >= self.MAX_REENTRY:
                        marker = ELLIPSIS
                    if marker.__class__ is list:  # a defaultdict: its dict part guards
                        stack.append((iter(marker), None))
                        break
                    if marker is not None:
                        token = marker
                    else:
                        child = self._start(token)
                        if child.__class__ is not str:
                            self._enter(stack, child, token, unguarded)
                            break
                        token = child
                out.append(token)
                if len(out) >= flush or len(token) >= long_token:
                    yield "".join(out)
                    out.clear()
            else:
                stack.pop()
                if current.__class__ is tuple:  # a chain of _hot_tokens
                    for address in current:
                        del markers[address]
                elif current in markers:
                    del markers[current]
                elif current is not None:
                    unguarded[current] -= 1

    #: times an object without a recursion guard may be on the stack (CPython would
    #: recurse until its stack overflows)
    MAX_REENTRY = 2

    def _enter(self, stack, tokens, address, unguarded):
        """Put the tokens of the object ``_start`` just began on the stack, and it (or the
        chain of objects it began, see ``_hot_tokens``) among those being printed."""
        marker = self._marker
        if marker is None:
            unguarded[address] = unguarded.get(address, 0) + 1
        elif marker.__class__ is dict:
            self._markers.update(marker)
            address = tuple(marker)
        else:
            self._markers[address] = marker
        stack.append((tokens, address))

    def _clip(self, text):
        if self.max_chars is not None and len(text) > self.max_chars:
            return text[:max(self.max_chars - len(ELLIPSIS), 0)] + ELLIPSIS
        return text

    # -- one object --------------------------------------------------------------------

    def _start(self, address):
        """The repr of one object: a str, or a generator of strs and child addresses."""
        sequence = self.hot.sequences.pop(address, None)
        if sequence is not None:
            self._depth_cut = False
            return self._hot_tokens(address, sequence)
        if self._index is None:
            node = decode(self.reader, address)
            self._depth_cut = False
        else:
            node = self._index.node(address)
            if node is None:
                return NOT_SHOWN % "max-objects"
            self._depth_cut = self._index.depth_cut(address)
        kind = node.kind
        self._marker = _RECURSION.get(kind)
        if kind == "error":
            return error_text(node)
        if node.info.__class__ is dict and has_default_repr(node, self.reader):
            self._marker = None
            return _object_repr(node, self.reader)
        if kind in SCALAR_KINDS:
            if kind in _STRING_KINDS and len(node.value) > STRING_PIECE:
                return string_pieces(node)
            return scalar_repr(node)
        attributes = node.info.get("attributes", 0) if isinstance(node.info, dict) else 0
        edges = node.edges[:len(node.edges) - attributes] if attributes else node.edges
        if kind in _CONTAINERS:
            if kind in ("set", "frozenset"):
                self._marker = "%s(...)" % node.type_name
            return self._container(node, edges)
        text = KIND_TEXT.get(kind)
        if text is not None:
            try:
                return text(node, self.reader)
            except ProcessGone:
                raise
            except CpywalkerError as error:
                return "<error: %s>" % error
        return self._composite(node, edges)

    def _hot_tokens(self, address, sequence):
        """The tokens of a small container the hot path read. A chain of them, each the
        last item of the one before (a deep nest, a linked list of pairs), is followed
        here into one frame (its openings, the last one's tokens, its closings): every
        level is among the objects being printed, for recursion markers, but no level
        costs a generator or a decode."""
        hot = self.hot
        markers = self._markers
        opening, items, closing, is_dict = sequence
        chain = {address: _SEQUENCE_RECURSION[opening]}
        openings, closings = [], []
        container = hot.container
        limit = self._chain_limit
        while items and not is_dict and len(chain) < limit:
            last = items[-1]
            if last in chain or last in markers:
                break
            if len(items) == 1:
                followed, item = hot.one_item_lists(last, chain, markers,
                                                    limit - len(chain))
                if followed:  # a deep nest: its levels at once
                    openings.append(opening + "[" * (len(followed) - 1))
                    closings += (closing, "]" * (len(followed) - 1))
                    chain.update(dict.fromkeys(followed, "[...]"))
                    opening, items, closing = "[", (item,), "]"
                    continue
                following = container(last)
                if following is None:
                    break
                openings.append(opening)
            else:
                texts = hot.texts(items[:-1])
                if None in texts:
                    break
                following = container(last)
                if following is None:
                    break
                openings.append(opening + ", ".join(texts) + ", ")
            closings.append(closing)
            opening, items, closing, is_dict = following
            chain[last] = _SEQUENCE_RECURSION[opening]
        tokens = self._items(opening, items, closing, None, _DICT_PAIR if is_dict else None)
        if len(chain) == 1:
            self._marker = chain[address]
            return tokens
        self._marker = chain
        return self._chain(("".join(openings),), tokens, ("".join(reversed(closings)),))

    def _composite(self, node, edges):
        kind = node.kind
        if kind == "exception":
            edges = edges[:1]  # args; BaseException_repr ignores the instance __dict__
        if self._depth_cut:
            edges = [NOT_SHOWN % "max-depth"] * len(edges)
            if kind == "exception":
                edges = ["(%s)" % edge for edge in edges]
        tokens = EXTENSION_TOKENS.get(kind)
        if tokens is not None:
            return iter(tokens(node, edges))
        if kind == "method":
            if not node.info["bound"]:
                return "<unbound method %s.%s>" % (node.info["class_name"], node.info["func_name"])
            return self._tokens("<bound method %s.%s of " % (node.info["class_name"],
                                                            node.info["func_name"]), edges, ">")
        if kind == "slice":
            return self._tokens("slice(", edges, ")")
        if kind in _DATETIME_FIELDS:
            opening = _datetime_opening(node)
            if edges:
                return self._tokens(opening + ", tzinfo=", edges, ")")
            return opening + ")"
        if kind == "exception":
            return self._tokens(node.type_name.rpartition(".")[2], edges, "")
        if kind == "dictproxy":
            return self._tokens("dict_proxy(", edges, ")")
        if kind == "file":
            return self._tokens("<%s file " % ("open" if node.info["open"] else "closed"), edges,
                                ", mode '%s' at %#x>" % (node.info["mode"], node.address))
        return "<error: no repr for kind %s>" % kind

    @staticmethod
    def _tokens(opening, children, closing):
        yield opening
        for i, child in enumerate(children):
            if i:
                yield ", "
            yield child
        yield closing

    # -- containers -------------------------------------------------------------------

    def _container(self, node, edges):
        kind = node.kind
        if kind == "defaultdict":
            factory = node.info["factory"]
            if factory:
                edges = edges[:-1]
            if not factory:
                factory_text = ["None"]
            else:
                factory_text = [NOT_SHOWN % "max-depth" if self._depth_cut else factory]
            entries = self._entries(node, edges, "{", "}", _DICT_PAIR)
            # defdict_repr: dict_repr of itself (which guards), then the factory's repr
            self._marker = ["defaultdict("] + factory_text + [", {...})"]
            return self._chain(["defaultdict("] + factory_text + [", "], entries, [")"])
        pair = None
        if kind == "dict":
            opening, closing, pair = "{", "}", _DICT_PAIR
        elif kind == "list":
            opening, closing = "[", "]"
        elif kind == "tuple":
            opening, closing = "(", ",)" if node.size == 1 else ")"
        elif kind == "deque":
            maxlen = node.info["maxlen"]
            opening, closing = "deque([", "])" if maxlen == -1 else "], maxlen=%d)" % maxlen
        elif kind == "ordereddict":
            # OrderedDict.__repr__ of Lib/collections.py: '%s(%r)' % (name, self.items())
            name = node.type_name.rpartition(".")[2]
            if not node.size:
                return name + "()"
            opening, closing, pair = name + "([", "])", ("(", ", ", ")")
        elif kind == "counter":
            # Counter.__repr__ of Lib/collections.py: '%s({%s})' of most_common()
            name = node.type_name.rpartition(".")[2]
            if not node.size:
                return name + "()"
            opening, closing, pair = name + "({", "})", _DICT_PAIR
        elif kind == "dictview":
            opening, closing = node.type_name + "([", "])"
            if node.info["view"] == "items":
                pair = ("(", ", ", ")")
            else:
                edges = edges[node.info["view"] == "values"::2]
        else:
            opening, closing = node.type_name + "([", "])"
        return self._entries(node, edges, opening, closing, pair)

    @staticmethod
    def _chain(*parts):
        for part in parts:
            yield from part

    def _entries(self, node, edges, opening, closing, pair=None):
        """The items of a container (alternating keys and values with ``pair``) within the
        budgets: what the Graph left out is counted in one ``<N ... not shown: ...>``."""
        if self._depth_cut and node.size:
            return iter([opening, "<%d item%s not shown: max-depth>" % (
                node.size, "" if node.size == 1 else "s"), closing])
        more, reasons = node.truncated, ["max-items"] if node.truncated else []
        if self._index is not None and self.budgets.max_objects is not None:
            nodes = self._index
            step = 2 if pair else 1
            for index, edge in enumerate(edges):
                if edge not in nodes:  # the walk ran out of objects: a value shows it
                    cut = index + index % step
                    left = (len(edges) - cut) // step
                    if left:
                        more += left
                        reasons.insert(0, "max-objects")
                    edges = edges[:cut]
                    break
        text = "<%d more not shown: %s>" % (more, ", ".join(reasons)) if more else None
        return self._items(opening, edges, closing, text, pair)

    def _items(self, opening, addresses, closing, more, pair=None):
        """Items between opening and closing; with ``pair`` (before, between, after) the
        addresses alternate keys and values: ``": "`` for dicts, ``("(", ", ", ")")`` for
        dict_items. ``more``: the text that ends the items, if any."""
        step = 2 if pair else 1
        chunk = step * (self.STREAM_CHUNK if self.max_chars is None else self.CHUNK)
        pieces = [opening]
        for start in range(0, len(addresses), chunk):
            part = addresses[start:start + chunk]
            texts = self.hot.texts(part, self._nested)
            if self._index is not None and self.budgets.max_objects is not None:
                # a value the walk did not reach (max-objects) says so
                texts = [text if address in self._index else None
                         for text, address in zip(texts, part)]
            if start:
                pieces.append(", ")
            if None not in texts and not pair:
                pieces.append(", ".join(texts))
            elif None not in texts:
                entries = map(pair[1].join, zip(texts[0::2], texts[1::2]))
                if pair[0]:
                    entries = [pair[0] + entry + pair[2] for entry in entries]
                pieces.append(", ".join(entries))
            else:
                for i, (text, address) in enumerate(zip(texts, part)):
                    if not pair:
                        pieces.append(", " if i else "")
                    elif i % 2:
                        pieces.append(pair[1])
                    else:
                        pieces.append((pair[2] + ", " if i else "") + pair[0])
                    if text is None:
                        yield "".join(pieces)
                        pieces = []
                        yield address
                    else:
                        pieces.append(text)
                if pair and part:
                    pieces.append(pair[2])
            yield "".join(pieces)
            pieces = []
        if more:
            pieces.append(", " + more if addresses else more)
        pieces.append(closing)
        yield "".join(pieces)


def display(text):
    """The bytes the target would print, as text: reprs are built one character per
    byte, and the bytes that reach a user raw (names, paths: ``%s`` of C) are UTF-8
    decoded, an invalid sequence escaped (``\\xff``). Escapes in str values are ASCII."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text


def repr_pieces(graph, color=False):
    """The repr of ``graph``'s root within its budgets, in pieces (color has no effect);
    a name's bytes stay within one piece, so each piece is shown through display()."""
    pieces = ReprWriter(graph.reader, graph.budgets, graph=graph).pieces(graph.root)
    return (display(piece) for piece in pieces)


def render_repr(graph, color=False):
    """repr text of ``graph``'s root within its budgets (color has no effect on repr)."""
    return "".join(repr_pieces(graph, color))


def repr_at(memory, address, max_chars=None, layout=None, budgets=UNLIMITED):
    """repr of the object at ``address`` as one line; past ``max_chars`` it ends in ``...``.

    Strings are read up to ``budgets.max_string``; with ``max_chars``, also no further than
    4 * max_chars (at least 64 KiB): the quote of a longer string is chosen from that part.
    """
    string_limit = budgets.max_string
    if max_chars is not None:
        read = max(4 * max_chars, 1 << 16)
        string_limit = read if string_limit is None else min(string_limit, read)
    reader = ObjectReader(memory, layout, string_limit)
    return display(ReprWriter(reader, budgets, max_chars).render(address))
