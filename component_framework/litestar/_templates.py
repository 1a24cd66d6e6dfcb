"""Jinja globals for Litestar pages: ``{{ component("counter") }}`` and ``{{ cf_scripts() }}``.

Install them with Litestar's template engine callback::

    TemplateConfig(directory="templates", engine=JinjaTemplateEngine,
                   engine_callback=lambda e: e.engine.globals.update(template_globals()))
"""

from __future__ import annotations

import json
from typing import Any

import jinja2
from markupsafe import Markup, escape

from component_framework.core._script import script_version
from component_framework.core.exceptions import NotAuthenticatedError, PermissionDeniedError
from component_framework.core.protocol import render_component
from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as default_registry
from component_framework.core.signing import Signer, get_signer
from component_framework.core.streaming import StreamingComponent

__all__ = ["template_globals"]


def _attributes(pairs: dict[str, str | None]) -> str:
    return "".join(
        f" {name}" if value is None else f' {name}="{escape(value)}"'
        for name, value in pairs.items()
    )


def template_globals(
    *,
    path: str = "/cf",
    registry: ComponentRegistry = default_registry,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """The ``component`` and ``cf_scripts`` globals for the router mounted at *path*."""

    @jinja2.pass_context
    def component(context: Any, name: str, /, **params: Any) -> Markup:
        request = context.get("request")
        if request is not None:
            request.scope.setdefault("user", None)
        attributes: dict[str, str | None] = {"data-cf-component": name}
        component_cls = registry.resolve(name)
        try:
            reply = render_component(
                name, request, params=params, registry=registry, signer=signer or get_signer()
            )
        except (NotAuthenticatedError, PermissionDeniedError) as exc:
            attributes["data-cf-endpoint"] = path
            error = f'<div role="alert" data-cf-error>{escape(str(exc))}</div>'
            return Markup(f"<div{_attributes(attributes)}>{error}</div>")
        attributes.update(
            {
                "data-cf-id": reply["component_id"],
                "data-cf-state": reply["state"],
                "data-cf-checksum": reply["checksum"],
                "data-cf-token": reply["subscribe_token"],
                "data-cf-endpoint": path,
            }
        )
        if issubclass(component_cls, StreamingComponent):
            attributes["data-cf-stream"] = None
        if "optimistic" in reply:
            attributes["data-cf-optimistic"] = json.dumps(
                reply["optimistic"], separators=(",", ":")
            )
        return Markup(f"<div{_attributes(attributes)}>{reply['html']}</div>")

    def cf_scripts() -> Markup:
        attributes = {
            "src": f"{path}/cf.js?v={script_version()}",
            "defer": None,
            "data-cf-base": path,
        }
        return Markup(f"<script{_attributes(attributes)}></script>")

    return {"component": component, "cf_scripts": cf_scripts}
