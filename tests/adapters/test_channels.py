"""The Channels consumer: events over WebSocket, the session's user, subscriptions and pushes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.test import Client

from component_framework.core.protocol import signed_message
from component_framework.django._config import config
from component_framework.django.consumers import manager
from component_framework.django.routing import websocket_urlpatterns
from examples.django_site.shop.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

application = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))


def _cookie(user: User | None) -> list[tuple[bytes, bytes]]:
    if user is None:
        return []
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]


async def _open(user: User | None) -> WebsocketCommunicator:
    from asgiref.sync import sync_to_async

    headers = await sync_to_async(_cookie)(user)
    communicator = WebsocketCommunicator(application, "/cf/ws", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _ask(communicator: WebsocketCommunicator, message: dict[str, Any]) -> dict[str, Any]:
    await communicator.send_to(text_data=json.dumps(message))
    reply: dict[str, Any] = json.loads(await communicator.receive_from())
    return reply


def _event(component: str, event: str | None = None) -> dict[str, Any]:
    return {"type": "component_event", "component": component, "event": event}


async def test_events_over_the_socket_echo_the_ref() -> None:
    communicator = await _open(None)
    message = signed_message(
        "counter", "increment", {"amount": 2}, {"count": 1}, component_id="c-ws"
    )
    reply = await _ask(communicator, {**message, "ref": 7})
    assert reply["type"] == "component_update" and reply["ref"] == 7
    assert json.loads(reply["state"]) == {"count": 3}
    bad = await _ask(communicator, {**message, "state": '{"count": 99}'})
    assert bad["code"] == "tampered_state"
    await communicator.disconnect()


async def test_the_session_user_and_model_permissions_apply_on_the_socket() -> None:
    from asgiref.sync import sync_to_async

    def users() -> tuple[User, User, int]:
        article = Article.objects.create(title="Socket", body="")
        reader = User.objects.create_user("sock-reader", password="pw-123456789")
        editor = User.objects.create_user("sock-editor", password="pw-123456789")
        editor.user_permissions.add(Permission.objects.get(codename="change_article"))
        return reader, editor, article.pk

    reader, editor, pk = await sync_to_async(users)()
    anonymous = await _open(None)
    refused = await _ask(
        anonymous, {"type": "component_event", "component": "greeting", "event": "wave"}
    )
    assert refused["code"] == "not_authenticated"
    await anonymous.disconnect()
    as_reader = await _open(reader)
    assert (await _ask(as_reader, {"type": "component_event", "component": "greeting"}))[
        "type"
    ] == "component_update"
    denied = await _ask(
        as_reader, {"type": "component_event", "component": "article_form", "event": "submit"}
    )
    assert denied["code"] == "permission_denied"
    await as_reader.disconnect()
    as_editor = await _open(editor)
    form = signed_message(
        "article_form",
        "submit",
        {"form_data": {"title": "Saved over a socket", "body": ""}},
        {"pk": pk, "form_data": {}, "submitted": False, "is_valid": False},
        component_id="form-ws",
    )
    saved = await _ask(as_editor, form)
    assert saved["type"] == "component_update", saved
    await as_editor.disconnect()
    title = await sync_to_async(lambda: Article.objects.get(pk=pk).title)()
    assert title == "Saved over a socket"


async def test_a_subscribed_page_gets_pushes() -> None:
    communicator = await _open(None)
    signer = config().signer
    token = signer.subscription_token("counter", "c-push")
    subscribed = await _ask(
        communicator, {"type": "subscribe", "component_id": "c-push", "token": token}
    )
    assert subscribed["type"] == "subscribed"
    await manager().push_update("c-push", "<b>pushed</b>", {"count": 42})
    await manager().flush()
    push = json.loads(await communicator.receive_from())
    assert push["html"] == "<b>pushed</b>" and json.loads(push["state"]) == {"count": 42}
    forged = await _ask(communicator, {"type": "subscribe", "component_id": "x", "token": "bad"})
    assert forged["type"] == "error"
    await communicator.disconnect()
