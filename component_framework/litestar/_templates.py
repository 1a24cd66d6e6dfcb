"""Jinja globals for Litestar pages: ``{{ component("counter") }}`` and ``{{ cf_scripts() }}``.

Install them with Litestar's template engine callback:

    TemplateConfig(directory="templates", engine=JinjaTemplateEngine,
                   engine_callback=lambda e: e.engine.globals.update(template_globals()))

With Litestar's CSRF middleware on (``Litestar(csrf_config=CSRFConfig(...))``), ``cf_scripts()``
puts the request's CSRF token under the configured header name into ``data-cf-headers``, and
cf.js sends it with every event and stream request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from component_framework.core._http import script_version
from component_framework.core._markup import asgi_query, component_root, page_request, script_tag
from component_framework.core._scripts import page_scripts
from component_framework.core.config import AppConfig, config_of
from component_framework.core.flash import FLASH_COOKIE, flash_region, read_flash
from component_framework.core.registry import ComponentRegistry
from component_framework.core.signing import Signer

__all__ = ["csrf_headers", "template_globals"]


def csrf_headers(request: Any) -> dict[str, str]:
    """``{header name: token}`` for *request* when the app has a ``CSRFConfig``, else ``{}``."""
    from litestar.template.base import csrf_token

    config = getattr(getattr(request, "app", None), "csrf_config", None)
    if request is None or config is None:
        return {}
    token = csrf_token({"request": request})
    return {config.header_name: token} if token else {}


def template_globals(
    *,
    path: str = "/cf",
    config: AppConfig | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    sockets: bool = True,
) -> dict[str, Any]:
    """The ``component``, ``cf_scripts`` and ``cf_flash`` globals for the router at *path*.

    Args:
        path: Where ``create_router`` serves the endpoints.
        config: The router's settings (``core.config.AppConfig``); the options below, when
            given, replace its own.
        registry: Where component names are looked up.
        signer: Signs state; by default the process-wide signer.
        sockets: Live components open the router's WebSocket (``False``: events over HTTP).
    """
    app_config = config_of(config, registry, signer)

    @jinja2.pass_context
    def component(context: Any, name: str, /, **params: Any) -> Markup:
        # A nested component's template has no request: the one being served is used.
        request = page_request(context)
        if request is not None:
            request.scope.setdefault("user", None)
        return component_root(
            name,
            request,
            params=params,
            config=app_config,
            endpoint=path,
            sockets=sockets,
            query=asgi_query(request),
        )

    @jinja2.pass_context
    def cf_scripts(context: Any, *scripts: str, headers: Mapping[str, str] | None = None) -> Markup:
        """The cf.js tag and those of the optional *scripts* (``cf_scripts("navigate")``);
        *headers* (and the CSRF token, with a CSRFConfig) sent by cf.js."""
        sent = {**csrf_headers(context.get("request")), **(headers or {})}
        optional = page_scripts(scripts, app_config.registry)
        return script_tag(path, script_version(), sent, optional)

    @jinja2.pass_context
    def cf_flash(context: Any) -> Markup:
        """The page's flash region, with the messages a redirect or navigation brought."""
        cookies = getattr(page_request(context), "cookies", None) or {}
        return flash_region(read_flash(cookies.get(FLASH_COOKIE), app_config.signer))

    return {"component": component, "cf_scripts": cf_scripts, "cf_flash": cf_flash}
