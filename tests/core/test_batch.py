"""A ``component_batch``: several messages in one request, each through the one message path.

cf.js sends an event emitted to several components of a page as one batch; every inner
message is checked and run as if it came alone, and gets its own reply, in order.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from component_framework.core import Component, ComponentRegistry
from component_framework.core.config import AppConfig, Limits
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.permissions import BasePermission, IsAuthenticated
from component_framework.core.protocol import (
    handle_batch,
    handle_message,
    http_status,
    signed_message,
)
from component_framework.core.signing import Signer
from component_framework.core.websocket import ComponentWebSocketManager

from ._support import FakeConnection

ran: list[str] = []


@dataclass
class User:
    is_authenticated: bool = True


@dataclass
class Request:
    user: User | None = None


@pytest.fixture
def config(fresh_registry: ComponentRegistry, templates: Callable[..., JinjaRenderer]) -> AppConfig:
    templates(
        **{
            "badge.html": "<span>{{ state.count }}</span>",
            "panel.html": "<div>{{ component('badge', component_id='badge-in-panel') }}</div>",
        }
    )
    ran.clear()

    @fresh_registry.register("badge")
    class Badge(Component):
        template_name = "badge.html"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 0

        def on_added(self, count: int) -> None:
            ran.append(f"badge {self.id}")
            self.state["count"] += count

    @fresh_registry.register("panel")
    class Panel(Component):
        template_name = "panel.html"

        def on_added(self, count: int) -> None:
            ran.append("panel")

    @fresh_registry.register("private_badge")
    class PrivateBadge(Badge):
        permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated]

    return AppConfig(registry=fresh_registry, signer=Signer(["k" * 40]), rate_limit="4/min")


def _added(config: AppConfig, name: str, component_id: str, count: int = 0) -> dict[str, Any]:
    return signed_message(
        name, "added", {"count": 1}, {"count": count}, component_id=component_id, config=config
    )


def _batch(*messages: Any) -> dict[str, Any]:
    return {"type": "component_batch", "messages": list(messages)}


def _run(config: AppConfig, message: Any, request: Any = None) -> dict[str, Any]:
    return asyncio.run(handle_message(message, request, config=config))


def test_nested_and_sibling_targets_are_answered_in_one_reply_in_order(config: AppConfig) -> None:
    # What a page holding a panel (with a badge inside) and a badge beside it sends for an
    # emit to every badge and to the panel: the nested badge, its parent and the sibling.
    batch = _batch(
        _added(config, "badge", "badge-in-panel", count=4),
        _added(config, "panel", "panel-1"),
        _added(config, "badge", "badge-beside", count=1),
    )
    reply = _run(config, json.dumps(batch))  # the raw body, as a transport passes it
    assert reply["type"] == "batch_reply" and http_status(reply) == 200
    updates = reply["replies"]
    assert [u["type"] for u in updates] == ["component_update"] * 3
    assert [u["component_id"] for u in updates] == ["badge-in-panel", "panel-1", "badge-beside"]
    assert updates[0]["html"] == "<span>5</span>" and updates[2]["html"] == "<span>2</span>"
    assert "<span>0</span>" in updates[1]["html"]  # the panel renders its nested badge
    assert ran == ["badge badge-in-panel", "panel", "badge badge-beside"]
    # Each reply is the one a lone message gets: its signed state works in the next event.
    again = _added(config, "badge", "badge-beside")
    again["state"], again["checksum"] = updates[2]["state"], updates[2]["checksum"]
    assert _run(config, again)["html"] == "<span>3</span>"


def test_a_refused_target_gets_its_own_error_and_the_others_still_run(config: AppConfig) -> None:
    batch = _batch(
        _added(config, "badge", "badge-1"),
        _added(config, "private_badge", "private-1"),  # a visitor: not authenticated
        _added(config, "nosuch", "x-1"),
        "not an object",
        _added(config, "badge", "badge-2"),
    )
    replies = _run(config, batch, Request(user=None))["replies"]
    assert [r["type"] for r in replies] == [
        "component_update", "error", "error", "error", "component_update"
    ]  # fmt: skip
    assert [r.get("code") for r in replies[1:4]] == [
        "not_authenticated", "unknown_component", "bad_message"
    ]  # fmt: skip
    assert "Message 3 of the component_batch must be a JSON object" in replies[3]["error"]
    assert ran == ["badge badge-1", "badge badge-2"]  # nothing of the refused ones ran
    # An authenticated user's batch runs the private badge too.
    replies = _run(config, _batch(_added(config, "private_badge", "p-1")), Request(User()))[
        "replies"
    ]
    assert replies[0]["type"] == "component_update"


def test_a_tampered_state_inside_a_batch_is_refused_alone(config: AppConfig) -> None:
    tampered = _added(config, "badge", "badge-2", count=1)
    tampered["state"] = tampered["state"].replace("1", "1000")
    replies = _run(config, _batch(_added(config, "badge", "badge-1"), tampered))["replies"]
    assert replies[0]["type"] == "component_update"
    assert replies[1]["type"] == "error" and replies[1]["code"] == "tampered_state"
    assert ran == ["badge badge-1"]


def test_each_message_of_a_batch_counts_against_the_rate_limit(config: AppConfig) -> None:
    # The app allows 4 messages a minute per visitor: a batch of 5 is 5 messages.
    request = Request(user=None)
    batch = _batch(*(_added(config, "badge", f"badge-{i}") for i in range(5)))
    replies = _run(config, batch, request)["replies"]
    assert [r["type"] for r in replies] == ["component_update"] * 4 + ["error"]
    assert replies[4]["code"] == "rate_limited" and replies[4]["retry_after"] > 0
    assert len(ran) == 4
    # The batch used the visitor's allowance: a lone message now is refused too.
    alone = _run(config, _added(config, "badge", "badge-9"), request)
    assert alone["code"] == "rate_limited"


def test_a_batch_over_the_length_limit_is_refused_whole(config: AppConfig) -> None:
    batch = _batch(*(_added(config, "badge", f"badge-{i}") for i in range(21)))
    reply = _run(config, batch)
    assert reply["type"] == "error" and reply["code"] == "bad_batch" and http_status(reply) == 400
    assert reply["error"] == (
        "A component_batch holds 21 messages (limit: 20); send the rest in another request."
    )
    assert ran == []
    smaller = config.replace(limits=Limits(max_batch_messages=2))
    assert _run(smaller, _batch(*batch["messages"][:3]))["code"] == "bad_batch"
    assert _run(smaller, _batch(*batch["messages"][:2]))["type"] == "batch_reply"


@pytest.mark.parametrize(
    ("batch", "error"),
    [
        ({"type": "component_batch"}, "must be a non-empty list"),
        ({"type": "component_batch", "messages": []}, "must be a non-empty list"),
        ({"type": "component_batch", "messages": {"a": 1}}, "must be a non-empty list"),
        (
            _batch({"type": "component_event", "component": "badge"}, _batch()),
            "may not hold another batch",
        ),
    ],
)
def test_a_malformed_or_nested_batch_is_refused_whole(
    config: AppConfig, batch: dict[str, Any], error: str
) -> None:
    reply = _run(config, batch)
    assert reply["type"] == "error" and reply["code"] == "bad_batch" and error in reply["error"]
    assert ran == []


def test_a_batch_as_text_inside_a_batch_is_no_way_around_the_nesting_rule(
    config: AppConfig,
) -> None:
    inner = json.dumps(_batch(_added(config, "badge", "badge-1")))
    replies = _run(config, _batch(inner))["replies"]
    assert replies[0]["code"] == "bad_message" and ran == []


def test_the_whole_batch_is_under_the_message_size_limit(config: AppConfig) -> None:
    small = config.replace(limits=Limits(max_message_bytes=2000))
    batch = json.dumps(_batch(*(_added(config, "badge", f"badge-{i}") for i in range(10))))
    reply = _run(small, batch)
    assert reply["code"] == "too_large" and http_status(reply) == 413 and ran == []


def test_handle_batch_refuses_a_lone_message(config: AppConfig) -> None:
    reply = asyncio.run(handle_batch(_added(config, "badge", "badge-1"), config=config))
    assert reply["code"] == "bad_batch" and ran == []
    batch = _batch(_added(config, "badge", "badge-1"))
    assert asyncio.run(handle_batch(batch, config=config))["type"] == "batch_reply"


def test_a_batch_over_the_websocket_gets_one_batch_reply(config: AppConfig) -> None:
    manager = ComponentWebSocketManager()
    connection = FakeConnection()
    batch = _batch(_added(config, "badge", "badge-1"), _added(config, "nosuch", "x-1"))
    asyncio.run(manager.handle_message(connection, "conn-1", json.dumps(batch), config=config))
    (reply,) = connection.sent
    assert reply["type"] == "batch_reply"
    assert [r["type"] for r in reply["replies"]] == ["component_update", "error"]
