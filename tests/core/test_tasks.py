"""Background tasks: started after the reply, their result handled as the page's event."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import weakref
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core._reply import http_status
from component_framework.core.config import AppConfig
from component_framework.core.exceptions import EffectError, TaskLimitError
from component_framework.core.protocol import handle_message, signed_message
from component_framework.core.signing import Signer
from component_framework.core.tasks import runner_of
from component_framework.testing import ComponentTester
from tests._redis import RedisServer

from ._support import FakeConnection, Plain, subscribed_page

_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = (
    weakref.WeakKeyDictionary()
)


def gate() -> asyncio.Event:
    """What slow tasks wait for: one per test (each has its own loop)."""
    return _gates.setdefault(asyncio.get_running_loop(), asyncio.Event())


async def slow_preview(url: str) -> dict[str, str]:
    await gate().wait()
    return {"title": f"Preview of {url}"}


def sync_preview(url: str) -> dict[str, str]:
    return {"title": f"Sync preview of {url}"}


async def broken(url: str) -> None:
    raise RuntimeError("secret database password in this text")


async def forever() -> None:
    await asyncio.Event().wait()


class Link(Component):
    renderer = Plain()
    template_name = "link.html"
    max_tasks = 2

    def mount(self) -> None:
        self.state = {"count": 0, "title": "", "error": ""}

    def on_share(self, url: str, how: str = "async") -> None:
        self.state["count"] += 1
        work = {"async": slow_preview, "sync": sync_preview, "broken": broken}[how]
        self.start_task(work, url, event="preview_ready")

    def on_hang(self) -> None:
        self.start_task(forever, event="preview_ready", timeout=0.05)

    def on_preview_ready(self, result: dict[str, str]) -> None:
        self.state["title"] = result["title"]

    def on_preview_ready_error(self, error: str) -> None:
        self.state["error"] = error


class Bare(Component):
    renderer = Plain()
    template_name = "bare.html"

    def mount(self) -> None:
        self.state = {"count": 0}

    def on_go(self) -> None:
        self.start_task(broken, "x", event="done")

    def on_bad(self, kind: str) -> None:
        if kind == "coroutine":
            self.start_task(slow_preview("x"), event="done")  # type: ignore[arg-type]
        elif kind == "event":
            self.start_task(sync_preview, "x", event="nothing")
        else:
            self.start_task(sync_preview, "x", event="done", timeout=0)

    def on_done(self, result: Any) -> None:
        self.state["count"] = 99

    def mount_task(self) -> None:
        self.start_task(sync_preview, "x", event="done")


# ---------- ComponentTester ----------


def test_a_tester_sees_the_task_and_runs_it_into_the_handler() -> None:
    tester = ComponentTester(Link).call("share", url="https://a.example", how="sync")
    tester.assert_task_started("preview_ready").assert_state(count=1, title="")
    assert [(t.event, t.args) for t in tester.tasks] == [("preview_ready", ("https://a.example",))]
    tester.run_tasks().assert_state(title="Sync preview of https://a.example")
    assert tester.tasks == []
    with pytest.raises(AssertionError, match="No background task"):
        tester.assert_task_started("preview_ready")


def test_a_failed_task_reaches_the_error_handler_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tester = ComponentTester(Link).call("share", url="u", how="broken")
    with caplog.at_level(logging.ERROR, "component_framework"):
        tester.run_tasks()
    tester.assert_state(error="failed", title="")
    assert "secret database password" in caplog.text  # logged, with its traceback
    assert "secret" not in json.dumps(tester.reply)


def test_a_task_that_never_ends_is_cancelled_and_reported() -> None:
    ComponentTester(Link).call("hang").run_tasks().assert_state(error="timeout")


def test_a_failed_task_without_error_handler_is_an_error() -> None:
    tester = ComponentTester(Bare).call("go")
    with pytest.raises(Exception, match="failed") as failure:
        tester.run_tasks()
    assert getattr(failure.value, "code", None) == "task_failed"


def test_more_tasks_than_the_bound_are_refused() -> None:
    tester = ComponentTester(Link).call("share", url="1").call("share", url="2")
    with pytest.raises(TaskLimitError, match="already runs 2 background tasks"):
        tester.call("share", url="3")
    assert len(tester.tasks) == 2


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("coroutine", "not a coroutine"),
        ("event", "names no handler; define on_nothing"),
        ("timeout", "timeout must be a positive number"),
    ],
)
def test_bad_start_task_calls_are_clear_errors(kind: str, message: str) -> None:
    with pytest.raises(EffectError, match=message):
        ComponentTester(Bare).call("bad", kind=kind)


def test_no_task_starts_on_a_first_render() -> None:
    class Eager(Bare):
        def mount(self) -> None:
            super().mount()
            self.mount_task()

    with pytest.raises(EffectError, match="first render"):
        ComponentTester(Eager)


# ---------- Through the WebSocket manager ----------


def _event(name: str, cid: str, signer: Signer, registry: ComponentRegistry, **payload: Any) -> Any:
    config = AppConfig(registry=registry, signer=signer)
    state = json.dumps({"count": 0, "title": "", "error": ""})
    message = signed_message(name, "share", payload, component_id=cid, config=config)
    message["state"], message["checksum"] = state, signer.sign(name, cid, state)
    return message


@pytest.fixture
def links(fresh_registry: ComponentRegistry) -> ComponentRegistry:
    fresh_registry.register("link")(Link)
    return fresh_registry


async def _wait_for(page: Any, kind: str = "push_event") -> dict[str, Any]:
    for _ in range(500):
        found = [m for m in page.sent if m.get("type") == kind]
        if found:
            return found[0]  # type: ignore[no-any-return]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {kind} in {page.sent}")


async def test_the_result_reaches_only_the_page_that_started_it(
    links: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=links, signer=signer)
    config = AppConfig(registry=links, signer=signer, ws_manager=manager)
    state = json.dumps({"count": 0, "title": "", "error": ""})
    page = await subscribed_page(manager, signer, 1, state, name="link")
    other = await subscribed_page(manager, signer, 2, state, name="link")
    # The event over the page's socket: the server knows the state its reply leaves there.
    message = _event("link", "link-1", signer, links, url="https://b.example")
    await manager.handle_message(page, "conn-1", message, config=config)
    [reply] = page.sent
    assert reply["type"] == "component_update" and runner_of(config).running("link-1") == 1
    gate().set()
    push = await _wait_for(page)
    await manager.flush()
    assert push["event"] == "preview_ready" and push["component_id"] == "link-1"
    assert push["payload"] == {"result": {"title": "Preview of https://b.example"}}
    # Run on the server from the state the reply left (count 1), for that state only.
    assert push["base"] == reply["checksum"]
    assert json.loads(push["update"]["state"]) == {
        "count": 1,
        "title": "Preview of https://b.example",
        "error": "",
    }
    assert other.sent == []
    await manager.close()


async def test_a_page_that_goes_away_cancels_its_tasks(
    links: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=links, signer=signer)
    config = AppConfig(registry=links, signer=signer, ws_manager=manager)
    await subscribed_page(manager, signer, 1, None, name="link")
    await subscribed_page(manager, signer, 2, None, name="link")
    for n in (1, 2):
        await handle_message(_event("link", f"link-{n}", signer, links, url="u"), config=config)
    runner = runner_of(config)
    [running] = list(runner._running["link-1"])
    manager.unsubscribe("conn-1", "link-1")  # live navigation away
    await asyncio.wait([running])
    assert running.cancelled() and runner.running("link-1") == 0
    [other] = list(runner._running["link-2"])
    assert not other.done()
    await manager.disconnect("conn-2")  # its socket closed
    await asyncio.wait([other])
    assert other.cancelled() and runner.running("link-2") == 0
    await manager.close()


@pytest.fixture
def two_workers(
    links: ComponentRegistry, signer: Signer, redis_server: RedisServer
) -> tuple[ComponentWebSocketManager, ComponentWebSocketManager]:
    """Two managers on one real redis-server, as two worker processes have."""
    a, b = (
        ComponentWebSocketManager(registry=links, signer=signer, broker=redis_server.url)
        for _ in range(2)
    )
    return a, b


async def test_a_result_reaches_a_page_on_another_process_through_redis(
    links: ComponentRegistry,
    signer: Signer,
    two_workers: tuple[ComponentWebSocketManager, ComponentWebSocketManager],
) -> None:
    # a answers the page's event (over HTTP); b holds the page's socket.
    a, b = two_workers
    page = await subscribed_page(b, signer, 1, None, name="link")
    config = AppConfig(registry=links, signer=signer, ws_manager=a)
    message = _event("link", "link-1", signer, links, url="https://c.example", how="sync")
    reply = await handle_message(message, config=config)
    assert reply["type"] == "component_update"
    push = await _wait_for(page)
    assert push == {
        "type": "push_event",
        "component_id": "link-1",
        "event": "preview_ready",
        "payload": {"result": {"title": "Sync preview of https://c.example"}},
    }
    await a.close()
    await b.flush()
    await b.close()


async def test_a_page_leaving_another_process_cancels_its_tasks_here(
    links: ComponentRegistry,
    signer: Signer,
    two_workers: tuple[ComponentWebSocketManager, ComponentWebSocketManager],
) -> None:
    # a answers the page's events (over HTTP, a load balancer's choice); b holds its socket.
    a, b = two_workers
    await subscribed_page(a, signer, 9, None, name="link")  # a has pages of its own
    await subscribed_page(b, signer, 1, None, name="link")
    await subscribed_page(b, signer, 2, None, name="link")
    config = AppConfig(registry=links, signer=signer, ws_manager=a)
    for n in (1, 2):
        await handle_message(_event("link", f"link-{n}", signer, links, url="u"), config=config)
    runner = runner_of(config)
    [first] = list(runner._running["link-1"])
    [second] = list(runner._running["link-2"])
    b.unsubscribe("conn-1", "link-1")  # live navigation away, seen by b only
    await asyncio.wait_for(asyncio.wait([first]), 30)  # a bound, not a timing
    assert first.cancelled() and not second.done()
    await b.disconnect("conn-2")  # the tab closed
    await asyncio.wait_for(asyncio.wait([second]), 30)
    assert second.cancelled() and runner.total() == 0
    await a.close()
    await b.close()


async def test_a_failure_without_error_handler_shows_on_the_page(
    fresh_registry: ComponentRegistry, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    fresh_registry.register("bare")(Bare)
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    config = AppConfig(registry=fresh_registry, signer=signer, ws_manager=manager)
    page = await subscribed_page(manager, signer, 1, None, name="bare")
    state = json.dumps({"count": 0})
    message = signed_message("bare", "go", {}, component_id="bare-1", config=config)
    message["state"], message["checksum"] = state, signer.sign("bare", "bare-1", state)
    with caplog.at_level(logging.ERROR, "component_framework"):
        await handle_message(message, config=config)
        push = await _wait_for(page)
    assert push["error"] == {
        "type": "error",
        "error": "A background task failed.",
        "code": "task_failed",
    }
    assert "secret database password" in caplog.text
    await manager.close()


async def test_beyond_the_bound_the_page_is_told_to_wait(
    links: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=links, signer=signer)
    config = AppConfig(registry=links, signer=signer, ws_manager=manager)
    replies = [
        await handle_message(_event("link", "link-9", signer, links, url="u"), config=config)
        for _ in range(3)
    ]
    assert [r["type"] for r in replies[:2]] == ["component_update"] * 2
    assert replies[2]["code"] == "too_many_tasks" and http_status(replies[2]) == 429
    assert "already runs 2 background tasks" in replies[2]["error"]
    assert runner_of(config).running("link-9") == 2  # the refused event started none
    assert runner_of(config).running("link-8") == 0  # the bound is per page
    gate().set()
    await manager.close()


async def test_a_process_bounds_its_tasks_of_all_pages_together(
    links: ComponentRegistry, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every render is a new page id: a client making pages must not pass the bound that way.
    monkeypatch.setattr("component_framework.core.tasks.MAX_RUNNING", 3)
    manager = ComponentWebSocketManager(registry=links, signer=signer)
    config = AppConfig(registry=links, signer=signer, ws_manager=manager)
    replies = [
        await handle_message(_event("link", f"page-{n}", signer, links, url="u"), config=config)
        for n in range(4)
    ]
    assert [r["type"] for r in replies[:3]] == ["component_update"] * 3
    assert replies[3]["code"] == "too_many_tasks" and http_status(replies[3]) == 429
    assert "too many background tasks" in replies[3]["error"]
    assert runner_of(config).total() == 3
    gate().set()
    await manager.close()


def thread_name(url: str) -> dict[str, str]:
    return {"title": threading.current_thread().name}


def test_functions_that_are_not_async_run_in_the_tasks_own_threads() -> None:
    # Not in the pool of handlers: slow tasks never hold the threads pages' events run in.
    class Named(Link):
        def on_share(self, url: str, how: str = "async") -> None:
            self.start_task(thread_name, url, event="preview_ready")

    tester = ComponentTester(Named).call("share", url="u").run_tasks()
    assert tester.state["title"].startswith("cf-task"), tester.state


class _SlowReader(FakeConnection):
    """A page whose socket takes its time reading the reply."""

    def __init__(self) -> None:
        super().__init__()
        self.sending, self.release = asyncio.Event(), asyncio.Event()

    async def send(self, data: dict[str, Any]) -> None:
        if data.get("type") == "component_update":
            self.sending.set()
            await self.release.wait()
        await super().send(data)


async def test_over_the_socket_a_task_starts_once_its_reply_is_sent(
    links: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=links, signer=signer)
    config = AppConfig(registry=links, signer=signer, ws_manager=manager)
    page = _SlowReader()
    await manager.connect(page, "conn-1")
    message = _event("link", "link-1", signer, links, url="https://d.example")
    handling = asyncio.create_task(manager.handle_message(page, "conn-1", message, config=config))
    await page.sending.wait()
    assert runner_of(config).running("link-1") == 0  # not while the reply is on its way
    page.release.set()
    await handling
    assert runner_of(config).running("link-1") == 1
    assert page.sent[0]["type"] == "component_update"
    gate().set()
    await manager.close()
