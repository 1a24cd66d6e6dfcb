"""0.6.0's ``adapters.fastapi``: one call mounts this project's ``ComponentApp``.

New code: ``app.mount("/cf", ComponentApp())`` (docs/fastapi.md).
"""

from __future__ import annotations

from . import require

require("fastapi", "fastapi")

from typing import Any

from component_framework.web import ComponentApp

__all__ = ["ComponentApp", "create_component_routes"]


def create_component_routes(app: Any, path: str = "/cf", **options: Any) -> ComponentApp:
    """Mount a ``ComponentApp(**options)`` on the FastAPI or Starlette *app* at *path*.

    It serves ``POST {path}/event``, ``{path}/stream``, the ``{path}/ws`` socket and
    ``{path}/cf.js``, not 0.6.0's ``/components/{name}`` routes (docs/migrating.md).

    Returns:
        The mounted ``ComponentApp`` (``install_jinja`` gives templates its globals).
    """
    components = ComponentApp(**options)
    app.mount(path, components)
    return components
