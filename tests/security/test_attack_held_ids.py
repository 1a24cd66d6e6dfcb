"""Server-held state under ids an attacker can guess or claim first.

When the component id was the store's key, a first render overwrote whatever its id held: a
client that claimed ids first (a mount naming its own id gets a valid reference for it) read
the state of any page whose render later drew one of them. Now every render keeps its state
under a fresh random key of its own, so an id, claimed or drawn, never shares a state.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from component_framework.core import Component, InMemoryStateStore
from component_framework.core import state as state_module

from ._hostile import HEADERS, build_app, message

CLAIMED = "component-" + "ab" * 16


@pytest.fixture
def client(cf_defaults: None) -> Iterator[TestClient]:
    # Every component keeps its state on the server (restored afterwards).
    state_module.configure(InMemoryStateStore())
    _, app = build_app()
    with TestClient(app) as test_client:
        yield test_client


def _post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/cf/event", content=json.dumps(body), headers=HEADERS)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_server_issued_ids_carry_128_random_bits(client: TestClient) -> None:
    ids = {_post(client, {"component": "counter"})["component_id"] for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"component-[0-9a-f]{32}", cid) for cid in ids), ids


def test_an_id_a_client_claimed_first_is_never_handed_to_another_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _post(client, {"component": "counter", "component_id": CLAIMED})
    spy = _post(client, message(spy, "label", payload={"text": "spy"}))
    # The server's next generated id happens to be the claimed one (once).
    drawn = iter([CLAIMED])
    generate = Component._generate_id
    monkeypatch.setattr(Component, "_generate_id", lambda self: next(drawn, None) or generate(self))
    victim = _post(client, {"component": "counter"})  # a page's first render
    assert victim["component_id"] == CLAIMED  # the same id, yet a state of its own
    victim = _post(client, message(victim, "label", payload={"text": "victim-secret"}))
    assert "victim-secret" in victim["html"]
    # The spy's reference still reads only the spy's own state.
    seen = _post(client, message(spy, None))
    assert "victim-secret" not in seen["html"] and "spy" in seen["html"]
