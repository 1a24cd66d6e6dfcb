"""Streams: items kept out of the state, first render in the HTML, changes as effects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from jinja2 import DictLoader

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core.exceptions import EffectError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.core.signing import Signer
from component_framework.core.state import InMemoryStateStore
from component_framework.core.streams import Stream
from component_framework.testing import ComponentTester
from tests._redis import RedisServer

from ._support import FakeConnection

TEMPLATES = {
    "feed.html": (
        '<div><h1>{{ state.title }}</h1><ul cf-stream="items">{{ streams.items }}</ul></div>'
    ),
    "item.html": '<li id="{{ dom_id }}">{{ item.text }}</li>',
    "no_id.html": "<li>{{ item.text }}</li>",
}


@dataclass
class Note:
    id: int
    text: str


@pytest.fixture
def feed(fresh_registry: ComponentRegistry) -> type[Component]:
    @fresh_registry.register("feed")
    class Feed(Component):
        template_name = "feed.html"
        renderer = JinjaRenderer(loader=DictLoader(TEMPLATES))
        streams: ClassVar[dict[str, Stream]] = {"items": Stream("item.html", limit=3)}

        def mount(self) -> None:
            super().mount()
            self.state["title"] = "Feed"
            self.stream_extend("items", [{"id": n, "text": f"item {n}"} for n in range(5)])

        def on_add(self, id: int, text: str, first: bool = False) -> None:
            self.stream_insert("items", {"id": id, "text": text}, at=0 if first else -1)

        def on_edit(self, id: int, text: str) -> None:
            self.stream_update("items", Note(id, text))

        def on_remove(self, id: int) -> None:
            self.stream_delete("items", id)

        def on_search(self, text: str) -> None:
            self.stream_reset("items", [{"id": 100, "text": text}])

        def on_bad(self, what: str) -> None:
            if what == "stream":
                self.stream_insert("itemz", {"id": 1})
            elif what == "key":
                self.stream_insert("items", {"text": "no id"})
            else:
                self.stream_insert("items", {"id": 1, "text": "x"}, at=5)  # type: ignore[arg-type]

    return Feed


def test_the_first_render_shows_the_items_in_its_html_within_the_limit(
    feed: type[Component],
) -> None:
    result = feed().dispatch()
    assert '<ul cf-stream="items"><li id="items-2">item 2</li><li id="items-3">' in result["html"]
    assert "items-1" not in result["html"]  # the limit of 3 kept the last three
    assert result["state"] == {"title": "Feed"}  # no item in the state
    assert "effects" not in result


def test_a_later_event_carries_only_its_change_as_an_effect(feed: type[Component]) -> None:
    result = feed().dispatch("add", {"id": 7, "text": "seven"}, state={"title": "Feed"})
    assert result["html"] == '<div><h1>Feed</h1><ul cf-stream="items"></ul></div>'
    assert result["state"] == {"title": "Feed"}
    assert result["effects"] == [
        {
            "type": "stream",
            "stream": "items",
            "op": "insert",
            "id": "items-7",
            "html": '<li id="items-7">seven</li>',
            "at": -1,
            "limit": 3,
        }
    ]


def test_update_delete_and_reset(feed: type[Component], fresh_registry: ComponentRegistry) -> None:
    tester = ComponentTester("feed", registry=fresh_registry)
    tester.assert_see("item 4").assert_no_effects()
    tester.call("edit", id=4, text="four").assert_streamed("items", "update", "items-4")
    assert tester.stream_changes[0]["html"] == '<li id="items-4">four</li>'
    tester.call("remove", id=4).assert_streamed("items", "delete", "items-4")
    tester.call("search", text="found")
    assert [(c["op"], c.get("id")) for c in tester.stream_changes] == [
        ("reset", None),
        ("insert", "items-100"),
    ]
    tester.call("add", id=1, text="first", first=True)
    tester.assert_streamed("items", "insert", "items-1", contains="first")
    assert tester.stream_changes[0]["at"] == 0


def test_a_pushed_event_run_by_the_server_carries_its_stream_changes(
    feed: type[Component], fresh_registry: ComponentRegistry
) -> None:
    tester = ComponentTester("feed", registry=fresh_registry)
    tester.push("add", id=8, text="pushed").assert_streamed("items", "insert", "items-8")
    assert "pushed" not in tester.html  # the change travels as the effect, not in the HTML


def test_the_first_render_applies_its_changes_in_order() -> None:
    class Board(Component):
        template_name = "feed.html"
        renderer = JinjaRenderer(loader=DictLoader(TEMPLATES))
        streams: ClassVar[dict[str, Stream]] = {"items": Stream("item.html", limit=2)}

        def mount(self) -> None:
            super().mount()
            self.stream_extend("items", [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}])
            self.stream_insert("items", {"id": 0, "text": "z"}, at=0)  # drops 2, the other end
            self.stream_update("items", {"id": 1, "text": "A"})
            self.stream_update("items", {"id": 9, "text": "not there"})  # ignored

    html = Board().dispatch()["html"]
    assert '<li id="items-0">z</li><li id="items-1">A</li></ul>' in html
    assert "not there" not in html
    board = Board()  # rendered outside a dispatch (a story, a preview): the same HTML
    board.mount()
    assert board.render() == html


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("stream", "has no stream 'itemz'; did you mean 'items'?"),
        ("key", "has no 'id' key"),
        ("at", "at=5 is not an end"),
    ],
)
def test_a_bad_change_is_an_effect_error_where_it_is_made(
    feed: type[Component], what: str, message: str
) -> None:
    # As every effect method's: over the wire a 500 with the generic message (the log says
    # what and where; tests/core/test_effect_errors.py).
    with pytest.raises(EffectError) as raised:
        feed().dispatch("bad", {"what": what}, state={"title": "Feed"})
    assert str(raised.value).startswith("Feed.stream_insert(): ")
    assert message in str(raised.value)


def test_an_item_template_without_its_dom_id_and_a_bad_key_are_refused() -> None:
    stream = Stream("no_id.html")
    renderer = JinjaRenderer(loader=DictLoader(TEMPLATES))
    with pytest.raises(EffectError, match=r'must render one element with id="\{\{ dom_id \}\}"'):
        stream.render("items", {"id": 1, "text": "x"}, renderer)
    with pytest.raises(EffectError, match="cannot make a DOM id"):
        Stream("item.html").dom_id("items", {"id": "two words"})
    with pytest.raises(ValueError, match="positive int or None"):
        Stream("item.html", limit=0)
    assert Stream("item.html", key=lambda note: note.text).dom_id("n", Note(1, "x")) == "n-x"


def test_server_held_state_keeps_no_item(
    feed: type[Component], fresh_registry: ComponentRegistry
) -> None:
    store = InMemoryStateStore()

    @fresh_registry.register("held_feed")
    class HeldFeed(feed):  # type: ignore[valid-type, misc]
        state_store = store

    tester = ComponentTester("held_feed", registry=fresh_registry, state_store=store)
    tester.call("add", id=9, text="nine").assert_streamed("items", "insert", "items-9")
    assert tester.state == {"title": "Feed"}
    tester.call("add", id=10, text="ten").assert_streamed("items", "insert", "items-10")


async def test_a_pushed_change_is_rendered_once_for_every_page(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    renders: list[str] = []

    class Counting(JinjaRenderer):
        def render(self, template_name: str, context: dict[str, Any]) -> str:
            renders.append(template_name)
            return super().render(template_name, context)

    @fresh_registry.register("news")
    class News(Component):
        template_name = "feed.html"
        renderer = Counting(loader=DictLoader(TEMPLATES))
        streams: ClassVar[dict[str, Stream]] = {"items": Stream("item.html")}

    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    pages = [FakeConnection() for _ in range(3)]
    for n, page in enumerate(pages):
        await manager.connect(page, f"conn-{n}")
        manager.subscribe(f"conn-{n}", f"news-{n}", "news")
    manager.stream("news", "items").insert({"id": 5, "text": "<b>hot</b>"})
    await manager.flush()
    assert renders == ["item.html"]
    for n, page in enumerate(pages):
        assert page.sent == [
            {
                "type": "component_update",
                "component_id": f"news-{n}",
                "effects": [
                    {
                        "type": "stream",
                        "stream": "items",
                        "op": "insert",
                        "id": "items-5",
                        "html": '<li id="items-5">&lt;b&gt;hot&lt;/b&gt;</li>',
                        "at": -1,
                    }
                ],
            }
        ]
    with pytest.raises(EffectError, match="has no stream 'item'"):
        manager.stream("news", "item")
    for n in range(3):
        await manager.disconnect(f"conn-{n}")


async def test_a_pushed_change_reaches_pages_on_every_process_through_redis(
    feed: type[Component],
    fresh_registry: ComponentRegistry,
    signer: Signer,
    redis_server: RedisServer,
) -> None:
    a, b, c = (
        ComponentWebSocketManager(registry=fresh_registry, signer=signer, broker=redis_server.url)
        for _ in range(3)
    )
    pages = {a: FakeConnection(), b: FakeConnection()}
    for n, (manager, connection) in enumerate(pages.items()):
        await manager.connect(connection, f"conn-{n}")
        # As a page subscribes: the reply comes once this process hears from Redis.
        token = signer.subscription_token("feed", f"feed-{n}")
        subscribe = {"type": "subscribe", "component_id": f"feed-{n}", "token": token}
        await manager.handle_message(connection, f"conn-{n}", subscribe)
        assert connection.sent.pop()["type"] == "subscribed"
    c.stream("feed", "items").delete(3)  # c: a process with no pages, as a job would be
    await c.close()  # published
    for manager in pages:
        await manager.flush()
    for n, connection in enumerate(pages.values()):
        change = {"type": "stream", "stream": "items", "op": "delete", "id": "items-3"}
        assert connection.sent == [
            {"type": "component_update", "component_id": f"feed-{n}", "effects": [change]}
        ]
    await a.close()
    await b.close()


@pytest.mark.usefixtures("cf_defaults")
def test_a_renderer_is_needed() -> None:
    class Bare(Component):
        template_name = "feed.html"
        streams: ClassVar[dict[str, Stream]] = {"items": Stream("item.html")}

        def on_add(self) -> None:
            self.stream_insert("items", {"id": 1})

    set_default_renderer(None)  # cf_defaults restores it
    with pytest.raises(EffectError, match=r"Bare\.stream_insert\(\): No renderer for Bare's"):
        Bare().dispatch("add", {}, state={})
