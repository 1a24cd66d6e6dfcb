"""0.6.0's ``adapters.litestar``: this project's Litestar router.

New code: ``Litestar(route_handlers=[..., create_router()])`` (docs/litestar.md).
"""

from __future__ import annotations

from . import require

require("litestar", "litestar")

from typing import Any

from component_framework.litestar import create_router, template_globals

__all__ = ["create_component_routes", "create_router", "template_globals"]


def create_component_routes(app: Any, **options: Any) -> Any:
    """Register ``create_router(**options)`` on the Litestar *app*; return the router.

    It serves ``POST /cf/event``, ``/cf/stream``, the ``/cf/ws`` socket and ``/cf/cf.js``,
    not 0.6.0's ``/components/{name}`` routes (docs/migrating.md).
    """
    router = create_router(**options)
    app.register(router)
    return router
