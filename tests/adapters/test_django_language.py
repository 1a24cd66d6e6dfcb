"""The user's language is active while handlers run: sync (worker thread) and async, on every
transport (WSGI, ASGI, Channels); database connections opened in worker threads are closed."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import AsyncClient, Client
from django.utils import translation

from component_framework.core import Component
from component_framework.django._config import config
from component_framework.django.routing import websocket_urlpatterns
from examples.django_site.shop.components import renderer
from examples.django_site.shop.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = {"X-CF-Request": "1"}


class SyncLanguage(Component):
    """A ``def`` handler: it runs in core's worker thread."""

    template_name = "counter.html"
    renderer = renderer

    def mount(self) -> None:
        super().mount()
        self.state["count"] = 0

    def on_probe(self) -> None:
        self.state["language"] = translation.get_language()
        self.state["yes"] = translation.gettext("Yes")


class AsyncLanguage(SyncLanguage):
    """An ``async def`` handler: it runs on the event loop."""

    async def on_probe(self) -> None:  # type: ignore[override]
        self.state["language"] = translation.get_language()
        self.state["yes"] = translation.gettext("Yes")


opened: list[Any] = []


class Queries(SyncLanguage):
    """A ``def`` handler that uses the ORM, and remembers its thread's database connection."""

    def on_probe(self) -> None:
        self.state["articles"] = Article.objects.count()
        opened.append(connections["default"])


@pytest.fixture(autouse=True)
def components() -> Any:
    registry = config().registry
    registry.register("sync-language")(SyncLanguage)
    registry.register("async-language")(AsyncLanguage)
    registry.register("queries")(Queries)
    yield
    registry.unregister("sync-language")
    registry.unregister("async-language")
    registry.unregister("queries")


def _message(name: str) -> str:
    return json.dumps({"component": name, "event": "probe"})


def _seen(response: Any) -> tuple[str, str]:
    assert response.status_code == 200, response.content
    state = json.loads(response.json()["state"])
    return state["language"], state["yes"]


@pytest.mark.parametrize("name", ["sync-language", "async-language"])
def test_accept_language_is_active_in_handlers_under_wsgi(name: str) -> None:
    response = Client().post(
        "/cf/event",
        _message(name),
        content_type="application/json",
        headers={**HEADERS, "Accept-Language": "fr"},
    )
    assert _seen(response) == ("fr", "Oui")


@pytest.mark.parametrize("name", ["sync-language", "async-language"])
def test_the_language_cookie_is_active_in_handlers_under_wsgi(name: str) -> None:
    client = Client()
    client.cookies["django_language"] = "de"
    response = client.post(
        "/cf/event", _message(name), content_type="application/json", headers=HEADERS
    )
    assert _seen(response) == ("de", "Ja")


@pytest.mark.parametrize("name", ["sync-language", "async-language"])
async def test_accept_language_is_active_in_handlers_under_asgi(name: str) -> None:
    response = await AsyncClient().post(
        "/cf/event",
        _message(name),
        content_type="application/json",
        headers={**HEADERS, "Accept-Language": "fr"},
    )
    assert _seen(response) == ("fr", "Oui")


@pytest.mark.parametrize("name", ["sync-language", "async-language"])
async def test_the_language_is_active_in_handlers_over_channels(name: str) -> None:
    application = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    for headers, expected in (
        ([(b"accept-language", b"fr")], ("fr", "Oui")),
        ([(b"cookie", b"django_language=de")], ("de", "Ja")),
        ([], ("en", "Yes")),
    ):
        communicator = WebsocketCommunicator(application, "/cf/ws", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(
            text_data=json.dumps({"type": "component_event", "component": name, "event": "probe"})
        )
        reply = json.loads(await communicator.receive_from())
        await communicator.disconnect()
        assert reply["type"] == "component_update", reply
        state = json.loads(reply["state"])
        assert (state["language"], state["yes"]) == expected


def test_the_default_language_without_a_preference() -> None:
    response = Client().post(
        "/cf/event", _message("sync-language"), content_type="application/json", headers=HEADERS
    )
    assert _seen(response) == ("en", "Yes")


def _post_queries(client: Any) -> Any:
    return client.post(
        "/cf/event",
        json.dumps({"component": "queries", "event": "probe"}),
        content_type="application/json",
        headers=HEADERS,
    )


def test_connections_opened_in_the_worker_thread_are_closed_under_wsgi() -> None:
    """As Django closes a request's connections (``CONN_MAX_AGE = 0``), not left per thread."""
    opened.clear()
    for _ in range(2):
        assert _post_queries(Client()).status_code == 200
    assert len(opened) == 2
    assert [wrapper.connection for wrapper in opened] == [None, None]


async def test_connections_opened_in_the_worker_thread_are_closed_under_asgi() -> None:
    opened.clear()
    for _ in range(2):
        assert (await _post_queries(AsyncClient())).status_code == 200
    assert len(opened) == 2
    assert [wrapper.connection for wrapper in opened] == [None, None]


def _stream(client: Any) -> Any:
    return client.post(
        "/cf/stream",
        json.dumps({"component": "sync-language", "event": "probe"}),
        content_type="application/json",
        headers={**HEADERS, "Accept-Language": "fr"},
    )


def _last_state(chunks: list[Any]) -> tuple[str, str]:
    body = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode()
    frames = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    state = json.loads(frames[-1]["state"])
    return state["language"], state["yes"]


def test_the_language_is_active_in_a_stream_under_wsgi() -> None:
    response = _stream(Client())
    assert _last_state(list(response.streaming_content)) == ("fr", "Oui")
    # Collected now, so a generator the stream left unfinished on its loop warns in this test
    # ("coroutine method 'aclose' ... was never awaited"), not in whichever test runs next.
    gc.collect()


async def test_the_language_is_active_in_a_stream_under_asgi() -> None:
    response = await _stream(AsyncClient())
    chunks = [chunk async for chunk in response.streaming_content]
    assert _last_state(chunks) == ("fr", "Oui")
