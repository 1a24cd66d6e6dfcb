"""``JinjaXRenderer``: a component's template is a JinjaX component of a catalog."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
import jinjax
from markupsafe import Markup

from component_framework.core.jinja import _nested_component
from component_framework.core.renderer import Renderer

__all__ = ["JinjaXRenderer"]


class JinjaXRenderer(Renderer):
    """Render component templates with JinjaX.

    ``template_name`` is the JinjaX name (``"Counter"``, ``"forms.Signup"``); the component's
    context (``state``, ``errors``, ``component_id``, ``slots``, and a form's ``form_data``,
    ``field_errors``, ...) is passed as its arguments, so its ``{#def ... #}`` declares the
    ones it uses (the others are JinjaX ``attrs``).

    Args:
        folders: Folders of ``.jinja`` components, added to the catalog.
        catalog: Your own ``jinjax.Catalog`` (its Jinja environment's filters and globals
            apply), instead of a new one.
        strict: An undefined name raises ``jinja2.UndefinedError`` (``cf dev`` and
            ``cf check`` turn it on); JinjaX's own default.
        auto_reload: Reload a component when its file changes (JinjaX's default: on).
        globals: Names every component template sees.
    """

    def __init__(
        self,
        folders: Iterable[str | os.PathLike[str]] = (),
        *,
        catalog: jinjax.Catalog | None = None,
        strict: bool = False,
        auto_reload: bool = True,
        globals: Mapping[str, Any] | None = None,
    ) -> None:
        self.catalog = catalog if catalog is not None else jinjax.Catalog(auto_reload=auto_reload)
        self.folders = [os.fspath(folder) for folder in folders]
        for folder in self.folders:
            self.catalog.add_folder(folder)
        environment = self.catalog.jinja_env
        # A component template may nest {{ component("child") }}, as in Jinja2 templates.
        environment.globals.setdefault("component", _nested_component)
        if globals:
            environment.globals.update(globals)
        self.strict = strict

    def __repr__(self) -> str:
        return f"<JinjaXRenderer folders={self.folders!r}>"

    @property
    def strict(self) -> bool:
        """Whether an undefined name raises instead of rendering as empty text."""
        return issubclass(self.catalog.jinja_env.undefined, jinja2.StrictUndefined)

    @strict.setter
    def strict(self, value: bool) -> None:
        self.catalog.jinja_env.undefined = jinja2.StrictUndefined if value else jinja2.Undefined

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        """Render the JinjaX component *template_name* with *context* as its arguments.

        Raises:
            jinjax.ComponentNotFound: No such component in the catalog's folders.
            jinja2.TemplateError: It does not compile or fails while rendering.
        """
        slots = context.get("slots")
        if slots:
            context = {**context, "slots": {k: Markup(v) for k, v in slots.items()}}
        html: str = self.catalog.render(template_name, **context)
        return html

    def compile_template(self, template_name: str) -> None:
        """Find and compile the JinjaX component *template_name*.

        Raises:
            jinjax.ComponentNotFound: No such component in the catalog's folders.
            jinja2.TemplateSyntaxError: It does not compile.
        """
        self.catalog.jinja_env.from_string(self.catalog.get_source(template_name))
