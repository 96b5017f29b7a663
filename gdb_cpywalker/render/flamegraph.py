"""A self-contained SVG flame graph (an icicle: callers on top) of weighted stacks, with an
optional chart above it; and the folded-stack text flamegraph.pl, inferno and speedscope read.

Data in, text out: ``stacks`` are ``(frames, value)`` with ``frames`` outermost first, each a
``Frame(label, title, kind)``: ``label`` is drawn, ``title`` is the hover text, ``kind``
picks the color family ("python", "native", "other"). Hover text is SVG's own ``<title>``:
no script, no external file, nothing but the standard library to write it. Every text is
made ``printable`` first: names come from the traced program and may hold anything.
"""

import re
import zlib
from collections import namedtuple
from xml.sax.saxutils import escape

from .units import format_size

Frame = namedtuple("Frame", "label title kind")

WIDTH = 1200
ROW = 18
FONT = 11
#: Average glyph width of the 11px sans-serif font, for cutting labels to their box.
CHAR_WIDTH = 6.2
MIN_WIDTH = 0.3
CHART_HEIGHT = 90
_HUES = {"python": (200, 235), "native": (10, 45), "other": (0, 0), "narrow": (0, 0)}
#: Characters no terminal line, XML document or folded stack may hold as they are: C0 and C1
#: controls, surrogates (a byte that was not UTF-8 is a surrogate escape), XML's non-characters.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text):
    """``text`` as one line safe anywhere: each character above as ``\\xHH`` (a byte that was
    not UTF-8 as that byte, ``\\x0a`` for a newline), or ``\\uHHHH`` for other surrogates."""
    return text if text.isprintable() else _UNPRINTABLE.sub(_escaped, text)


def _escaped(match):
    code = ord(match.group(0))
    if 0xdc80 <= code <= 0xdcff:
        code -= 0xdc00
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def _xml(text):
    return escape(printable(text))


def folded(stacks):
    """``frame;frame;frame value`` lines (labels ``printable``, with ``;`` as ``:``)."""
    lines = []
    for frames, value in stacks:
        if value > 0:
            names = [printable(frame.label).replace(";", ":") for frame in frames]
            lines.append("%s %d\n" % (";".join(names) or "-", value))
    return "".join(lines)


class _Node:
    __slots__ = ("frame", "value", "children")

    def __init__(self, frame):
        self.frame = frame
        self.value = 0
        self.children = {}


def _tree(stacks, root_frame):
    root = _Node(root_frame)
    for frames, value in stacks:
        if value <= 0:
            continue
        root.value += value
        node = root
        for frame in frames:
            child = node.children.get(frame)
            if child is None:
                child = node.children[frame] = _Node(frame)
            child.value += value
            node = child
    return root


def svg(stacks, title, unit=format_size, chart=None, chart_label=""):
    """The SVG text. ``chart``: ``(x, y)`` points drawn as an area above the graph (x and y
    scaled to fit; ``chart_label`` says what they are)."""
    root = _tree(stacks, Frame("all", "all", "other"))
    rows = []
    depth = _layout(root, 0.0, WIDTH - 20, 0, rows)
    top = 40 + (CHART_HEIGHT + 30 if chart else 0)
    height = top + (depth + 1) * ROW + 30
    out = [_HEAD % {"width": WIDTH, "height": height, "font": FONT},
           '<text class="title" x="%d" y="22">%s</text>\n' % (WIDTH // 2, _xml(title))]
    if chart:
        out.append(_chart(chart, 10, 36, WIDTH - 20, CHART_HEIGHT, chart_label, unit))
    total = root.value or 1
    for node, x, width, level in rows:
        frame = node.frame
        y = top + level * ROW
        share = 100.0 * node.value / total
        hover = "%s\n%s (%.2f%%)" % (_xml(frame.title), unit(node.value), share)
        out.append('<g class="frame %s"><title>%s</title><rect x="%.1f" y="%d" width="%.1f" '
                   'height="%d" fill="%s" rx="2"/>' % (frame.kind, hover, 10 + x, y, width,
                                                       ROW - 1, _color(frame)))
        fits = int((width - 6) / CHAR_WIDTH)
        label = printable(frame.label)
        if fits >= 3:
            text = label if len(label) <= fits else label[:fits - 2] + ".."
            out.append('<text x="%.1f" y="%d">%s</text>' % (13 + x, y + ROW - 5, escape(text)))
        out.append("</g>\n")
    out.append('<text class="note" x="10" y="%d">width: %s; callers above callees; hover a frame '
               'for its full name and size</text>\n' % (height - 10, _xml(unit(root.value))))
    out.append("</svg>\n")
    return "".join(out)


def _layout(root, x, width, level, rows):
    """Place ``root`` and its children (largest first) left to right; returns the depth.
    Children too narrow to draw share one grey box, so that widths still add up."""
    stack = [(root, x, width, level)]
    deepest = 0
    while stack:
        node, x, width, level = stack.pop()
        if width < MIN_WIDTH:
            continue
        rows.append((node, x, width, level))
        deepest = max(deepest, level)
        children = sorted(node.children.values(), key=lambda child: (-child.value, child.frame.label))
        offset = x
        for index, child in enumerate(children):
            if width * child.value / node.value < MIN_WIDTH and len(children) - index > 1:
                child = _narrow(children[index:])
            child_width = width * child.value / node.value
            stack.append((child, offset, child_width, level + 1))
            offset += child_width
            if child.frame.kind == "narrow":
                break
    return deepest


def _narrow(nodes):
    """One box for ``nodes``, each too narrow to draw."""
    merged = _Node(Frame("%d more" % len(nodes), "%d more frames, each too narrow to draw" % len(nodes),
                         "narrow"))
    merged.value = sum(node.value for node in nodes)
    return merged


def _color(frame):
    low, high = _HUES[frame.kind]
    if low == high:
        return "rgb(200,200,200)"
    mix = zlib.crc32(frame.label.encode("utf-8", "surrogateescape")) & 0xff
    hue = low + (high - low) * mix / 255.0
    return "hsl(%d,%d%%,%d%%)" % (hue, 60 + mix % 20, 62 + mix % 12)


def _chart(points, x, y, width, height, label, unit):
    """An area chart of ``points`` in the box (x, y, width, height)."""
    xs = [point[0] for point in points]
    ys = [point[1] for point in points]
    low, high = min(xs), max(xs)
    peak = max(ys) or 1
    span = (high - low) or 1
    path = ["M%.1f,%.1f" % (x, y + height)]
    for px, py in points:
        path.append("L%.1f,%.1f" % (x + width * (px - low) / span, y + height - height * py / peak))
    path.append("L%.1f,%.1f Z" % (x + width, y + height))
    return ('<g class="chart"><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" '
            'fill="#f4f4f4"/><path d="%s" fill="#7aa6d6" stroke="#2f5f8f"/>'
            '<text class="note" x="%d" y="%d">%s, peak %s</text></g>\n'
            % (_xml(label), x, y, width, height, " ".join(path), x + 4, y + 12,
               _xml(label), escape(unit(peak))))


_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%(width)d" height="%(height)d" viewBox="0 0 %(width)d %(height)d">
<style>
text { font-family: Verdana, "DejaVu Sans", sans-serif; font-size: %(font)dpx; fill: #000; }
text.title { font-size: 16px; text-anchor: middle; }
text.note { fill: #555; }
g.frame:hover rect { stroke: #000; stroke-width: 1; }
g.frame text { pointer-events: none; }
</style>
<rect x="0" y="0" width="%(width)d" height="%(height)d" fill="#fdfdfd"/>
"""
