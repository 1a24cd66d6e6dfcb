"""The renderer interface, and the default renderer used by components that set none."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["Renderer", "get_default_renderer", "set_default_renderer"]


class Renderer(ABC):
    """Abstract base class for template renderers.

    Besides ``render``, a renderer may support what the dev tools use: ``strict`` (an undefined
    name raises; ``cf dev`` and ``cf check`` turn it on), ``compile_template`` and
    ``list_templates`` (``cf check`` compiles every template) and ``clear_cache`` (``cf dev``
    after a file changed). The defaults do nothing.
    """

    strict: bool = False
    """Whether an undefined name in a template raises instead of rendering as empty text."""

    @abstractmethod
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        """
        Render template with context.

        Args:
            template_name: Name/path of template
            context: Template variables

        Returns:
            Rendered HTML string
        """
        raise NotImplementedError

    def compile_template(self, template_name: str) -> None:
        """Load and compile *template_name*, raising the template language's own error."""
        return None

    def list_templates(self) -> list[str]:
        """The names of the templates this renderer can find (for ``cf check``)."""
        return []

    def clear_cache(self) -> None:
        """Forget compiled templates, so the next render reads the files again."""
        return None


_default: Renderer | None = None


def set_default_renderer(renderer: Renderer | None) -> Renderer | None:
    """Use *renderer* for every component whose ``renderer`` is None; return the previous one.

    Example:

        set_default_renderer(JinjaRenderer(["myapp/templates"]))
    """
    global _default
    previous, _default = _default, renderer
    return previous


def get_default_renderer() -> Renderer | None:
    """Return the renderer set with ``set_default_renderer``, or None."""
    return _default
