"""A push_event the server runs carries the handler's effects as the page's own event would."""

from __future__ import annotations

import json

import pytest

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core._json import canonical_dumps
from component_framework.core._websocket_host import encode_text
from component_framework.core.exceptions import ComponentError
from component_framework.core.flash import FlashMessage, read_flash
from component_framework.core.signing import Signer
from component_framework.testing import ComponentTester

from ._support import Plain, subscribed_page

ZERO = canonical_dumps({"count": 0})


@pytest.fixture
def manager(fresh_registry: ComponentRegistry, signer: Signer) -> ComponentWebSocketManager:
    return ComponentWebSocketManager(registry=fresh_registry, signer=signer)


@pytest.fixture
def ran(fresh_registry: ComponentRegistry) -> list[str]:
    calls: list[str] = []

    @fresh_registry.register("board")
    class Board(Component):
        template_name = "board.html"
        renderer = Plain()

        def on_bump(self, quiet: bool = False) -> None:
            calls.append(self.id)
            self.state["count"] = self.state.get("count", 0) + 1
            if not quiet:
                self.flash("info", "A new item.")
                self.dispatch_browser_event("board:bumped", {"count": self.state["count"]})

        def on_mine(self) -> None:
            calls.append(self.id)
            self.dispatch_browser_event("board:mine", {"id": self.id})

        def on_leave(self) -> None:
            self.flash("success", "Moved.")
            self.redirect("/elsewhere")

        def on_tell(self) -> None:
            self.emit("refresh", to="nobody")

    return calls


async def test_every_page_of_a_shared_run_gets_its_effects(
    manager: ComponentWebSocketManager, signer: Signer, ran: list[str]
) -> None:
    pages = [await subscribed_page(manager, signer, n, ZERO, name="board") for n in range(3)]
    await manager.push_event("board", "bump", {})
    await manager.flush()
    assert len(ran) == 1  # one run for the three pages
    for page in pages:
        [message] = page.sent
        assert message["update"]["effects"] == [
            {"type": "flash", "level": "info", "text": "A new item."},
            {"type": "browser_event", "name": "board:bumped", "detail": {"count": 1}},
        ]
        assert json.loads(encode_text(message)) == message  # the shared text says the same
    # Without effects the update has no "effects" key, as any reply.
    await manager.push_event("board", "bump", {"quiet": True})
    await manager.flush()
    for page in pages:
        assert "effects" not in page.sent[-1]["update"]
        assert '"effects"' not in encode_text(page.sent[-1])


async def test_effects_naming_the_id_run_once_per_page(
    manager: ComponentWebSocketManager, signer: Signer, ran: list[str]
) -> None:
    pages = [await subscribed_page(manager, signer, n, ZERO, name="board") for n in range(3)]
    await manager.push_event("board", "mine", {})
    await manager.flush()
    # The probe run showed the id in an effect: the handler ran again for each page.
    assert sorted(ran[1:]) == ["board-0", "board-1", "board-2"]
    for n, page in enumerate(pages):
        [effect] = page.sent[-1]["update"]["effects"]
        assert effect["detail"] == {"id": f"board-{n}"}
        assert json.loads(encode_text(page.sent[-1])) == page.sent[-1]


async def test_a_flash_before_a_redirect_travels_signed_to_the_next_page(
    manager: ComponentWebSocketManager, signer: Signer, ran: list[str]
) -> None:
    page = await subscribed_page(manager, signer, 0, ZERO, name="board")
    await manager.push_event("board", "leave", {})
    await manager.flush()
    [flash, redirect] = page.sent[-1]["update"]["effects"]
    assert flash == {"type": "flash", "level": "success", "text": "Moved."}
    assert redirect["type"] == "redirect" and redirect["url"] == "/elsewhere"
    assert read_flash(redirect["flash"], signer) == [FlashMessage("success", "Moved.")]


async def test_an_emit_the_app_cannot_deliver_is_each_pages_error(
    manager: ComponentWebSocketManager,
    signer: Signer,
    ran: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    pages = [await subscribed_page(manager, signer, n, ZERO, name="board") for n in range(2)]
    await manager.push_event("board", "tell", {})
    await manager.flush()
    for page in pages:
        [message] = page.sent
        assert "update" not in message
        assert message["error"]["code"] == "bad_effect"  # the code's mistake: a 500
        assert "nobody" not in json.dumps(message)  # the detail is logged, not sent
    assert "not a registered component" in caplog.text


def test_component_tester_push_shows_the_effects(
    fresh_registry: ComponentRegistry, ran: list[str]
) -> None:
    tester = ComponentTester("board", registry=fresh_registry)
    tester.push("bump")
    tester.assert_state(count=1)
    tester.assert_flash("A new item.", level="info")
    tester.assert_browser_event("board:bumped", {"count": 1})
    tester.push("mine")
    assert tester.browser_events == [("board:mine", {"id": tester.component_id})]
    tester.push("bump", quiet=True)
    tester.assert_no_effects()
    tester.push("leave")
    tester.assert_redirect("/elsewhere").assert_flash("Moved.")
    with pytest.raises(ComponentError) as refused:  # as the page gets it; the log has the detail
        tester.push("tell")
    assert refused.value.code == "bad_effect"
