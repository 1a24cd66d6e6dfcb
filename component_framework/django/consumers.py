"""WebSocket through Django Channels: events, subscriptions and server pushes on one socket.

Two lines in your ASGI routing (``pip install 'cf-components[channels]'``):

    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from component_framework.django.routing import websocket_urlpatterns

    application = ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    })

The user is loaded from the session when the socket opens, with its permissions, and its
language is chosen as ``LocaleMiddleware`` would (language cookie, ``Accept-Language``) and is
active while handlers run. The consumer checks the handshake's Origin itself (the page's own
host, or a site listed in ``CF_ALLOWED_ORIGINS``); the validator above is a second check. Every
message goes through core's WebSocket manager (permission checks, signed state and
subscriptions included). Pushes (``component_framework.django.push_event(...)``) reach every
subscribed page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from component_framework.core._require import require

require("channels", "channels", "component_framework.django.consumers")

from asgiref.sync import sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from django.utils import translation  # noqa: E402

from component_framework.core import (  # noqa: E402
    WebSocketConnection,
)
from component_framework.core._websocket_host import (  # noqa: E402
    POLICY_VIOLATION,
    answer_raw,
    encode_text,
    origin_refused,
)

from ._config import config  # noqa: E402
from ._hops import socket_language, wrap_hops  # noqa: E402
from ._push import manager  # noqa: E402

__all__ = ["ChannelsConnection", "ComponentConsumer", "SocketRequest", "manager"]


@dataclass
class SocketRequest:
    """What permission classes see on a socket: ``user``, ``session`` and the ASGI ``scope``."""

    scope: dict[str, Any]
    user: Any = None
    session: Any = field(default=None, repr=False)


class ChannelsConnection(WebSocketConnection):
    """A Channels consumer as core's ``WebSocketConnection``."""

    def __init__(self, consumer: ComponentConsumer, request: SocketRequest) -> None:
        self.consumer = consumer
        self._request = request

    def __repr__(self) -> str:
        return f"<ChannelsConnection user={self._request.user!r}>"

    async def send(self, data: dict[str, Any]) -> None:
        """Send *data* as one JSON text message."""
        await self.consumer.send(text_data=encode_text(data))

    async def receive(self) -> dict[str, Any]:
        """Not used: Channels delivers messages to the consumer's ``receive``."""
        raise NotImplementedError("Channels delivers messages to ComponentConsumer.receive().")

    async def close(self) -> None:
        """Close the socket."""
        await self.consumer.close()

    @property
    def request(self) -> Any:
        """The socket's ``SocketRequest``, for permission classes."""
        return self._request


def _load_user(scope: dict[str, Any]) -> Any:
    user = scope.get("user")
    if user is not None and user.is_authenticated:  # evaluates the lazy user: a query
        user.get_all_permissions()  # has_perm() then needs no query on the event loop
    return user


class ComponentConsumer(AsyncWebsocketConsumer):
    """The component socket: ``path("cf/ws", ComponentConsumer.as_asgi())``."""

    async def connect(self) -> None:
        """Check the Origin, accept, load the user, and register with the manager.

        A handshake from a page on another site (not the request's host, nor in
        ``CF_ALLOWED_ORIGINS``) is refused (HTTP 403), with or without Channels'
        ``AllowedHostsOriginValidator`` around the consumer.
        """
        headers = {name.lower(): value for name, value in self.scope.get("headers", [])}
        origin, host = headers.get(b"origin"), headers.get(b"host")
        if origin_refused(
            origin.decode("latin-1") if origin is not None else None,
            host.decode("latin-1") if host is not None else None,
            config(),
        ):
            await self.close(code=POLICY_VIOLATION)
            return
        user = await sync_to_async(_load_user)(self.scope)
        self.request = SocketRequest(self.scope, user, self.scope.get("session"))
        self.connection = ChannelsConnection(self, self.request)
        self.connection_id = f"ws-{uuid4().hex}"
        self.language = socket_language(self.scope)
        await self.accept()
        await manager().connect(self.connection, self.connection_id)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Answer one message (in order: Channels delivers them one at a time)."""
        raw = text_data if text_data is not None else (bytes_data or b"")
        wrap_hops(self.language)  # a sync handler's worker thread: the language, the ORM
        with translation.override(self.language):  # an async handler, on this loop
            await answer_raw(manager(), config(), self.connection, self.connection_id, raw)

    async def disconnect(self, code: int) -> None:
        """Drop the connection and its subscriptions."""
        if hasattr(self, "connection_id"):
            await manager().disconnect(self.connection_id)
