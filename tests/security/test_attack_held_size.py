"""Server-held state has the same size limit as state held in the page.

State held in the page is refused beyond ``StateSerializer.max_bytes`` (512 KB) when the reply
is signed. Server-held state never reached that check: the reply carries only the reference, so
a handler that keeps what a client sends (a cart line, a note, a todo item) let one anonymous
page grow its stored state without bound, a message at a time, in the store's memory or file,
and every later event read, copied and wrote all of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jinja2
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry, InMemoryStateStore
from component_framework.core.component import StateSerializer
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.signing import Signer
from component_framework.web import ComponentApp

from ._hostile import HEADERS, KEY, message

RENDERER = JinjaRenderer(
    loader=jinja2.DictLoader({"notes.html": "<p>{{ state.notes|length }}</p>"})
)
CHUNK = 200 * 1024


def _app(store: InMemoryStateStore, asynchronous: bool) -> Starlette:
    registry = ComponentRegistry()

    class Notes(Component):
        template_name = "notes.html"
        renderer = RENDERER
        state_store = store

        def mount(self) -> None:
            super().mount()
            self.state["notes"] = []

    if asynchronous:

        async def on_add(self: Notes, text: str) -> None:
            self.state["notes"].append(text)

    else:

        def on_add(self: Notes, text: str) -> None:
            self.state["notes"].append(text)

    Notes.on_add = on_add  # type: ignore[attr-defined]
    registry.register("notes")(Notes)
    components = ComponentApp(registry=registry, signer=Signer([KEY]))
    return Starlette(routes=[components.mount()])


@pytest.fixture(params=["def", "async def"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[InMemoryStateStore, TestClient]]:
    store = InMemoryStateStore()
    with TestClient(_app(store, request.param == "async def")) as client:
        yield store, client


def _post(client: TestClient, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post(path, content=json.dumps(body), headers=HEADERS)
    if path == "/cf/stream" and response.headers["content-type"].startswith("text/event-stream"):
        frames = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        reply = json.loads(frames[-1])
        return (200 if reply["type"] != "error" else 413), reply
    return response.status_code, dict(response.json())


@pytest.mark.parametrize("path", ["/cf/event", "/cf/stream"])
def test_a_page_cannot_grow_its_server_held_state_past_the_limit(
    served: tuple[InMemoryStateStore, TestClient], path: str
) -> None:
    store, client = served
    status, reply = _post(client, path, {"component": "notes"})
    assert status == 200
    cid = reply["component_id"]
    refused = 0
    for _ in range(6):  # 1.2 MB sent in all, each message under the 1 MB message limit
        status, answer = _post(
            client, path, message(reply, "add", component="notes", payload={"text": "x" * CHUNK})
        )
        if status == 200:
            reply = answer
        else:
            assert status == 413 and answer["code"] == "too_large", answer
            refused += 1
    held = len(json.dumps(store.load(cid)))
    assert held <= StateSerializer.max_bytes, f"{held:,} bytes held for one anonymous page"
    assert refused == 4  # two notes fit in 512 KB, the third would not
    # The page keeps working with the state it had.
    status, answer = _post(client, path, message(reply, None, component="notes"))
    assert status == 200 and answer["html"] == "<p>2</p>"
