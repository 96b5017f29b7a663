"""repr texts of the kinds decode/extension_types.py decodes, each mirroring the C
function (or Python method) named in its docstring, with CPython's own cuts: ``%.Ns``
of a C format, ``%s`` of a C string ending at its first NUL, fixed-size buffers.

``TEXT``: kind -> function(node, reader) -> the whole text, for reprs without child
objects or that must measure them (structseq's 512-byte buffer); ``TOKENS``: kind ->
function(node, edges) -> strings and child addresses, streamed by ReprWriter like the
reprs of containers (children recurse as CPython's do: none of these guards with
Py_ReprEnter).
"""

def c_string(text, precision=None):
    """What ``%s`` (``%.Ns`` with ``precision``) of C prints of ``text``: up to the first
    NUL, at most ``precision`` bytes (text holds one character per byte)."""
    text = text.split("\0", 1)[0]
    return text if precision is None else text[:precision]


def snprintf(size, text):
    """PyOS_snprintf into ``char buf[size]``: at most size - 1 bytes."""
    return text[:size - 1]


def child_repr(reader, address, limit):
    """The repr of a child object, or None when it is longer than ``limit``."""
    from .repr import ReprWriter  # repr.py registers this module's tables

    text = ReprWriter(reader, max_chars=limit + 1).render(address)
    return None if len(text) > limit else text


# -- whole texts ----------------------------------------------------------------------

def _super_repr(node, reader):
    """super_repr of typeobject.c."""
    info = node.info
    type_name = c_string(info["type"]) if info["type"] else "NULL"
    if info["obj_type"] is not None:
        return "<super: <class '%s'>, <%s object>>" % (type_name, c_string(info["obj_type"]))
    return "<super: <class '%s'>, NULL>" % type_name


def _weakproxy_repr(node, reader):
    """proxy_repr of weakrefobject.c: ``char buf[160]``, the type name cut at 100."""
    return snprintf(160, "<weakproxy at %#x to %s at %#x>" % (
        node.address, c_string(node.info["referent_type"], 100), node.info["referent"]))


def _capsule_repr(node, reader):
    """capsule_repr of capsule.c."""
    if node.value is None:
        return "<capsule object NULL at %#x>" % node.address
    return '<capsule object "%s" at %#x>' % (node.value, node.address)


def _structseq_repr(node, reader):
    """structseq_repr of structseq.c: ``char buf[512]``; the type name cut at 100; a
    field that would pass byte 507 ends the text with ``...)``."""
    buffer_end = 512 - 5
    text = c_string(node.type_name, 100) + "("
    complete = False
    for name, address in zip(node.info["names"], node.edges):
        name = c_string(name or "")
        value = child_repr(reader, address, buffer_end)
        if value is None or len(text) + len(name) + len(value) + 3 > buffer_end:
            text += "..."
            complete = False
            break
        text += "%s=%s, " % (name, value)
        complete = True
    if complete:
        text = text[:-2]
    return text + ")"


def _zipimporter_repr(node, reader):
    """zipimporter_repr of zipimport.c: ``char buf[500]``, archive cut at 300 and the
    prefix at 150."""
    archive, prefix = c_string(node.info["archive"]), c_string(node.info["prefix"])
    if prefix:
        return snprintf(500, '<zipimporter object "%s/%s">' % (archive[:300], prefix[:150]))
    return snprintf(500, '<zipimporter object "%s">' % archive[:300])


def _socket_repr(node, reader):
    """sock_repr of socketmodule.c."""
    return snprintf(512, "<socket object, fd=%d, family=%d, type=%d, protocol=%d>" % node.value)


def _cfield_repr(node, reader):
    """PyCField_repr of _ctypes/cfield.c."""
    offset, size, bits = node.value
    name = c_string(node.info["type"])
    if bits:
        return "<Field type=%s, ofs=%d:%d, bits=%d>" % (name, offset, size, bits)
    return "<Field type=%s, ofs=%d, size=%d>" % (name, offset, size)


TEXT = {
    "super": _super_repr, "weakproxy": _weakproxy_repr, "capsule": _capsule_repr,
    "memoryview": lambda node, reader: "<memory at %#x>" % node.address,
    "structseq": _structseq_repr, "cfield": _cfield_repr, "zipimporter": _zipimporter_repr, "socket": _socket_repr,
    # PyCFuncPtr_repr of _ctypes.c: the bare tp_name
    "cfuncptr": lambda node, reader: "<%s object at %#x>" % (c_string(node.type_name),
                                                             node.address),
}


# -- streamed texts ---------------------------------------------------------------------

def _join(opening, children, closing, separator=", "):
    out = [opening]
    for i, child in enumerate(children):
        if i:
            out.append(separator)
        out.append(child)
    out.append(closing)
    return out


def _count_tokens(node, edges):
    """count_repr of itertoolsmodule.c: ``count(%zd)`` while counting in a C ssize;
    past it the reprs of long_cnt and, unless it is the int 1, long_step. A count made at
    sys.maxint has no long_cnt yet: PyObject_Repr(NULL) prints ``<NULL>``."""
    info = node.info
    if info["fast"]:
        return ["count(%d)" % node.value]
    children = list(edges)
    if not info["long_cnt"]:
        children.insert(0, "<NULL>")
    return _join("count(", children if info["step_shown"] else children[:1], ")")


def _repeat_tokens(node, edges):
    """repeat_repr of itertoolsmodule.c."""
    closing = ")" if node.value == -1 else ", %d)" % node.value
    return _join("repeat(", edges, closing)


def _fileio_tokens(node, edges):
    """fileio_repr of _io/fileio.c."""
    info = node.info
    if info["fd"] < 0:
        return ["<_io.FileIO [closed]>"]
    if not edges:
        return ["<_io.FileIO fd=%d mode='%s'>" % (info["fd"], info["mode"])]
    return _join("<_io.FileIO name=", edges, " mode='%s'>" % info["mode"])


def _buffered_tokens(node, edges):
    """buffered_repr of _io/bufferedio.c."""
    if not edges:
        return ["<%s>" % c_string(node.type_name)]
    return _join("<%s name=" % c_string(node.type_name), edges, ">")


def _textio_tokens(node, edges):
    """textiowrapper_repr of _io/textio.c."""
    if node.info["named"]:
        return _join("<_io.TextIOWrapper name=", edges, ">", " encoding=")
    return _join("<_io.TextIOWrapper encoding=", edges, ">")


def _ctypes_simple_tokens(node, edges):
    """Simple_repr of _ctypes.c."""
    from .repr import str_repr, unicode_repr  # repr.py registers this module's tables

    name = c_string(node.type_name)
    if not node.info["direct"]:
        return ["<%s object at %#x>" % (name, node.address)]
    value = node.value
    if value is None:
        return _join(name + "(", edges, ")")
    if value.__class__ is tuple:
        value = str_repr(value[1]) if value[0] == "str" else unicode_repr(value[1])
    return ["%s(%s)" % (name, value)]


def _python_format_tokens(node, edges):
    """``FORMAT % OPERAND`` of a field-only Python __repr__ (decode/python_reprs.py):
    its text parts, and the children its %r (and %s of a type) print."""
    return [part if part.__class__ is str else edges[part] for part in node.value]


TOKENS = {
    "count": _count_tokens, "repeat": _repeat_tokens, "fileio": _fileio_tokens,
    "buffered": _buffered_tokens, "textio": _textio_tokens,
    "python_format": _python_format_tokens,
    # ImmutableDict_repr of SQLAlchemy's cextension/immutabledict.c
    "immutabledict": lambda node, edges: _join("immutabledict(", edges, ")"),
    # tuplegetter_repr of SQLAlchemy's cextension/resultproxy.c (its Py_ReprEnter guard
    # is left out: the item is a tuple of ints)
    "tuplegetter": lambda node, edges: _join("%s(" % c_string(node.type_name), edges, ")"),
    # element_repr of _elementtree.c
    "element": lambda node, edges: _join("<Element ", edges, " at %#x>" % node.address),
    "ctypes_simple": _ctypes_simple_tokens,
}

__all__ = ["TEXT", "TOKENS", "c_string", "snprintf", "child_repr"]
