"""``websocket_urlpatterns`` for Channels' ``URLRouter``: the socket at ``cf/ws``.

cf.js opens ``<endpoint>/ws``; if you include the HTTP URLs under another prefix than
``cf/``, route ``ComponentConsumer.as_asgi()`` at ``<prefix>ws`` yourself.
"""

from __future__ import annotations

from django.urls import path

from .consumers import ComponentConsumer

__all__ = ["websocket_urlpatterns"]

websocket_urlpatterns = [path("cf/ws", ComponentConsumer.as_asgi())]
