"""``--format json``: the walked graph for scripts (cpy-walker's data graph).

``{"root": "0x...", "nodes": {"0x...": {"type", "kind", "refcount", "size", "value",
"repr", "edges": [{"label", "to"}], "truncated", "error"}}, "depth_cut": [...],
"objects_cut": [...]}``. ``value`` is the JSON value of scalars (str data as latin-1
text, huge longs as decimal strings), ``repr`` their Python 2.7 repr text.
"""

import json
import math

from ..decode.walker import edge_labels
from .repr import decimal_text
from .tree import node_value

#: Longer ints are written as decimal strings (json cannot print them past 4300 digits).
_JSON_INT_BITS = 14000


def _json_value(node):
    value = node.value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, complex):
        return [_json_float(value.real), _json_float(value.imag)]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, int) and value.bit_length() > _JSON_INT_BITS:
        return decimal_text(value)
    return value


def _json_float(value):
    return value if math.isfinite(value) else repr(value)


def node_record(node, graph):
    if node.kind == "error":
        return {"kind": "error", "error": str(node.error)}
    return {
        "type": node.type_name, "kind": node.kind, "refcount": node.refcount,
        "size": node.size, "value": _json_value(node), "repr": node_value(node, graph),
        "edges": [{"label": label, "to": "%#x" % edge}
                  for edge, label in zip(node.edges, edge_labels(node))],
        "truncated": node.truncated,
    }


def render_json(graph, color=False):
    nodes = graph.nodes
    document = {
        "root": "%#x" % graph.root,
        "nodes": {"%#x" % address: node_record(node, graph) for address, node in nodes.items()},
        "depth_cut": ["%#x" % address for address in sorted(graph.depth_cut)],
        "objects_cut": ["%#x" % address for address in sorted(graph.objects_cut)],
    }
    return json.dumps(document, separators=(",", ":"))
