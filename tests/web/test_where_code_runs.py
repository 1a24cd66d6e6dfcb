"""No user code of a sync component runs on the event loop over HTTP, SSE or WebSocket."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import ComponentRegistry
from component_framework.web import ComponentApp

from .conftest import HEADERS, event


def test_every_transport_runs_sync_components_off_the_loop(
    fresh_registry: ComponentRegistry, watched: Callable[..., Any]
) -> None:
    watch = watched(fresh_registry)
    app = ComponentApp(registry=fresh_registry)
    with TestClient(Starlette(routes=[app.mount()])) as client:
        first = client.post("/cf/event", json={"component": "watched"}, headers=HEADERS).json()
        reply = client.post(
            "/cf/event", json=event(first, "watched", "go", {"amount": 2}), headers=HEADERS
        ).json()
        assert reply["optimistic"] == {"go|": {"count": 3}}
        streamed = client.post("/cf/stream", json=event(reply, "watched", "go"), headers=HEADERS)
        frame = json.loads(streamed.text.removeprefix("data: "))
        assert frame["optimistic"] == {"go|": {"count": 4}}
        with client.websocket_connect("/cf/ws") as ws:
            ws.send_json(event(frame, "watched", "go"))
            over_socket = ws.receive_json()
        assert json.loads(over_socket["state"]) == {"count": 4}
        assert over_socket["optimistic"] == {"go|": {"count": 5}}
    assert set(watch.ran) == watch.hooks
    assert watch.ran.count("handler") == 3
    assert watch.on_loop == []
