"""Turn an exception raised by the user's code or templates into what the overlay shows.

The overlay and the terminal show the user's file and line, not the dev server's frames:
a ``SyntaxError`` carries its own location, a Jinja ``TemplateSyntaxError`` its template file
and line, and anything else is located at the deepest traceback frame inside the project (Jinja
adds a frame per template line, so a template that fails while rendering is found the same way).
"""

from __future__ import annotations

import inspect
import linecache
import os
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import jinja2

from component_framework.checks import template_not_found
from component_framework.core.exceptions import HandlerError
from component_framework.core.jinja import TEMPLATE_SUFFIXES, JinjaRenderer
from component_framework.core.registry import ComponentRegistry, registry
from component_framework.core.renderer import get_default_renderer
from component_framework.project import user_frame

__all__ = ["DevError", "describe_error"]


@dataclass(frozen=True)
class DevError:
    """An error to show in the page overlay and the terminal.

    Attributes:
        kind: What failed: ``"syntax"``, ``"import"``, ``"template"``, ``"handler"`` (an
            event handler raised), ``"mount"`` or ``"render"``.
        file: The user's file, as a path string ("" when unknown).
        line: The line in *file* (0 when unknown).
        message: ``"ExceptionType: message"``.
        source: A few lines of *file* around *line*, as ``[(number, text), ...]``.
        traceback: The full formatted traceback, for the terminal and the overlay's details.
    """

    kind: str
    file: str
    line: int
    message: str
    source: tuple[tuple[int, str], ...] = ()
    traceback: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the overlay's JSON form."""
        data = asdict(self)
        data["source"] = [list(pair) for pair in self.source]
        return data

    @property
    def location(self) -> str:
        """``file:line`` (or just the file) for messages."""
        return f"{self.file}:{self.line}" if self.line else self.file


def _excerpt(file: str, line: int, context: int = 3) -> tuple[tuple[int, str], ...]:
    if not file or line <= 0 or not os.path.isfile(file):
        return ()
    linecache.checkcache(file)
    lines = linecache.getlines(file)
    start = max(1, line - context)
    stop = min(len(lines), line + context)
    return tuple((n, lines[n - 1].rstrip("\n")) for n in range(start, stop + 1))


def describe_error(
    exc: BaseException,
    roots: Sequence[str | os.PathLike[str]] = (),
    kind: str | None = None,
    components: ComponentRegistry = registry,
) -> DevError:
    """Locate *exc* in the user's files under *roots* and describe it for the overlay.

    A template that is not found is described as ``cf check`` describes it, at the
    ``template_name`` line of the component (looked up in *components*) that names it.
    """
    formatted = "".join(traceback.format_exception(exc))
    missing = _missing_template(exc, roots, components, formatted)
    if missing is not None:
        return missing
    message = f"{type(exc).__name__}: {_message(exc)}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file = exc.filename or exc.name or ""
        line = exc.lineno or 0
        return DevError(kind or "template", file, line, message, _excerpt(file, line), formatted)
    if isinstance(exc, SyntaxError):
        file = exc.filename or ""
        line = exc.lineno or 0
        return DevError(kind or "syntax", file, line, message, _excerpt(file, line), formatted)
    file, line = user_frame(exc, roots) or ("", 0)
    if kind is None:
        if isinstance(exc, jinja2.TemplateError) or file.endswith(tuple(TEMPLATE_SUFFIXES)):
            kind = "template"
        elif isinstance(exc, ImportError):
            kind = "import"
        else:
            kind = _stage(exc)
    return DevError(kind, file, line, message, _excerpt(file, line), formatted)


def _missing_template(
    exc: BaseException,
    roots: Sequence[str | os.PathLike[str]],
    components: ComponentRegistry,
    formatted: str,
) -> DevError | None:
    cause = exc.__cause__ if isinstance(exc, HandlerError) and exc.__cause__ else exc
    if not isinstance(cause, jinja2.TemplateNotFound) or not isinstance(cause.name, str):
        return None
    for name, cls in components.items():
        renderer = cls.renderer or get_default_renderer()
        if cls.template_name != cause.name or not isinstance(renderer, JinjaRenderer):
            continue
        root = Path(roots[0]) if roots else Path.cwd()
        message = template_not_found(name, cause.name, renderer, root)
        file, line = _assignment(cls, "template_name")
        return DevError("template", file, line, message, _excerpt(file, line), formatted)
    return None


def _assignment(cls: type, attribute: str) -> tuple[str, int]:
    """``(file, line)`` where *cls* sets *attribute* (its ``class`` line if not found)."""
    try:
        file = inspect.getsourcefile(cls) or ""
        lines, first = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return "", 0
    for offset, text in enumerate(lines):
        if text.strip().startswith(f"{attribute} ") or text.strip().startswith(f"{attribute}="):
            return file, first + offset
    return file, first


def _stage(exc: BaseException) -> str:
    """``"handler"``, ``"mount"`` or ``"render"``: the step of the lifecycle that raised."""
    if isinstance(exc, HandlerError):
        return "handler"
    current: BaseException | None = exc
    while current is not None:
        for frame in reversed(traceback.extract_tb(current.__traceback__)):
            if frame.name.startswith("on_"):
                return "handler"
            if frame.name == "mount":
                return "mount"
        current = current.__cause__
    return "render"


def _message(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.message or str(exc)
    if isinstance(exc, SyntaxError):
        return exc.msg
    return str(exc)
