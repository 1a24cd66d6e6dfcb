"""Hostile pages and failing handlers against push_event run on the server.

The server runs a pushed event only from a state it signed and sent itself; a page that lies
about its state, a handler that fails for some states, a page that leaves mid-push and a storm
of pushes each leave every other page correct, and what the server remembers bounded.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core._json import canonical_dumps
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer
from tests.core._support import FakeConnection


class Shown(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('mode')}:{context['state'].get('n')}</p>"


@pytest.fixture
def manager(fresh_registry: ComponentRegistry, signer: Signer) -> ComponentWebSocketManager:
    @fresh_registry.register("panel")
    class Panel(Component):
        template_name = "p.html"
        renderer = Shown()
        live = True

        def on_bump(self, n: int) -> None:
            if self.state.get("mode") == "broken":
                raise RuntimeError("secret detail of the failure")
            self.state["n"] = n

    return ComponentWebSocketManager(registry=fresh_registry, signer=signer)


async def _subscribe(
    manager: ComponentWebSocketManager, page: FakeConnection, n: int, state: str, checksum: str
) -> None:
    await manager.connect(page, f"conn-{n}")
    cid = f"panel-{n}"
    token = manager.signer.subscription_token("panel", cid)
    message = {"type": "subscribe", "component_id": cid, "token": token}
    await manager.handle_message(
        page, f"conn-{n}", {**message, "state": state, "checksum": checksum}
    )
    assert page.sent.pop()["type"] == "subscribed"


def _mode(mode: str, n: int = 0) -> str:
    return canonical_dumps({"mode": mode, "n": n})


async def test_a_page_that_lies_about_its_state_gets_no_run_from_it(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    honest, liar, borrower = FakeConnection(), FakeConnection(), FakeConnection()
    await _subscribe(manager, honest, 0, _mode("a"), signer.sign("panel", "panel-0", _mode("a")))
    # A state it made up, with a made-up checksum; and a state signed for another page's id.
    await _subscribe(manager, liar, 1, _mode("admin"), "1:" + "0" * 64)
    await _subscribe(manager, borrower, 2, _mode("a"), signer.sign("panel", "panel-0", _mode("a")))
    await manager.push_event("panel", "bump", {"n": 5})
    await manager.flush()
    assert honest.sent[-1]["update"]["html"] == "<p>a:5</p>"
    for page, cid in ((liar, "panel-1"), (borrower, "panel-2")):
        # Not run from what it claimed: it answers the push itself, and its own request
        # is checked as usual.
        assert page.sent == [
            {"type": "push_event", "component_id": cid, "event": "bump", "payload": {"n": 5}}
        ]
        forged = {
            "type": "component_event",
            "component": "panel",
            "component_id": "panel-1",
            "event": "bump",
            "payload": {"n": 5},
            "state": _mode("admin"),
            "checksum": "1:" + "0" * 64,
        }
    await manager.handle_message(liar, "conn-1", forged)
    assert liar.sent[-1]["type"] == "error" and liar.sent[-1]["code"] == "tampered_state"
    await manager.push_event("panel", "bump", {"n": 6})
    await manager.flush()
    assert "update" not in liar.sent[-1]
    assert honest.sent[-1]["update"]["html"] == "<p>a:6</p>"


async def test_a_handler_that_fails_for_one_state_fails_only_those_pages(
    manager: ComponentWebSocketManager, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    pages = [FakeConnection() for _ in range(6)]
    modes = ["ok", "broken"] * 3
    for n, (page, mode) in enumerate(zip(pages, modes, strict=True)):
        await _subscribe(
            manager, page, n, _mode(mode), signer.sign("panel", f"panel-{n}", _mode(mode))
        )
    with caplog.at_level(logging.ERROR, logger="component_framework"):
        await manager.push_event("panel", "bump", {"n": 3})
        await manager.flush()
    for page, mode in zip(pages, modes, strict=True):
        [message] = page.sent
        if mode == "ok":
            assert message["update"]["html"] == "<p>ok:3</p>"
        else:
            assert "update" not in message
            assert message["error"]["code"] == "handler_error"  # as its own event would get
            assert "secret detail" not in json.dumps(message)
    failures = [r for r in caplog.records if "secret detail" in (r.exc_text or str(r.exc_info))]
    assert len(failures) == 1  # one run for the three broken pages, logged once
    assert all(n in manager.connections for n in (f"conn-{i}" for i in range(6)))


async def test_a_page_that_leaves_mid_push_affects_no_other(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    pages = [FakeConnection() for _ in range(5)]
    for n, page in enumerate(pages):
        await _subscribe(
            manager, page, n, _mode("a"), signer.sign("panel", f"panel-{n}", _mode("a"))
        )
    pages[2].broken = True  # its socket is gone when the push is sent
    await manager.push_event("panel", "bump", {"n": 1})
    await manager.disconnect("conn-3")  # and this one leaves while the push is on its way
    await manager.flush()
    for n in (0, 1, 4):
        assert pages[n].sent[-1]["update"]["html"] == "<p>a:1</p>"
    await asyncio.sleep(0)
    assert "conn-2" not in manager.connections and "conn-3" not in manager.connections
    assert manager.subscriptions_of("panel-2") == manager.subscriptions_of("panel-3") == []
    remembered = manager._connections.known_bytes()
    await manager.push_event("panel", "bump", {"n": 2})
    await manager.flush()
    assert pages[0].sent[-1]["update"]["html"] == "<p>a:2</p>"
    assert manager._connections.known_bytes() == remembered  # 3 pages, one state each


async def test_a_push_storm_leaves_every_page_in_the_last_state_and_memory_flat(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    # Scaled down from 100 pushes a second at 1,000 pages (bench/push_fanout.py runs that).
    pages = [FakeConnection() for _ in range(50)]
    for n, page in enumerate(pages):
        mode = f"m{n % 3}"
        await _subscribe(
            manager, page, n, _mode(mode), signer.sign("panel", f"panel-{n}", _mode(mode))
        )
    sizes = []
    for burst in range(4):
        for k in range(25):
            await manager.push_event("panel", "bump", {"n": burst * 25 + k})
        await manager.flush()
        sizes.append(manager._connections.known_bytes())
    for n, page in enumerate(pages):
        assert len(page.sent) == 100
        last = page.sent[-1]["update"]
        assert last["html"] == f"<p>m{n % 3}:99</p>"
        signer.verify("panel", f"panel-{n}", last["state"], last["checksum"])
    assert len(set(sizes)) == 1  # one remembered state per page, whatever the pushes
    assert len(manager.connections) == 50
