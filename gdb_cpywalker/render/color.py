"""ANSI colors for every renderer: escape strings per role, taken from a pygments style.

Renderers never lex: they look colors up here once (``palette()``) and build output
from precomputed tables. ``paint`` is the one function for coloring a piece of text.
Without pygments the palette is empty and everything stays plain.
"""

import functools

RESET = "\x1b[0m"
STYLE = "monokai"

#: Role -> the pygments token whose color the role takes.
ROLE_TOKENS = {
    "address": "Name.Function",
    "zero": "Comment",
    "printable": "Literal.String",
    "whitespace": "Name.Tag",
    "ff": "Literal.Number",
    "other": "Keyword",
    "marker": "Comment",
}


#: The 16 ANSI colors (xterm's values) as (SGR code, RGB).
_ANSI16 = ((30, (0, 0, 0)), (31, (205, 0, 0)), (32, (0, 205, 0)), (33, (205, 205, 0)),
           (34, (0, 0, 238)), (35, (205, 0, 205)), (36, (0, 205, 205)), (37, (229, 229, 229)),
           (90, (127, 127, 127)), (91, (255, 0, 0)), (92, (0, 255, 0)), (93, (255, 255, 0)),
           (94, (92, 92, 255)), (95, (255, 0, 255)), (96, (0, 255, 255)), (97, (255, 255, 255)))


def ansi_escape(rgb):
    """The shortest escape for ``rgb`` ('e6db74'): the nearest of the 16 ANSI colors.

    Short escapes keep colored dumps small; a dump changes color every few bytes.
    """
    target = tuple(int(rgb[i:i + 2], 16) for i in (0, 2, 4))
    code = min(_ANSI16, key=lambda entry: sum((a - b) ** 2 for a, b in zip(entry[1], target)))[0]
    return "\x1b[%dm" % code


@functools.lru_cache(maxsize=None)
def palette(style=STYLE):
    """Role -> ANSI escape from pygments style ``style``; {} without pygments."""
    try:
        from pygments.styles import get_style_by_name
        from pygments.token import string_to_tokentype
        style_class = get_style_by_name(style)
    except Exception:  # pygments missing or broken: plain output
        return {}
    escapes = {}
    for role, token in ROLE_TOKENS.items():
        color = style_class.style_for_token(string_to_tokentype(token))["color"]
        escapes[role] = ansi_escape(color) if color else ""
    return escapes


def paint(text, role, enabled=True):
    """``text`` in the color of ``role`` when ``enabled`` and a palette exists."""
    escape = palette().get(role) if enabled else None
    return escape + text + RESET if escape else text
