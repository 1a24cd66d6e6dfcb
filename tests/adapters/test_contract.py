"""One contract, every adapter: the same messages get the same replies and statuses.

Starlette (``ComponentApp``), FastAPI (``ComponentApp`` mounted), Django under WSGI (its test
``Client``) and ASGI (``AsyncClient``) and Litestar (``create_router``) all serve the example
Django site's components with the same signer; each case is sent through each of them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import AsyncClient, Client
from fastapi import FastAPI
from fastapi.testclient import TestClient as FastAPIClient
from litestar import Litestar
from litestar.testing import TestClient as LitestarClient
from starlette.applications import Starlette
from starlette.testclient import TestClient as StarletteClient

from component_framework.core.protocol import signed_message
from component_framework.django._config import config
from component_framework.litestar import create_router
from component_framework.web import ComponentApp

Post = Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]
HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}


@pytest.fixture(scope="module")
def adapters() -> Iterator[dict[str, Post]]:
    """name -> post(path, body, headers) returning (status, body), for every adapter."""
    settings = config()
    options = {"registry": settings.registry, "signer": settings.signer}
    starlette = StarletteClient(Starlette(routes=[ComponentApp(**options).mount()]))
    fastapi_app = FastAPI()
    fastapi_app.mount("/cf", ComponentApp(**options))
    fastapi = FastAPIClient(fastapi_app)
    litestar = LitestarClient(Litestar(route_handlers=[create_router(**options)]))
    django_wsgi = Client()
    django_asgi = AsyncClient()

    def over(client: Any) -> Post:
        def post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
            response = client.post(path, content=body, headers=headers)
            return response.status_code, response.content

        return post

    def wsgi(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        extra = {k: v for k, v in headers.items() if k != "Content-Type"}
        content_type = headers.get("Content-Type", "")
        response = django_wsgi.post(path, body, content_type=content_type, headers=extra)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, content

    def asgi(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        extra = {k: v for k, v in headers.items() if k != "Content-Type"}
        content_type = headers.get("Content-Type", "")

        async def send() -> tuple[int, bytes]:
            response = await django_asgi.post(path, body, content_type=content_type, headers=extra)
            if response.streaming:
                chunks = [chunk async for chunk in response.streaming_content]
                return response.status_code, b"".join(chunks)
            return response.status_code, response.content

        return asyncio.run(send())

    with starlette, fastapi, litestar:
        yield {
            "starlette": over(starlette),
            "fastapi": over(fastapi),
            "django-wsgi": wsgi,
            "django-asgi": asgi,
            "litestar": over(litestar),
        }


def _counter(**changes: Any) -> dict[str, Any]:
    message = signed_message(
        "counter", "increment", {"amount": 2}, {"count": 3}, component_id="component-contract"
    )
    return {**message, **changes}


CASES: dict[str, tuple[str, Any, dict[str, str]]] = {
    "valid event": ("event", _counter(), HEADERS),
    "first render": ("event", {"component": "counter", "component_id": "c-1"}, HEADERS),
    "tampered state": ("event", _counter(state='{"count":1000}'), HEADERS),
    "unknown event": ("event", _counter(event="explode"), HEADERS),
    "private event": ("event", _counter(event="_secret"), HEADERS),
    "bad payload": ("event", _counter(payload={"amount": {"x": 1}}), HEADERS),
    "unknown component": ("event", {"component": "nope"}, HEADERS),
    "forbidden user": ("event", {"component": "greeting", "event": "wave"}, HEADERS),
    "bad JSON": ("event", b'{"component": ', HEADERS),
    "oversize body": ("event", b'{"component": "' + b"x" * (1024 * 1024) + b'"}', HEADERS),
    "wrong content type": ("event", _counter(), {**HEADERS, "Content-Type": "text/plain"}),
    "no X-CF-Request": ("event", _counter(), {"Content-Type": "application/json"}),
    "stream": (
        "stream",
        {"component": "steps", "component_id": "s-1", "event": "run", "payload": {"count": 2}},
        HEADERS,
    ),
    "stream refused": ("stream", {"component": "greeting", "event": "wave"}, HEADERS),
}

EXPECTED_STATUS = {
    "valid event": 200,
    "first render": 200,
    "tampered state": 403,
    "unknown event": 404,
    "private event": 404,
    "bad payload": 400,
    "unknown component": 404,
    "forbidden user": 401,
    "bad JSON": 400,
    "oversize body": 413,
    "wrong content type": 415,
    "no X-CF-Request": 400,
    "stream": 200,
    "stream refused": 401,
}


def _decode(path: str, body: bytes) -> Any:
    text = body.decode()
    if path == "stream" and text.startswith("data: "):
        return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    return json.loads(text)


@pytest.mark.parametrize("case", list(CASES))
def test_every_adapter_gives_the_same_reply(case: str, adapters: dict[str, Post]) -> None:
    path, message, headers = CASES[case]
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    replies = {}
    for name, post in adapters.items():
        status, content = post(f"/cf/{path}", body, headers)
        replies[name] = (status, _decode(path, content))
    expected = replies["starlette"]
    assert expected[0] == EXPECTED_STATUS[case], expected
    for name, reply in replies.items():
        assert reply == expected, f"{name} differs from starlette on {case!r}"
