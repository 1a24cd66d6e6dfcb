"""Render a scaffold folder the way copier renders it, with Jinja2 alone.

The scaffolds are copier templates (``copier.yml`` beside each ``template/`` folder, and
``copier copy`` renders them the same: a test compares the two), but ``cf new`` renders them
itself: copier and its dependencies would otherwise be installed into every production
environment for a command run once per project. What is used of copier's format is small:
square-bracket delimiters (so the Jinja2 of component templates passes through), names that are
templates too (``[[ package ]]/app.py``) and the ``.jinja`` suffix of files to render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

__all__ = ["render_folder"]

# The _envops of every copier.yml under scaffolds/.
_ENVIRONMENT = jinja2.Environment(
    block_start_string="[%",
    block_end_string="%]",
    variable_start_string="[[",
    variable_end_string="]]",
    comment_start_string="[#",
    comment_end_string="#]",
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)
_SUFFIX = ".jinja"


def render_folder(folder: Path, data: dict[str, Any]) -> dict[str, bytes]:
    """Render every file under *folder*: its relative path, as rendered, -> its content."""
    rendered: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = "/".join(
            _ENVIRONMENT.from_string(part).render(data) for part in path.relative_to(folder).parts
        )
        if relative.endswith(_SUFFIX):
            source = path.read_text(encoding="utf-8")
            text = _ENVIRONMENT.from_string(source).render(data)
            rendered[relative.removesuffix(_SUFFIX)] = text.encode("utf-8")
        else:
            rendered[relative] = path.read_bytes()
    return rendered
