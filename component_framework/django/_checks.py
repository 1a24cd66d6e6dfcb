"""Django system checks (``manage.py check``) for cf-components."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.conf import settings
from django.core import checks

from component_framework.core.component import Component

from ._config import config
from ._websocket import websocket_enabled

__all__ = ["check_live_components"]


def _wants_socket(cls: type[Component]) -> bool:
    return cls.live or cls.transport == "ws"


@checks.register()
def check_live_components(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn about live components when no WebSocket (Channels) is set up: no pushes reach them.

    ``CF_WEBSOCKET = False`` says the fallback to HTTP is intended, and silences it.
    """
    if websocket_enabled() or getattr(settings, "CF_WEBSOCKET", None) is False:
        return []
    if importlib.util.find_spec("channels") is None:
        hint = (
            "pip install 'cf-components[channels]' and add the consumer to your "
            "ASGI routing (docs/django.md, 'WebSocket'); or set CF_WEBSOCKET = False."
        )
    else:
        hint = (
            "Channels is installed but ASGI_APPLICATION is not set: set it to the "
            "ProtocolTypeRouter that routes the consumer, e.g. ASGI_APPLICATION = "
            "'mysite.asgi.application' (docs/django.md, 'WebSocket'); or set CF_WEBSOCKET = False."
        )
    return [
        checks.Warning(
            f"Component {name!r} is live, but Django Channels is not set up: its events go "
            "over HTTP and it gets no server pushes.",
            hint=hint,
            id="cf.W001",
        )
        for name, cls in sorted(config().registry.items())
        if _wants_socket(cls)
    ]
