"""Whether this project serves components over WebSocket (Django Channels)."""

from __future__ import annotations

import importlib.util

from django.conf import settings

__all__ = ["websocket_enabled"]


def websocket_enabled() -> bool:
    """``CF_WEBSOCKET`` if set; else whether Channels is installed and ``ASGI_APPLICATION`` set.

    Without it, live components fall back to HTTP events (and a warning says so).
    """
    explicit = getattr(settings, "CF_WEBSOCKET", None)
    if explicit is not None:
        return bool(explicit)
    has_channels = importlib.util.find_spec("channels") is not None
    return has_channels and bool(getattr(settings, "ASGI_APPLICATION", None))
