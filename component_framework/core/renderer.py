"""The renderer interface, and the default renderer used by components that set none."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["Renderer", "get_default_renderer", "set_default_renderer"]


class Renderer(ABC):
    """Abstract base class for template renderers."""

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
