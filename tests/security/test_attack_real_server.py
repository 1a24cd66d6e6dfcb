"""Issue 20's fixes attacked as an anonymous browser client would, against uvicorn and SQLite.

The app (``hostile_app.py``) runs in its own uvicorn process; the attacks go over real HTTP
and real WebSockets: events without state on every transport, a flood of first renders (served
within the store's budget by evicting the oldest states), and a member whose access is revoked
while the page stays subscribed.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.browser.conftest import serve_app

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
BUDGET = 200_000


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    database = tmp_path / "state.db"
    env = {"CF_TEST_STATE_DB": str(database), "CF_TEST_MAX_BYTES": str(BUDGET)}
    with serve_app("tests.security.hostile_app:app", env=env) as base:
        yield base, database


def _rows(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as db:
        count: int = db.execute("SELECT count(*) FROM cf_state").fetchone()[0]
    return count


async def _ask(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps({**message, "ref": "r"}))
    while True:
        reply: dict[str, Any] = json.loads(await ws.recv())
        if reply.get("ref") == "r":
            return reply


async def test_events_without_state_are_refused_on_every_transport(
    served: tuple[str, Path],
) -> None:
    base, database = served
    stateless = {"component": "notes", "event": "add", "payload": {"text": "x" * 500_000}}
    async with httpx.AsyncClient(base_url=base, headers=HEADERS) as http:
        for path in ("/cf/event", "/cf/stream"):
            refused = await http.post(path, content=json.dumps(stateless))
            assert refused.status_code == 400
    async with connect(base.replace("http", "ws") + "/cf/ws", max_size=None) as ws:
        reply = await _ask(ws, {"type": "component_event", **stateless})
        assert reply["code"] == "bad_message"
        # The socket stays usable: a mount is still a first render.
        mounted = await _ask(ws, {"type": "component_event", "component": "notes"})
        assert mounted["type"] == "component_update"
    assert _rows(database) == 1


async def test_a_flood_of_first_renders_stays_within_the_budget_and_is_served(
    served: tuple[str, Path],
) -> None:
    base, database = served
    async with httpx.AsyncClient(base_url=base, headers=HEADERS) as http:
        victim = (await http.post("/cf/event", content=json.dumps({"component": "notes"}))).json()
        async with connect(base.replace("http", "ws") + "/cf/ws") as ws:
            for n in range(3000):  # first renders over the socket, as fast as it answers
                reply = await _ask(ws, {"type": "component_event", "component": "notes"})
                assert reply["type"] == "component_update", reply
                if n % 300 == 0:  # the page served before goes on, its state growing
                    event = {
                        "component": "notes",
                        "component_id": victim["component_id"],
                        "event": "add",
                        "payload": {"text": f"note {n}"},
                        "state": victim["state"],
                        "checksum": victim["checksum"],
                    }
                    response = await http.post("/cf/event", content=json.dumps(event))
                    assert response.status_code == 200, response.text[:300]
                    victim = response.json()
        with contextlib.closing(sqlite3.connect(database)) as db:
            held = db.execute("SELECT bytes FROM cf_state_usage").fetchone()[0]
        assert BUDGET * 0.9 < held <= BUDGET  # full, and no more: the oldest were evicted
        assert _rows(database) < 3000
        assert victim["html"] == "<p>10</p>"


async def test_a_revoked_member_gets_no_more_pushes_on_an_open_socket(
    served: tuple[str, Path],
) -> None:
    base, _ = served
    sockets = {}
    async with httpx.AsyncClient(base_url=base, headers=HEADERS) as http:
        for user in ("alice", "bob"):
            render = await http.post(
                "/cf/event", content=json.dumps({"component": "news"}), headers={"X-User": user}
            )
            page = render.json()
            ws = await connect(
                base.replace("http", "ws") + "/cf/ws", additional_headers={"X-User": user}
            )
            subscribe = {
                "type": "subscribe",
                "component_id": page["component_id"],
                "token": page["subscribe_token"],
            }
            assert (await _ask(ws, subscribe))["type"] == "subscribed"
            sockets[user] = ws
        await http.post("/revoke?user=bob")
        await http.post("/push?text=members-only")
        pushed = json.loads(await sockets["alice"].recv())
        assert pushed["html"] == "<p>members-only0</p>"
        told = json.loads(await sockets["bob"].recv())
        assert (told["type"], told["code"]) == ("unsubscribed", "permission_denied")
        await http.post("/push?text=more")
        assert json.loads(await sockets["alice"].recv())["html"] == "<p>more0</p>"
        # Bob's next message is the reply to his own request: no push reached him since.
        await sockets["bob"].send(json.dumps({"type": "unsubscribe", "component_id": "x"}))
        assert json.loads(await sockets["bob"].recv()) == {
            "type": "unsubscribed",
            "component_id": "x",
        }
        for ws in sockets.values():
            await ws.close()
