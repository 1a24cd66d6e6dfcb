"""push_event run on the server: one run per distinct state, only id and signature per page."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from html import unescape as html_unescape
from typing import Any, ClassVar

import pytest

from component_framework.core import (
    BasePermission,
    Component,
    ComponentRegistry,
    ComponentWebSocketManager,
)
from component_framework.core._execution import current_request
from component_framework.core._json import canonical_dumps
from component_framework.core._websocket_host import encode_text
from component_framework.core.exceptions import ComponentError
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer
from component_framework.core.state import InMemoryStateStore
from component_framework.testing import ComponentTester

from ._support import FakeConnection
from ._support import subscribed_page as _page


class ListRenderer(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        state = context["state"]
        shown = [i for i in state.get("items", []) if state.get("filter", "") in i]
        return f"<ul>{''.join(f'<li>{i}</li>' for i in shown)}</ul>"


class User:
    def __init__(self, name: str) -> None:
        self.name = name
        self.is_authenticated = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class Request:
    def __init__(self, user: str) -> None:
        self.user = User(user)


ITEMS: list[str] = []


@pytest.fixture
def runs(fresh_registry: ComponentRegistry) -> list[Any]:
    ran: list[Any] = []

    @fresh_registry.register("todo")
    class Todo(Component):
        template_name = "todo.html"
        renderer = ListRenderer()
        live = True

        def on_refresh(self, n: int = 0) -> None:
            ran.append((self.state.get("filter"), threading.current_thread().name))
            self.state["items"] = list(ITEMS)

        def on_filter(self, text: str = "") -> None:
            self.state["filter"] = text

    ITEMS[:] = ["milk", "tea", "bread"]
    return ran


def _state(filter_: str, items: list[str] | None = None) -> str:
    return canonical_dumps({"filter": filter_, "items": items or []})


@pytest.fixture
def manager(fresh_registry: ComponentRegistry, signer: Signer) -> ComponentWebSocketManager:
    return ComponentWebSocketManager(registry=fresh_registry, signer=signer)


async def test_pages_in_one_state_share_one_run_and_each_gets_its_own_signature(
    manager: ComponentWebSocketManager, signer: Signer, runs: list[Any]
) -> None:
    filters = ["mi", "te", ""] * 4
    pages = [await _page(manager, signer, n, _state(f)) for n, f in enumerate(filters)]
    await manager.push_event("todo", "refresh", {"n": 1})
    await manager.flush()
    assert sorted(f for f, _ in runs) == ["", "mi", "te"]  # 3 runs for 12 pages
    for n, (page, filter_) in enumerate(zip(pages, filters, strict=True)):
        [message] = page.sent
        assert message["type"] == "push_event" and message["event"] == "refresh"
        assert message["payload"] == {"n": 1}
        cid = f"todo-{n}"
        assert message["base"] == signer.sign("todo", cid, _state(filter_))
        update = message["update"]
        assert update["component_id"] == cid
        assert json.loads(update["state"]) == {"filter": filter_, "items": ITEMS}
        signer.verify("todo", cid, update["state"], update["checksum"])
        shown = [i for i in ITEMS if filter_ in i]
        assert update["html"] == "<ul>" + "".join(f"<li>{i}</li>" for i in shown) + "</ul>"
        assert json.loads(encode_text(message)) == message  # the shared text says the same
    # The handler is sync: it ran in a worker thread, never on the loop.
    assert all(thread != threading.main_thread().name for _, thread in runs)
    # What each page now holds is known: the next push runs from it.
    runs.clear()
    ITEMS.append("milkshake")
    await manager.push_event("todo", "refresh", {})
    await manager.flush()
    assert len(runs) == 3
    assert "<li>milkshake</li>" in pages[0].sent[-1]["update"]["html"]
    assert pages[0].sent[-1]["base"] == pages[0].sent[0]["update"]["checksum"]


async def test_a_page_whose_state_is_unknown_answers_the_push_itself(
    manager: ComponentWebSocketManager, signer: Signer, runs: list[Any]
) -> None:
    page = await _page(manager, signer, 0, None)
    await manager.push_event("todo", "refresh", {"n": 2})
    await manager.flush()
    assert runs == []
    assert page.sent == [
        {"type": "push_event", "component_id": "todo-0", "event": "refresh", "payload": {"n": 2}}
    ]


async def test_a_reply_on_the_socket_is_what_the_page_holds(
    manager: ComponentWebSocketManager, signer: Signer, runs: list[Any]
) -> None:
    page = await _page(manager, signer, 0, _state(""))
    state = _state("")
    event = {
        "type": "component_event",
        "component": "todo",
        "component_id": "todo-0",
        "event": "filter",
        "payload": {"text": "tea"},
        "state": state,
        "checksum": signer.sign("todo", "todo-0", state),
    }
    await manager.handle_message(page, "conn-0", event)
    reply = page.sent[-1]
    await manager.push_event("todo", "refresh", {})
    await manager.flush()
    assert runs[-1][0] == "tea"
    assert page.sent[-1]["base"] == reply["checksum"]
    assert page.sent[-1]["update"]["html"] == "<ul><li>tea</li></ul>"


async def test_each_reply_of_a_batch_on_the_socket_is_what_the_page_holds(
    manager: ComponentWebSocketManager, signer: Signer, runs: list[Any]
) -> None:
    page = await _page(manager, signer, 0, _state(""))
    state = _state("")
    event = {
        "type": "component_event",
        "component": "todo",
        "component_id": "todo-0",
        "event": "filter",
        "payload": {"text": "tea"},
        "state": state,
        "checksum": signer.sign("todo", "todo-0", state),
    }
    batch = {"type": "component_batch", "messages": [event, {**event, "checksum": "forged"}]}
    await manager.handle_message(page, "conn-0", batch)
    update, refused = page.sent[-1]["replies"]
    assert refused["code"] == "tampered_state"
    await manager.push_event("todo", "refresh", {})
    await manager.flush()
    assert runs[-1][0] == "tea"  # run from the state the batch's reply gave the page
    assert page.sent[-1]["base"] == update["checksum"]


async def test_a_render_that_shows_the_id_renders_per_id_but_runs_the_handler_once(
    fresh_registry: ComponentRegistry, manager: ComponentWebSocketManager, signer: Signer
) -> None:
    ran: list[str] = []

    class ById(Renderer):
        def render(self, template_name: str, context: dict[str, Any]) -> str:
            return f"<p id='{context['component_id']}'>{context['state']['n']}</p>"

    @fresh_registry.register("tagged")
    class Tagged(Component):
        template_name = "t.html"
        renderer = ById()

        def on_set(self, n: int) -> None:
            ran.append(self.id)
            self.state["n"] = n

    state = canonical_dumps({"n": 0})
    pages = [await _page(manager, signer, n, state, name="tagged") for n in range(3)]
    await manager.push_event("tagged", "set", {"n": 7})
    await manager.flush()
    assert len(ran) == 1
    for n, page in enumerate(pages):
        assert page.sent[-1]["update"]["html"] == f"<p id='tagged-{n}'>7</p>"


async def test_push_runs_per_user_and_per_page(
    fresh_registry: ComponentRegistry, manager: ComponentWebSocketManager, signer: Signer
) -> None:
    seen: list[tuple[str, Any]] = []

    @fresh_registry.register("mine")
    class Mine(Component):
        template_name = "m.html"
        renderer = ListRenderer()
        push_runs_per = "user"

        def on_refresh(self) -> None:
            request = current_request()
            seen.append(("user", request.user.name))

    @fresh_registry.register("each")
    class Each(Mine):
        push_runs_per = "page"

    state = _state("")
    users = ["ann", "bob", "ann"]
    for n, user in enumerate(users):
        await _page(manager, signer, n, state, name="mine", request=Request(user))
        await _page(manager, signer, 10 + n, state, name="each", request=Request(user))
    await manager.push_event("mine", "refresh", {})
    await manager.flush()
    assert sorted(seen) == [("user", "ann"), ("user", "bob")]  # ann's two pages share a run
    seen.clear()
    await manager.push_event("each", "refresh", {})
    await manager.flush()
    assert sorted(seen) == [("user", "ann"), ("user", "ann"), ("user", "bob")]


async def test_a_shared_run_sees_no_request(
    manager: ComponentWebSocketManager, signer: Signer, fresh_registry: ComponentRegistry
) -> None:
    seen: list[Any] = []

    @fresh_registry.register("anon")
    class Anon(Component):
        template_name = "a.html"
        renderer = ListRenderer()

        async def on_refresh(self) -> None:
            seen.append((current_request(), threading.current_thread() is threading.main_thread()))

    await _page(manager, signer, 0, _state(""), name="anon", request=Request("ann"))
    await manager.push_event("anon", "refresh", {})
    await manager.flush()
    assert seen == [(None, True)]  # async def: on the loop; shared: no user's request


async def test_a_nested_component_in_a_run_is_the_apps_own(
    fresh_registry: ComponentRegistry,
    manager: ComponentWebSocketManager,
    signer: Signer,
    templates: Callable[..., Any],
) -> None:
    templates(
        **{
            "board.html": '<section>{{ component("badge", n=state.n) }}</section>',
            "badge.html": "<b>{{ state.n }}</b>",
        }
    )

    @fresh_registry.register("board")
    class Board(Component):
        template_name = "board.html"

        def on_set(self, n: int) -> None:
            self.state["n"] = n

    @fresh_registry.register("badge")  # in the app's registry only, not the process default
    class Badge(Component):
        template_name = "badge.html"

        def mount(self) -> None:
            super().mount()
            self.state["n"] = self.params.get("n", 0)

    page = await _page(manager, signer, 0, canonical_dumps({"n": 0}), name="board")
    await manager.push_event("board", "set", {"n": 5})
    await manager.flush()
    html = page.sent[-1]["update"]["html"]
    assert 'data-cf-component="badge"' in html and "<b>5</b>" in html
    # Signed with the app's signer: the page can send the badge's own events.
    cid = re.search(r'data-cf-id="([^"]+)"', html)
    state = re.search(r'data-cf-state="([^"]+)"', html)
    checksum = re.search(r'data-cf-checksum="([^"]+)"', html)
    assert cid and state and checksum
    signer.verify("badge", cid[1], html_unescape(state[1]), checksum[1])


async def test_permission_classes_are_checked_for_each_user(
    fresh_registry: ComponentRegistry, manager: ComponentWebSocketManager, signer: Signer
) -> None:
    allowed = {"ann", "bob"}

    class Listed(BasePermission):
        def has_permission(self, request: Any, component_cls: type) -> bool:
            return request is not None and request.user.name in allowed

    @fresh_registry.register("guarded")
    class Guarded(Component):
        template_name = "g.html"
        renderer = ListRenderer()
        permission_classes: ClassVar[list[type[BasePermission]]] = [Listed]

        def on_refresh(self) -> None:
            self.state["items"] = ["secret"]

    state = _state("")
    ann = await _page(manager, signer, 0, state, name="guarded", request=Request("ann"))
    bob = await _page(manager, signer, 1, state, name="guarded", request=Request("bob"))
    allowed.discard("bob")
    await manager.push_event("guarded", "refresh", {})
    await manager.flush()
    assert ann.sent[-1]["update"]["html"] == "<ul><li>secret</li></ul>"
    assert bob.sent[-1]["type"] == "unsubscribed"
    assert "secret" not in json.dumps(bob.sent)
    assert manager.subscriptions_of("guarded-1") == []


async def test_server_held_pages_share_one_read_one_run_and_one_write(
    fresh_registry: ComponentRegistry, manager: ComponentWebSocketManager, signer: Signer
) -> None:
    store = InMemoryStateStore()
    ran: list[int] = []

    @fresh_registry.register("board")
    class Board(Component):
        template_name = "b.html"
        renderer = ListRenderer()
        state_store = store

        def on_refresh(self, n: int) -> None:
            ran.append(n)
            self.state["items"] = [f"v{n}"]

    key = "board:*:" + "ab" * 16
    version = store.save_versioned(key, {"filter": "", "items": []}, 0)
    pages = []
    for n in range(4):
        ref = canonical_dumps(
            {"component": "board", "id": f"board-{n}", "key": key, "version": version}
        )
        pages.append(await _page(manager, signer, n, ref, name="board"))
    await manager.push_event("board", "refresh", {"n": 1})
    await manager.flush()
    assert ran == [1]
    keys = {json.loads(page.sent[-1]["update"]["state"])["key"] for page in pages}
    [new_key] = keys
    assert new_key.startswith("board:*:") and new_key != key
    assert store.load(new_key) == {"filter": "", "items": ["v1"]}
    assert all("v1" not in page.sent[-1]["update"]["state"] for page in pages)
    # The next push reads the shared key once more.
    await manager.push_event("board", "refresh", {"n": 2})
    await manager.flush()
    assert ran == [1, 2]


async def test_what_a_connection_remembers_is_bounded(
    fresh_registry: ComponentRegistry, signer: Signer, runs: list[Any]
) -> None:
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer, max_known_bytes=400)
    page = FakeConnection()
    await manager.connect(page, "conn")
    for n in range(10):
        cid = f"todo-{n}"
        state = _state(f"f{n}")
        token = signer.subscription_token("todo", cid)
        message = {"type": "subscribe", "component_id": cid, "token": token, "state": state}
        message["checksum"] = signer.sign("todo", cid, state)
        await manager.handle_message(page, "conn", message)
    assert manager._connections.known_bytes() <= 400
    page.sent.clear()
    await manager.push_event("todo", "refresh", {})
    await manager.flush()
    updated = [m for m in page.sent if "update" in m]
    plain = [m for m in page.sent if "update" not in m]
    assert updated and plain  # the least recent were forgotten: those pages answer themselves
    assert {m["component_id"] for m in updated} == {
        f"todo-{n}" for n in range(10 - len(updated), 10)
    }
    await manager.disconnect("conn")
    assert manager._connections.known_bytes() == 0


def test_component_tester_push(fresh_registry: ComponentRegistry, runs: list[Any]) -> None:
    tester = ComponentTester("todo", registry=fresh_registry)
    tester.call("filter", text="e")
    tester.push("refresh", n=1)
    assert runs[-1][0] == "e"
    tester.assert_state(filter="e", items=ITEMS)
    assert tester.html == "<ul><li>tea</li><li>bread</li></ul>"
    with pytest.raises(ComponentError, match="No handler for event: nothing") as failed:
        tester.push("nothing")
    assert failed.value.code == "unknown_event"
