"""A connection's outbox: pushes sent in order, never waited on, a page that fails dropped."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from component_framework.core._outbox import Outbox

from ._support import FakeConnection

eager_only = pytest.mark.skipif(
    sys.version_info < (3, 12), reason="eager tasks (asyncio.Task(eager_start=True)) are 3.12+"
)


class GatedConnection(FakeConnection):
    """A page whose socket is full until ``gate`` is set: each send waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def send(self, data: dict[str, Any]) -> None:
        await self.gate.wait()
        await super().send(data)


def outbox_for(connection: FakeConnection, drops: list[str], send_timeout: float = 5) -> Outbox:
    return Outbox(
        connection,
        max_messages=8,
        send_timeout=send_timeout,
        on_drop=lambda: drops.append("dropped"),
    )


async def test_pushes_to_a_page_whose_socket_is_full_wait_and_arrive_in_order() -> None:
    page, drops = GatedConnection(), []
    outbox = outbox_for(page, drops)
    for n in range(3):
        assert outbox.put({"n": n}) is True  # never waits, though the page cannot take it
    await asyncio.sleep(0.01)
    assert page.sent == []
    page.gate.set()
    await outbox.idle()
    assert page.sent == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert drops == []


async def test_a_page_whose_first_send_never_finishes_is_dropped_after_the_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    page, drops = GatedConnection(), []
    outbox = outbox_for(page, drops, send_timeout=0.05)
    assert outbox.put({"n": 1}) is True
    outbox.put({"n": 2})
    await asyncio.wait_for(outbox.idle(), 5)
    assert drops == ["dropped"]
    assert "a send took over 0.05s" in caplog.text
    assert outbox.put({"n": 3}) is False


@eager_only
async def test_a_push_to_a_page_that_reads_is_sent_before_put_returns() -> None:
    page, drops = FakeConnection(), []
    outbox = outbox_for(page, drops)
    assert outbox.put({"n": 1}) is True
    assert page.sent == [{"n": 1}]  # no writer task was left to schedule
    assert len(outbox) == 0


@eager_only
async def test_a_send_that_fails_at_once_drops_the_page_before_put_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    page, drops = FakeConnection(broken=True), []
    outbox = outbox_for(page, drops)
    assert outbox.put({"n": 1}) is False
    assert drops == ["dropped"]
    assert outbox.put({"n": 2}) is False  # a dropped page takes nothing more
    assert drops == ["dropped"]
    assert "send failed (ConnectionError)" in caplog.text
