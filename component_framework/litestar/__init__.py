"""Components in Litestar: the event, stream and cf.js endpoints as a Litestar ``Router``.

Example:

    from litestar import Litestar
    from component_framework.litestar import create_router

    app = Litestar(route_handlers=[home, create_router()])   # serves /cf/event, /cf/stream, ...

Litestar's guards and authentication apply as to any router; ``request.user`` reaches the
components' permission classes. Litestar is an optional dependency:
``pip install 'cf-components[litestar]'``.
"""

from component_framework.core._require import require as _require

_require("litestar", "litestar", "component_framework.litestar")

from ._router import create_router  # noqa: E402
from ._templates import template_globals  # noqa: E402

__all__ = ["create_router", "template_globals"]
