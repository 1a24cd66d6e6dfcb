"""Terminal output for ``cf dispatch``: a state diff and highlighted HTML.

Plain ANSI styling instead of rich: ``cf dispatch`` prints a few coloured lines, and importing
rich (and Pygments for HTML) would cost more than the rest of the command's own work. Colour
follows the usual conventions: only on a terminal, never with ``NO_COLOR``, always with
``FORCE_COLOR``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, TextIO

__all__ = ["Styler", "highlight_html", "state_diff"]

_CODES = {
    "bold": "1",
    "dim": "2",
    "underline": "4",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_TAG_PARTS = re.compile(
    r"(?P<name>^</?[A-Za-z][\w:-]*)|(?P<string>\"[^\"]*\"|'[^']*')|(?P<attr>[A-Za-z_:@][\w:.@-]*)"
    r"|(?P<end>/?>$)"
)


class Styler:
    """Wraps text in ANSI styles when colour is on."""

    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        stream = stream or sys.stdout
        if color is None:
            if os.environ.get("NO_COLOR"):
                color = False
            elif os.environ.get("FORCE_COLOR"):
                color = True
            else:
                color = hasattr(stream, "isatty") and stream.isatty()
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles or not text:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _tag(match: re.Match[str], style: Styler) -> str:
    tag = match.group()
    if tag.startswith("<!--"):
        return style(tag, "dim")

    def part(piece: re.Match[str]) -> str:
        kind = piece.lastgroup
        colour = {"name": "blue", "end": "blue", "string": "green", "attr": "cyan"}[kind or ""]
        return (
            style(piece.group(), colour, "bold") if kind == "name" else style(piece.group(), colour)
        )

    return _TAG_PARTS.sub(part, tag)


def highlight_html(html: str, style: Styler) -> str:
    """Return *html* with tags, attributes, strings and comments coloured."""
    return _TAG.sub(lambda m: _tag(m, style), html.rstrip("\n"))


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def state_diff(before: dict[str, Any] | None, after: dict[str, Any], style: Styler) -> str:
    """Return *after* key by key, marking what changed against *before*.

    ``+`` added, ``-`` removed, ``~`` changed (``old -> new``), blank unchanged.
    """
    from component_framework.core._diff import state_diff as changes

    before = before or {}
    changed = {change["path"].split(".")[0] for change in changes(before, after)}
    lines = []
    for key in sorted(set(before) | set(after)):
        if key not in before:
            lines.append(style(f"+ {key}: {_show(after[key])}", "green"))
        elif key not in after:
            lines.append(style(f"- {key}: {_show(before[key])}", "red"))
        elif str(key).split(".")[0] in changed:
            old, new = _show(before[key]), _show(after[key])
            lines.append(style(f"~ {key}: {old} -> {new}", "yellow"))
        else:
            lines.append(style(f"  {key}: {_show(after[key])}", "dim"))
    return "\n".join(lines) or style("  (empty)", "dim")
