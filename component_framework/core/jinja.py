"""The Jinja2 renderer: autoescaped, cached, optionally auto-reloading, slot-aware."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from .composition import SlotRenderer
from .renderer import Renderer

__all__ = ["TEMPLATE_SUFFIXES", "JinjaRenderer"]

TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".jinja", ".jinja2", ".j2", ".txt", ".xml", ".svg"})
"""Suffixes of template files (``cf check`` compiles them; ``cf dev`` shows their errors)."""


@jinja2.pass_context
def _nested_component(context: jinja2.runtime.Context, name: str, /, **params: Any) -> Markup:
    # Imported here: the markup module reaches the message path, which imports renderers.
    from ._markup import nested_component

    return nested_component(context, name, **params)


class JinjaRenderer(SlotRenderer, Renderer):
    """Render component templates with Jinja2.

    Autoescaping is always on; compiled templates are cached. Slot HTML in the context
    (``slots``) is trusted markup rendered by child components and is not escaped again.
    ``{{ component("name", **params) }}`` nests a component, on every path.

    Args:
        search_paths: Folders searched for templates, in order.
        auto_reload: Recompile a template when its file changes (development).
        loader: A Jinja loader to use instead of (or, with *search_paths*, after) the folders.
        globals: Names available to every template.
        strict: An undefined name (``{{ state.cnt }}``) raises ``jinja2.UndefinedError``
            instead of rendering as empty text; ``cf dev`` and ``cf check`` turn it on.

    Example:

        set_default_renderer(JinjaRenderer(["myapp/templates"], auto_reload=True))
    """

    def __init__(
        self,
        search_paths: Iterable[str | os.PathLike[str]] = (),
        *,
        auto_reload: bool = False,
        loader: jinja2.BaseLoader | None = None,
        globals: Mapping[str, Any] | None = None,
        strict: bool = False,
    ) -> None:
        self.search_paths = [os.fspath(p) for p in search_paths]
        loaders: list[jinja2.BaseLoader] = []
        if self.search_paths:
            loaders.append(jinja2.FileSystemLoader(self.search_paths))
        if loader is not None:
            loaders.append(loader)
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            auto_reload=auto_reload,
            cache_size=-1,
            undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        )
        # A component template may nest {{ component("child") }} on every path (cf dispatch,
        # ComponentTester, every host); a host's own global, installed later, replaces it.
        self.environment.globals["component"] = _nested_component
        if globals:
            self.environment.globals.update(globals)

    def __repr__(self) -> str:
        return f"<JinjaRenderer search_paths={self.search_paths!r}>"

    @property
    def auto_reload(self) -> bool:
        """Whether templates are recompiled when their files change."""
        return self.environment.auto_reload

    @auto_reload.setter
    def auto_reload(self, value: bool) -> None:
        self.environment.auto_reload = value

    @property
    def strict(self) -> bool:
        """Whether an undefined name in a template raises instead of rendering as empty text."""
        return issubclass(self.environment.undefined, jinja2.StrictUndefined)

    @strict.setter
    def strict(self, value: bool) -> None:
        # Compiled templates look the class up on the environment at render time.
        self.environment.undefined = jinja2.StrictUndefined if value else jinja2.Undefined

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        """Render *template_name* with *context*.

        Raises:
            jinja2.TemplateNotFound: The template is in none of the search paths.
            jinja2.TemplateError: The template does not compile or fails while rendering.
        """
        slots = context.get("slots")
        if slots:
            context = {**context, "slots": {k: Markup(v) for k, v in slots.items()}}
        return self.environment.get_template(template_name).render(context)

    def compile_template(self, template_name: str) -> None:
        """Load and compile *template_name*.

        Raises:
            jinja2.TemplateNotFound: Not in the search paths.
            jinja2.TemplateSyntaxError: It does not compile.
        """
        self.environment.get_template(template_name)

    def render_string(self, source: str, context: dict[str, Any]) -> str:
        """Render template *source* given inline, with the same environment."""
        return self.environment.from_string(source).render(context)

    def clear_cache(self) -> None:
        """Forget compiled templates, so the next render reads every file again."""
        self.environment.cache.clear()  # type: ignore[union-attr]

    def list_templates(self) -> list[str]:
        """Return the names of every template the loaders can find."""
        return self.environment.list_templates()
