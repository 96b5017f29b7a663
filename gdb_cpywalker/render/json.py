"""``--format json``: the walked graph for scripts (cpy-walker's data graph), streamed.

``{"root": "0x...", "nodes": {"0x...": {"type", "kind", "refcount", "size", "value",
"repr", "edges": [{"label", "to"}], "truncated", "error"}}, "depth_cut": [...],
"objects_cut": [...]}``. ``value`` is the JSON value of scalars (str data as latin-1
text, huge longs as decimal strings; a str cut by max-string holds the bytes shown and
``truncated`` counts the rest), ``repr`` their Python 2.7 repr text.

The document is written node by node as the walk decodes them (a node's edges in
chunks too): the text is the one ``json.dumps(document, separators=(",", ":"))`` gives.
"""

import json
import math
import re

from ..decode.walker import NODE, iter_edge_labels
from ..errors import ProcessGone
from .repr import STRING_PIECE, decimal_text, has_default_repr, long_string, string_pieces
from .tree import node_value

#: Longer ints are written as decimal strings (json cannot print them past 4300 digits).
_JSON_INT_BITS = 14000
#: Nodes encoded in one call; edges written in one piece.
BATCH = 512
_encode = json.JSONEncoder(separators=(",", ":")).encode
#: labels that are their own JSON text between quotes
_PLAIN_LABEL = re.compile(r"[\w\[\] .-]*\Z", re.ASCII).match


def _json_value(node):
    value = node.value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, complex):
        return [_json_float(value.real), _json_float(value.imag)]
    if isinstance(value, tuple):  # an array's (typecode, items), c_char's ("str", bytes)...
        return [_json_part(part) for part in value]
    if isinstance(value, int) and value.bit_length() > _JSON_INT_BITS:
        return decimal_text(value)
    return value


def _json_part(part):
    if isinstance(part, bytes):
        return part.decode("latin-1")
    if isinstance(part, list):  # an array's numbers: NaN and infinities as text, as a float's
        return [_json_float(item) if isinstance(item, float) else item for item in part]
    return part


def _json_float(value):
    return value if math.isfinite(value) else repr(value)


def _head(node, graph):
    """The record of ``node`` up to its edges."""
    if node.kind == "error":
        return {"kind": "error", "error": str(node.error)}
    return {"type": node.type_name, "kind": node.kind, "refcount": node.refcount,
            "size": node.size, "value": _json_value(node), "repr": node_value(node, graph)}


def node_record(node, graph):
    """The JSON record of one node, as a dict."""
    record = _head(node, graph)
    if node.kind != "error":
        record["edges"] = [{"label": label, "to": "%#x" % edge}
                           for edge, label in zip(node.edges, iter_edge_labels(node))]
        record["truncated"] = node.truncated
    return record


def _edge_texts(node):
    """The JSON text of each edge of ``node``."""
    for edge, label in zip(node.edges, iter_edge_labels(node)):
        quoted = '"%s"' % label if _PLAIN_LABEL(label) else _encode(label)
        yield '{"label":%s,"to":"%#x"}' % (quoted, edge)


def _record_pieces(node, graph, prefix):
    """``prefix"0x...":{...}`` of a node with many edges, its edges in pieces of BATCH."""
    head = _encode(_head(node, graph))
    yield '%s"%#x":%s,"edges":[' % (prefix, node.address, head[:-1])
    texts = _edge_texts(node)
    first = True
    while True:
        chunk = [text for _, text in zip(range(BATCH), texts)]
        if not chunk:
            break
        yield ("" if first else ",") + ",".join(chunk)
        first = False
    yield '],"truncated":%d}' % node.truncated


def _long_string_pieces(node, graph, prefix):
    """``prefix"0x...":{...}`` of a long str, unicode or bytearray, its value and repr
    written piece by piece: never the whole text of a 1 GB str at once."""
    head = _encode({"type": node.type_name, "kind": node.kind, "refcount": node.refcount,
                    "size": node.size})
    yield '%s"%#x":%s,"value":"' % (prefix, node.address, head[:-1])
    value = node.value
    for start in range(0, len(value), STRING_PIECE):
        piece = value[start:start + STRING_PIECE]
        yield _encode(piece if isinstance(piece, str) else piece.decode("latin-1"))[1:-1]
    yield '","repr":"'
    for piece in string_pieces(node):
        yield _encode(piece)[1:-1]
    yield '","edges":[%s],"truncated":%d}' % (",".join(_edge_texts(node)), node.truncated)


def json_pieces(graph, color=False):
    """The document in pieces, each as soon as the walk has decoded what it holds."""
    yield '{"root":"%#x","nodes":{' % graph.root
    batch = {}
    separator = ""
    try:
        for step in graph.visits():
            if step[0] != NODE:
                continue
            node = step[4]
            if long_string(node) and not has_default_repr(node, graph.reader):
                if batch:
                    yield separator + _encode(batch)[1:-1]
                    separator = ","
                    batch = {}
                yield from _long_string_pieces(node, graph, separator)
                separator = ","
                continue
            if len(node.edges) <= BATCH:
                batch["%#x" % node.address] = node_record(node, graph)
                if len(batch) < BATCH:
                    continue
            if batch:
                yield separator + _encode(batch)[1:-1]
                separator = ","
                batch = {}
            if len(node.edges) > BATCH:
                yield from _record_pieces(node, graph, separator)
                separator = ","
    except ProcessGone:
        if batch:  # the nodes decoded before the target died
            yield separator + _encode(batch)[1:-1]
        raise
    if batch:
        yield separator + _encode(batch)[1:-1]
    yield '},"depth_cut":%s,"objects_cut":%s}' % (
        _encode(["%#x" % address for address in sorted(graph.depth_cut)]),
        _encode(["%#x" % address for address in sorted(graph.objects_cut)]))


def render_json(graph, color=False):
    return "".join(json_pieces(graph, color))
