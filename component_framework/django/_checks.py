"""Django system checks (``manage.py check``) for cf-components."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.conf import settings
from django.core import checks

from component_framework.core.component import Component

from ._config import config
from ._websocket import websocket_enabled

__all__ = ["check_live_components", "check_runserver_serves_the_socket"]

# Apps whose runserver serves ASGI (WebSocket included); Django's own serves WSGI only.
_ASGI_RUNSERVERS = ("daphne",)


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


@checks.register()
def check_runserver_serves_the_socket(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Warn when pages will open the WebSocket but ``runserver`` cannot serve it.

    With ``ASGI_APPLICATION`` set, pages open ``/cf/ws``; Django's own ``runserver`` serves WSGI
    only, so the socket fails, the page retries and pushes are lost, unless an ASGI server app
    (daphne) replaces ``runserver``. Under an ASGI server (uvicorn, daphne) in production the
    socket works: silence it there with ``SILENCED_SYSTEM_CHECKS = ["cf.W002"]``.
    """
    if not websocket_enabled():
        return []
    if any(app in settings.INSTALLED_APPS for app in _ASGI_RUNSERVERS):
        return []
    return [
        checks.Warning(
            "Live components will open a WebSocket (ASGI_APPLICATION is set), but "
            "'manage.py runserver' serves WSGI only: the socket fails, pages retry and pushes "
            "are lost.",
            hint=(
                "Add 'daphne' at the top of INSTALLED_APPS (pip install daphne), so runserver "
                "serves ASGI; or run an ASGI server (uvicorn mysite.asgi:application). "
                "Already serving with one? Add 'cf.W002' to SILENCED_SYSTEM_CHECKS."
            ),
            id="cf.W002",
        )
    ]
