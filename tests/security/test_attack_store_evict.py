"""A client filling a store cannot fail other users' requests (uvicorn, SQLite and Redis).

An anonymous client mounting pages and growing their states used to fill a store's budget
(at 200 KB, 31 requests); from then on other users' pages got 503 ``store_full`` at their next
growing event and new visitors got 503 at their first render, until the states expired a day
later. Now a write the budget cannot take evicts the states written longest ago: every request
is served, the store stays within its budget, and a page whose state was evicted gets the
recovery path at its next event (``stale_state``, then a remount from its signed mount
parameters), as after an expiry.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._redis import RedisServer
from tests.browser.conftest import serve_app

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
BUDGET = 200_000
NOTE = "x" * 20_000  # what one attacker event adds to a state


@pytest.fixture(params=["sqlite", "redis"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The hostile app under uvicorn, its ``notes`` kept in SQLite or Redis at a 200 KB budget."""
    env = {"CF_TEST_STATE_DB": str(tmp_path / "state.db"), "CF_TEST_MAX_BYTES": str(BUDGET)}
    if request.param == "sqlite":
        with serve_app("tests.security.hostile_app:app", env=env) as base:
            yield base
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        with serve_app(
            "tests.security.hostile_app:app", env={**env, "CF_TEST_STATE_URL": server.url}
        ) as base:
            yield base
    finally:
        server.stop()


async def _post(http: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await http.post("/cf/event", content=json.dumps(body))


def _event(page: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "component": "notes",
        "component_id": page["component_id"],
        "event": "add",
        "payload": {"text": text},
        "state": page["state"],
        "checksum": page["checksum"],
    }


async def _attack(http: httpx.AsyncClient, pages: int) -> None:
    """Mount pages and grow each state by two 20 KB notes, as an anonymous client can."""
    for _ in range(pages):
        page = await _post(http, {"component": "notes"})
        assert page.status_code == 200, page.text[:300]
        for _ in range(2):
            page = await _post(http, _event(page.json(), NOTE))
            assert page.status_code == 200, page.text[:300]


def _root(page: str) -> dict[str, str]:
    """The ``data-cf-*`` attributes of the component root in a page's HTML."""
    start = page.index("<div")
    found = re.findall(r'(data-cf-[a-z-]+)="([^"]*)"', page[start : page.index(">", start)])
    return {name: html.unescape(value) for name, value in found}


async def test_a_full_store_serves_the_held_page_and_the_new_visitor(served: str) -> None:
    async with httpx.AsyncClient(base_url=served, headers=HEADERS) as http:
        await _attack(http, pages=6)  # 240 KB written: the budget is full
        visitor = await _post(http, {"component": "notes"})  # a new visitor's first render
        assert visitor.status_code == 200, visitor.text[:300]
        page = await http.get("/page")  # and a new visitor's page embedding the component
        assert page.status_code == 200, page.text[:300]
        assert "data-cf-state" in _root(page.text) and "data-cf-error" not in page.text
        await _attack(http, pages=1)  # the store stays full
        held = visitor.json()
        for n in range(3):  # the visitor's page goes on, its state growing
            reply = await _post(http, _event(held, f"note {n} " + "y" * 5_000))
            assert reply.status_code == 200, reply.text[:300]
            held = reply.json()
        assert held["html"] == "<p>3</p>"


async def test_a_page_whose_state_was_evicted_recovers_by_remount(served: str) -> None:
    async with httpx.AsyncClient(base_url=served, headers=HEADERS) as http:
        root = _root((await http.get("/page")).text)  # a user's page, open before the attack
        page = {
            "component_id": root["data-cf-id"],
            "state": root["data-cf-state"],
            "checksum": root["data-cf-checksum"],
        }
        await _attack(http, pages=12)  # 480 KB written: the oldest states were evicted
        evicted = await _post(http, _event(page, "typed"))
        assert evicted.status_code == 409, evicted.text[:300]
        assert evicted.json()["code"] == "stale_state"  # what cf.js answers with a remount
        remount = {
            "component": "notes",
            "component_id": root["data-cf-id"],
            "event": None,
            "mount": root["data-cf-mount"],
            "mount_checksum": root["data-cf-mount-checksum"],
        }
        mounted = await _post(http, remount)
        assert mounted.status_code == 200, mounted.text[:300]
        replayed = await _post(http, _event(mounted.json(), "typed"))
        assert replayed.status_code == 200, replayed.text[:300]
        assert replayed.json()["html"] == "<p>1</p>"
