"""Docstrings as the dev pages show them: Markdown (CommonMark), raw HTML in them escaped.

Docstrings written for Sphinx read the same for the common cases: ````start```` is code in
both, and a paragraph is a paragraph.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

__all__ = ["inline_html", "markdown_html"]

_markdown = MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str) -> str:
    """*text* rendered as Markdown blocks (the docs tab)."""
    html: str = _markdown.render(text)
    return html


def inline_html(text: str) -> str:
    """*text* rendered as one line of Markdown (a gallery card's summary, a story's note)."""
    html: str = _markdown.renderInline(text)
    return html
