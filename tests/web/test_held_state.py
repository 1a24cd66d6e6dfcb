"""Server-held state over HTTP: the page gets a signed reference, never the state."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from component_framework.core import state as state_module
from component_framework.core.state import InMemoryStateStore
from component_framework.web import ComponentApp

from .conftest import HEADERS, event
from .test_templates import attributes


@pytest.fixture
def store(cf_defaults: None) -> Iterator[InMemoryStateStore]:
    """The project default store for this test: every component keeps its state in it."""
    store = InMemoryStateStore()
    state_module.configure(store)
    yield store


def test_rendered_page_holds_a_reference(
    store: InMemoryStateStore, components: ComponentApp
) -> None:
    markup = components.render("counter", None, start=3)
    attrs = attributes(markup)
    cid = attrs["data-cf-id"]
    ref = json.loads(attrs["data-cf-state"])
    assert ref == {"component": "counter", "id": cid, "key": ref["key"], "version": 1}
    assert store.load(ref["key"]) == {"count": 3}
    # Optimistic patches are computed from the state, so they would reveal it: none are sent.
    assert "data-cf-optimistic" not in attrs
    assert '<b cf-text="count">3</b>' in markup


def test_events_over_http_keep_the_state_on_the_server(
    store: InMemoryStateStore,
    client: TestClient,
    mounted: Callable[..., dict[str, Any]],
) -> None:
    first = mounted("counter")
    response = client.post("/cf/event", json=event(first, "counter", "increment"), headers=HEADERS)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert json.loads(reply["state"])["version"] == 2
    assert "optimistic" not in reply
    assert 'Count: <b cf-text="count">1</b>' in reply["html"]
    assert store.load(json.loads(reply["state"])["key"]) == {"count": 1}
    store.clear()
    gone = client.post("/cf/event", json=event(reply, "counter", "increment"), headers=HEADERS)
    assert gone.status_code == 409
    assert gone.json()["code"] == "stale_state"
