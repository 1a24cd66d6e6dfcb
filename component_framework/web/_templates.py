"""Jinja helpers that put components into pages: ``component(...)`` and ``cf_scripts()``.

``{{ component("counter", start=3) }}`` renders the component on the server (no JavaScript
needed to see it) inside its root element, which carries what cf.js needs to make it live:

    <div data-cf-component="counter" data-cf-id="component-1a2b3c4d..." data-cf-state="{...}"
         data-cf-checksum="1:..." data-cf-token="counter:..." data-cf-endpoint="/cf">...</div>

Keyword arguments are mount parameters; they come from the template, so they are trusted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from component_framework.core._markup import asgi_query, component_root, page_request, script_tag
from component_framework.core._scripts import page_scripts
from component_framework.core.flash import FLASH_COOKIE, flash_region, read_flash

if TYPE_CHECKING:
    from ._app import ComponentApp

__all__ = ["TemplateHelpers"]


class TemplateHelpers:
    """The ``component`` and ``cf_scripts`` template globals of one ``ComponentApp``."""

    def __init__(self, app: ComponentApp) -> None:
        self._app = app

    def __repr__(self) -> str:
        return f"<TemplateHelpers endpoint={self._app.prefix!r}>"

    def globals(self) -> dict[str, Any]:
        """The template globals: ``component``, ``cf_scripts`` and ``cf_flash``."""
        return {
            "component": self.component,
            "cf_scripts": self.cf_scripts,
            "cf_flash": self.cf_flash,
        }

    @jinja2.pass_context
    def component(self, context: jinja2.runtime.Context, name: str, /, **params: Any) -> Markup:
        """Render component *name* mounted with *params* inside its root element."""
        return self.render(name, page_request(context), **params)

    def render(self, name: str, request: Any = None, /, **params: Any) -> Markup:
        """Render component *name* for *request* (permissions), mounted with *params*.

        A permission refusal renders the root with the error instead of the component.

        Raises:
            ComponentError: Unknown component (a bug in the page), or the component failed.
        """
        app = self._app
        return component_root(
            name,
            request,
            params=params,
            config=app.config,
            endpoint=self.endpoint(request),
            query=asgi_query(request),
        )

    def endpoint(self, request: Any = None) -> str:
        """The URL path of the component endpoints as the page's browser sees it.

        An app mounted under a sub-path (``root_path``, e.g. ``/shop``) serves them at
        ``/shop/cf``, not ``/cf``.
        """
        scope = getattr(request, "scope", None)
        root_path = scope.get("root_path", "") if isinstance(scope, dict) else ""
        return f"{root_path.rstrip('/')}{self._app.prefix}"

    @jinja2.pass_context
    def cf_flash(self, context: jinja2.runtime.Context) -> Markup:
        """The page's flash region, with the messages a redirect or navigation brought."""
        cookies = getattr(page_request(context), "cookies", None) or {}
        return flash_region(read_flash(cookies.get(FLASH_COOKIE), self._app.signer))

    @jinja2.pass_context
    def cf_scripts(self, context: jinja2.runtime.Context, *scripts: str) -> Markup:
        """The ``<script>`` tags that load cf.js and the optional *scripts* the page uses
        (``cf_scripts("navigate")``), with those the app's components need (deferred,
        cache-busted by content hash).

        Raises:
            ConfigurationError: An unknown optional script.
        """
        optional = page_scripts(scripts, self._app.config.registry)
        endpoint = self.endpoint(page_request(context))
        return script_tag(endpoint, self._app.script_version, None, optional)
