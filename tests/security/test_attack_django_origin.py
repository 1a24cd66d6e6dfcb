"""Cross-site WebSocket hijacking through the Django Channels consumer.

``ComponentConsumer`` accepted every handshake: only the ``AllowedHostsOriginValidator`` wrapper
shown in the docs checked the Origin, and routing without it (as the repository's own tests
route) let a page on another site open the socket with the victim's session cookie and read an
``IsAuthenticated``-gated render. The consumer now checks the Origin itself, as the Starlette
and Litestar sockets do.
"""

from __future__ import annotations

import json

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings

import tests.adapters.conftest  # noqa: F401  (Django's settings, as the adapter tests use them)
from component_framework.django.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)

# As the repository routes it: no AllowedHostsOriginValidator around the consumer.
application = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))


def _victim_cookie() -> bytes:
    from django.contrib.auth.models import User  # after the settings are configured
    from django.test import Client

    user = User.objects.create_user("origin-victim", password="pw-123456789")
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}".encode()


async def _open(origin: bytes) -> tuple[WebsocketCommunicator, bool]:
    from asgiref.sync import sync_to_async

    cookie = await sync_to_async(_victim_cookie)()
    headers = [(b"host", b"testserver"), (b"origin", origin), (b"cookie", cookie)]
    communicator = WebsocketCommunicator(application, "/cf/ws", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def test_a_page_on_another_site_cannot_open_the_socket_with_the_users_cookie() -> None:
    communicator, connected = await _open(b"https://evil.example")
    assert not connected
    await communicator.disconnect()


async def test_the_sites_own_pages_still_open_it_and_see_the_user() -> None:
    communicator, connected = await _open(b"http://testserver")
    assert connected
    message = {"type": "component_event", "component": "greeting"}
    await communicator.send_to(text_data=json.dumps(message))
    reply = json.loads(await communicator.receive_from())
    assert reply["type"] == "component_update", reply
    await communicator.disconnect()
