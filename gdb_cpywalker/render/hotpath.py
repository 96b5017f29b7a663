"""The hot path of ``--format repr``: exact builtin objects formatted straight from page bytes.

``HotPath.texts(addresses)`` gives the repr text of each object that is an exact int,
long, bool, float, None, str or unicode (its type not a subclass), reading its header
and value with one unpack from a cached page: no Node, no decoder. With ``nested``, a
small exact list, tuple or dict among them is formatted too when all its items are such
scalars; one whose items are not (a deeper nest) is kept in ``sequences`` for the repr
writer, which then streams it without reading it again (``container``; a deep nest's
lists of one item are followed many levels at once by ``one_item_lists``). Everything
else, and anything that looks wrong (misaligned, unreadable, a string past max-string,
a size out of range), is None: ``decode.objects.decode`` then says exactly what it is,
error nodes included.

The texts are CPython 2.7's own: Python 3's ``ascii()`` of a str decoded as latin-1 is
2.7's PyString_Repr (same quotes, same escapes), ``u`` + ``ascii()`` of a unicode is
its unicode_repr, and Python 3's repr of an int or a float is 2.7's. The strs (and the
unicode strings) of one call are decoded and escaped together (``_fill_quoted``).
"""

import codecs
import struct
from itertools import repeat

from ..decode.objects import digits_value
from ..errors import CpywalkerError
from ..layouts import cpython27 as c
from ..memory.cache import PAGE_SIZE

#: the kinds the hot path formats (the codes of ``HotPath.kinds``), by tp_name of the
#: exact builtin type; containers only with ``nested``
INT, STR, FLOAT, NONE, BOOL, UNICODE, LONG, LIST, TUPLE, DICT = range(1, 11)
_KINDS = {"int": INT, "str": STR, "float": FLOAT, "NoneType": NONE, "bool": BOOL,
          "unicode": UNICODE, "long": LONG, "list": LIST, "tuple": TUPLE, "dict": DICT}
#: most items (dict slots) of a container read inside the hot path
NESTED_ITEMS = 64
#: most digits of a long formatted here (a bigger one goes through decode; this one's
#: decimal text is far below Python's int-to-str digit limit)
LONG_DIGITS = 64
#: bytes read at once where the hot path meets a page it has not asked for yet
READAHEAD = 16 * PAGE_SIZE


class HotPath:
    """Batch repr texts of the exact builtin objects of one target (see the module doc)."""

    def __init__(self, reader):
        self.reader = reader
        layout = reader.layout
        psize = reader.psize
        word = reader.word_format
        #: count -> unpack_from of that many words (the items of a small container, or
        #: the 3 words of each slot of a small dict)
        self._unpackers = [struct.Struct("<%d%s" % (count, word)).unpack_from
                           for count in range(3 * NESTED_ITEMS + 1)]
        #: address -> (opening, item addresses, closing, is_dict) of a small container
        #: read by ``texts`` but not formatted there (an item is not a scalar)
        self.sequences = {}
        #: type address -> kind code (0: not for the hot path)
        self.kinds = {}
        #: page address -> bytes, the PageCache's own (a dict lookup beats a method call)
        self.pages = {}
        self._fetched = set()
        self._cache = reader.cache
        self._int_type = -1
        self._list_type = -1
        self._header = reader.header.unpack_from
        self._word = struct.Struct("<" + word).unpack_from
        self._double = struct.Struct("<d").unpack_from
        self._psize = psize
        self._ucs = reader.ucs
        self._decode = codecs.utf_32_le_decode if reader.ucs == 4 else codecs.utf_16_le_decode
        #: a single quote in the unicode buffers' encoding (the separator of a batch)
        self._quote = "'".encode("utf-32-le" if reader.ucs == 4 else "utf-16-le")
        self._digit = layout.model.ctype_size("digit")
        self._digits = "<%d" + ("I" if self._digit == 4 else "H")
        self._shift = c.LONG_SHIFT[self._digit]
        self._sval = layout.PyStringObject.ob_sval
        self._fval = layout.PyFloatObject.ob_fval
        self._ustr = layout.PyUnicodeObject.str
        self._ldigit = layout.PyLongObject.ob_digit
        self._list_items = layout.PyListObject.ob_item
        self._allocated = layout.PyListObject.allocated
        self._tuple_items = layout.PyTupleObject.ob_item
        #: ob_refcnt, ob_type, ob_size, ob_item, allocated of a list, in one unpack
        self._list_fields = struct.Struct("<" + word.lower() + word + word.lower() + word
                                          + word.lower()).unpack_from
        dicts = layout.PyDictObject
        self._ma_used = dicts.ma_used
        self._dict_head = struct.Struct("<" + word.lower() * 2 + word).unpack_from
        #: bytes of an object read at once: header, then what each kind needs of it
        self._span = max(reader.header.size, self._fval + 8, self._ustr + psize,
                         self._allocated + psize, dicts.ma_table + psize)
        limit = reader.string_limit
        #: longest str formatted here (a page, or less with max-string), and unicode
        self._longest = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit)
        self._longest_unicode = PAGE_SIZE // reader.ucs if limit is None \
            else min(PAGE_SIZE // reader.ucs, limit)

    def _kind(self, type_address):
        try:
            info = self.reader.type_info(type_address)
        except CpywalkerError:
            kind = 0
        else:
            kind = 0 if info.is_heap else _KINDS.get(info.name, 0)
        self.kinds[type_address] = kind
        if kind == INT:
            self._int_type = type_address
        elif kind == LIST:
            self._list_type = type_address
        return kind

    def _page(self, page_address):
        """A page not yet in ``pages``: read with the pages after it when it is new."""
        cache = self._cache
        if page_address not in self._fetched:
            cache.prefetch(page_address, READAHEAD)
            self._fetched.update(range(page_address, page_address + READAHEAD, PAGE_SIZE))
        pages = self.pages
        if len(pages) >= cache.max_pages:
            pages.clear()
        data = pages[page_address] = cache.page(page_address)
        return data

    def _bytes(self, address, size):
        """``size`` bytes at ``address`` (fewer where unreadable), from the cached pages."""
        offset = address & (PAGE_SIZE - 1)
        data = self.pages.get(address - offset)
        if data is None:
            data = self._page(address - offset)
        if offset + size <= len(data):
            return data[offset:offset + size]
        return self._cache.read_partial(address, size)

    def texts(self, addresses, nested=True):
        """The repr text of the object at each address, or None (see the module doc)."""
        pages = self.pages
        kinds = self.kinds
        unpack = self._header
        int_type = self._int_type
        span = self._span
        last = PAGE_SIZE - span
        misaligned = self._psize - 1
        sval = self._sval
        fval = self._fval
        double = self._double
        tuple_items = self._tuple_items
        unpackers = self._unpackers
        list_fields = self._list_fields
        pointer_at = self._word
        ustr = self._ustr
        ucs = self._ucs
        decode = self._decode
        longest_unicode = self._longest_unicode
        psize = self._psize
        longest = self._longest
        in_page = PAGE_SIZE - 1
        current = -1
        data = b""
        limit = -1
        containers = []
        out = []
        append = out.append
        str_at, str_raw, unicode_at, unicode_raw = [], [], [], []
        str_index, str_bytes = str_at.append, str_raw.append
        unicode_index, unicode_bytes = unicode_at.append, unicode_raw.append
        for address in addresses:
            offset = address & in_page
            if address - offset != current:
                current = address - offset
                data = pages.get(current)
                if data is None:
                    data = self._page(current)
                limit = last if len(data) == PAGE_SIZE else -1
            if offset > limit or offset & misaligned:
                buffer = self._straddling(address, offset & misaligned)
                if buffer is None:
                    append(None)
                    continue
                start = 0
            else:
                buffer, start = data, offset
            _, type_address, word = unpack(buffer, start)
            if type_address == int_type:
                append(str(word))
                continue
            kind = kinds.get(type_address)
            if kind is None:
                kind = self._kind(type_address)
            if kind == STR:
                begin = start + sval
                if 0 <= word <= longest and begin + word <= len(buffer):
                    raw = buffer[begin:begin + word]
                else:
                    raw = self._str_bytes(address, word)
                if raw is not None:
                    str_index(len(out))
                    str_bytes(raw)
                append(None)
            elif kind == UNICODE:
                pointer = pointer_at(buffer, start + ustr)[0]
                within = pointer & in_page
                page = pages.get(pointer - within)
                end = within + word * ucs
                if 0 < word <= longest_unicode and page is not None and end <= len(page):
                    raw = page[within:end]
                else:
                    raw = self._unicode_bytes(word, pointer)
                if raw is not None:
                    unicode_index(len(out))
                    unicode_bytes(raw)
                append(None)
            elif kind == FLOAT:
                append(repr(double(buffer, start + fval)[0]))
            elif kind == TUPLE and nested and 0 < word <= NESTED_ITEMS \
                    and start + tuple_items + word * psize <= len(buffer):
                containers.append((len(out), address, (
                    "(", unpackers[word](buffer, start + tuple_items),
                    ",)" if word == 1 else ")", False)))
                append(None)
            elif kind == LIST and nested and 0 < word <= NESTED_ITEMS:
                _, _, _, items, allocated = list_fields(buffer, start)
                within = items & in_page
                page = pages.get(items - within)
                if word <= allocated and page is not None and not within & misaligned \
                        and within + word * psize <= len(page):
                    containers.append((len(out), address, (
                        "[", unpackers[word](page, within), "]", False)))
                else:
                    sequence = self._container(kind, address, word, buffer, start)
                    if sequence is not None:
                        containers.append((len(out), address, sequence))
                append(None)
            elif kind == INT:
                int_type = type_address
                append(str(word))
            elif kind == NONE:
                append("None")
            elif kind == BOOL:
                append("True" if word else "False")
            elif kind == LONG:
                append(self._long(address, word))
            elif kind >= LIST and nested:
                sequence = self._container(kind, address, word, buffer, start)
                if sequence is not None:
                    containers.append((len(out), address, sequence))
                append(None)
            else:
                append(None)
        if str_raw:
            _fill_quoted(out, str_at, str_raw, b"'", _latin_1, "")
        if unicode_raw:
            _fill_quoted(out, unicode_at, unicode_raw, self._quote, decode, "u")
        if containers:
            self._fill_containers(out, containers)
        return out

    def _straddling(self, address, misaligned):
        """The first bytes of an object running into the next page, or None (misaligned,
        unreadable)."""
        if misaligned:
            return None
        buffer = self._cache.read_partial(address, self._span)
        return buffer if len(buffer) == self._span else None

    def _str_bytes(self, address, size):
        """The bytes of a str that run into the next page, or None."""
        if not 0 <= size <= self._longest:
            return None
        data = self._bytes(address + self._sval, size)
        return data if len(data) == size else None

    def _unicode_bytes(self, length, pointer):
        """The characters (as stored) of an exact unicode of ``length`` characters at
        ``pointer`` outside the cached pages, or None."""
        if not 0 <= length <= self._longest_unicode:
            return None
        size = length * self._ucs
        data = self._bytes(pointer, size) if size and pointer > 0 else b""
        return data if len(data) == size else None

    def _long(self, address, size):
        """_PyLong_Format of a long of ``size`` digits (its sign the value's), or None."""
        count = abs(size)
        if count > LONG_DIGITS:
            return None
        if not count:
            return "0L"
        data = self._bytes(address + self._ldigit, count * self._digit)
        if len(data) != count * self._digit:
            return None
        value = digits_value(struct.unpack(self._digits % count, data), self._shift)
        return str(-value if size < 0 else value) + "L"

    # -- small containers -----------------------------------------------------------

    def container(self, address):
        """(opening, item addresses, closing, is_dict) of the small exact list, tuple or
        dict at ``address`` (taken from ``sequences`` if ``texts`` read it), else None."""
        sequence = self.sequences.pop(address, None)
        if sequence is not None:
            return sequence
        offset = address & (PAGE_SIZE - 1)
        data = self.pages.get(address - offset)
        if data is None:
            data = self._page(address - offset)
        if offset + self._span > len(data) or offset & (self._psize - 1):
            data = self._straddling(address, offset & (self._psize - 1))
            if data is None:
                return None
            offset = 0
        _, type_address, size = self._header(data, offset)
        kind = self.kinds.get(type_address)
        if kind is None:
            kind = self._kind(type_address)
        if kind == LIST and size == 1 and self._word(data, offset + self._allocated)[0] >= 1:
            # a deep nest's level: its one item read straight from its page
            items = self._word(data, offset + self._list_items)[0]
            within = items & (PAGE_SIZE - 1)
            page = self.pages.get(items - within)
            if page is not None and within + self._psize <= len(page) \
                    and not within & (self._psize - 1):
                return "[", self._word(page, within), "]", False
        return self._container(kind, address, size, data, offset) if kind >= LIST else None

    def one_item_lists(self, address, seen, stop, limit):
        """Follow a chain of exact lists of one item, each the item of the one before,
        from ``address`` on: (the addresses of those lists, the item of the last one).
        It ends before an address in ``seen`` or ``stop`` (a recursion), after ``limit``
        lists, and at anything else."""
        pages = self.pages
        fields = self._list_fields
        word = self._word
        list_type = self._list_type
        span = self._span
        misaligned = self._psize - 1
        in_page = PAGE_SIZE - 1
        followed = []
        append = followed.append
        for _ in repeat(None, limit):
            if address in seen or address in stop:
                break
            offset = address & in_page
            data = pages.get(address - offset)
            if data is None:
                data = self._page(address - offset) if address > 0 else b""
            if offset + span > len(data) or offset & misaligned:
                break
            _, type_address, size, items, allocated = fields(data, offset)
            if type_address != list_type or size != 1 or allocated < 1:
                break
            within = items & in_page
            page = pages.get(items - within)
            if page is None:
                page = self._page(items - within) if items > 0 else b""
            if within + misaligned >= len(page) or within & misaligned:
                break
            append(address)
            address = word(page, within)[0]
        return followed, address

    def _container(self, kind, address, size, buffer, start):
        """The sequence of a small exact list, tuple or dict (``size``: its ob_size, or
        ma_fill), or None (too big, or something decode must explain, as a list whose
        ob_size exceeds its allocated)."""
        if kind == DICT:
            return self._dict(size, buffer, start)
        if not 0 <= size <= NESTED_ITEMS:
            return None
        if kind == LIST:
            if size > self._word(buffer, start + self._allocated)[0]:
                return None
            if not size:
                return "[", (), "]", False
            items = self._word(buffer, start + self._list_items)[0]
            opening, closing = "[", "]"
        else:
            if not size:
                return "(", (), ")", False
            items = address + self._tuple_items
            opening, closing = "(", ",)" if size == 1 else ")"
        nbytes = size * self._psize
        offset = items & (PAGE_SIZE - 1)
        raw = self.pages.get(items - offset)
        if raw is None or offset + nbytes > len(raw):
            raw, offset = self._bytes(items, nbytes), 0
            if len(raw) != nbytes:
                return None
        return opening, self._unpackers[size](raw, offset), closing, False

    def _dict(self, fill, buffer, start):
        """dict_items of decode/dicts.py, for a dict of at most NESTED_ITEMS slots."""
        used, mask, table = self._dict_head(buffer, start + self._ma_used)
        slots = mask + 1
        if slots > NESTED_ITEMS or slots & mask or not 0 <= used <= fill <= slots:
            return None
        count = 3 * slots
        raw = self._bytes(table, count * self._psize)
        if len(raw) != count * self._psize:
            return None
        words = self._unpackers[count](raw)
        items = []
        for key, value in zip(words[1::3], words[2::3]):
            if value:
                items += (key, value)
        return "{", items, "}", True

    def _fill_containers(self, out, containers):
        """Format the containers ``texts`` found: all their items in one batch."""
        addresses = [item for _, _, sequence in containers for item in sequence[1]]
        texts = self.texts(addresses, nested=False)
        unformatted = None in texts
        start = 0
        for index, address, sequence in containers:
            opening, items, closing, is_dict = sequence
            end = start + len(items)
            part = texts[start:end]
            start = end
            if unformatted and None in part:
                self.sequences[address] = sequence
            elif is_dict:
                out[index] = "{" + ", ".join(map(": ".join, zip(part[0::2], part[1::2]))) + "}"
            else:
                out[index] = opening + ", ".join(part) + closing


def _latin_1(data, errors):
    return data.decode("latin-1"), len(data)


def _fill_quoted(out, indexes, raws, quote, decode, prefix):
    """The reprs of a batch of strings (their raw bytes; ``decode(raw, errors)`` their text)
    at ``out[index]``: one decode and one ``ascii()`` for the whole batch, joined by single
    quotes and split at them again, when no string holds a quote (its repr would pick its
    quotes or escape them); else one string at a time, None where undecodable."""
    try:
        joined = decode(quote.join(raws), "surrogatepass")[0]
    except UnicodeDecodeError:
        joined = None
    if joined is not None and '"' not in joined and joined.count("'") == len(raws) - 1:
        quoted = prefix + "'%s'"
        for index, text in zip(indexes, ascii(joined)[1:-1].split("'")):
            out[index] = quoted % text
        return
    for index, raw in zip(indexes, raws):
        try:
            out[index] = prefix + ascii(decode(raw, "surrogatepass")[0])
        except UnicodeDecodeError:
            pass
