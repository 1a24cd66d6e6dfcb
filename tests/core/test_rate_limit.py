"""Rate limits: per component or per event, per user or per address, in this process or in a
store every worker shares (SQLite, a real Redis); refused with 429 before any code runs, on
HTTP and on the WebSocket alike."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry
from component_framework.core._held_state import ASYNC_STEPS, SYNC_STEPS, finish
from component_framework.core.config import AppConfig
from component_framework.core.exceptions import ConfigurationError, RateLimitedError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import dispatch_message_sync, render_component
from component_framework.core.rate_limit import (
    RateLimit,
    RateLimiter,
    address_group,
    client_address,
    visitor_key,
)
from component_framework.core.signing import Signer
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.web import ComponentApp

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
calls: list[str] = []


class Clock:
    """Wall-clock seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class User:
    username: str
    is_authenticated: bool = True


@dataclass
class Request:
    user: User | None = None
    remote_addr: str = "10.0.0.1"


@pytest.fixture
def registry(fresh_registry: ComponentRegistry, templates: Callable[..., JinjaRenderer]) -> Any:
    templates(**{"vote.html": "<p>{{ state.votes }}</p>"})
    calls.clear()

    @fresh_registry.register("vote")
    class Vote(Component):
        template_name = "vote.html"
        rate_limits: ClassVar[dict[str, RateLimit | str]] = {"up": "2/min", "*": "5/min"}

        def mount(self) -> None:
            super().mount()
            self.state["votes"] = 0

        def on_up(self) -> None:
            calls.append("up")
            self.state["votes"] += 1

        async def on_down(self) -> None:
            calls.append("down")
            self.state["votes"] -= 1

    return fresh_registry


def _send(config: AppConfig, event: str, request: Any = None) -> dict[str, Any]:
    return dispatch_message_sync({"component": "vote", "event": event}, request, config=config)


@pytest.mark.parametrize(
    ("rate", "count", "period"),
    [("5/min", 5, 60), ("100/hour", 100, 3600), ("2/10s", 2, 10), ("1 / day", 1, 86400),
     ("3/seconds", 3, 1)],
)  # fmt: skip
def test_rates_are_read_from_text(rate: str, count: int, period: float) -> None:
    assert RateLimit.parse(rate) == RateLimit(count, period)


@pytest.mark.parametrize("rate", ["5", "five/min", "0/min", "5/fortnight", "-1/s"])
def test_a_bad_rate_says_the_form_to_write(rate: str) -> None:
    with pytest.raises(ConfigurationError, match=r"write 'N/unit'.*'5/min'"):
        RateLimit.parse(rate)


def test_an_event_over_its_limit_is_refused_before_the_handler_runs(registry: Any) -> None:
    config = AppConfig(registry=registry, signer=Signer(["k" * 40]))
    assert _send(config, "up")["type"] == "component_update"
    assert _send(config, "up")["type"] == "component_update"
    refusal = r"at most 2 'up' events per minute\. Try again in \d+ s\."
    with pytest.raises(RateLimitedError, match=refusal) as refused:
        _send(config, "up")
    assert refused.value.code == "rate_limited" and refused.value.status == 429
    assert 1 <= refused.value.retry_after <= 60
    assert calls == ["up", "up"]
    # The component's own limit ("*", 5/min) counts every message it let through: 2 ups (the
    # refused one is not counted) and 3 downs.
    for _ in range(3):
        _send(config, "down")
    with pytest.raises(RateLimitedError, match="at most 5 messages per minute"):
        _send(config, "down")


def test_each_user_and_each_visitors_address_counts_apart(registry: Any) -> None:
    config = AppConfig(registry=registry, signer=Signer(["k" * 40]))
    ann, bob = Request(User("ann")), Request(User("bob"), remote_addr="10.0.0.1")
    for request in (ann, ann, bob, bob, Request(), Request()):
        _send(config, "up", request)
    for request in (ann, bob, Request()):
        with pytest.raises(RateLimitedError):
            _send(config, "up", request)
    _send(config, "up", Request(remote_addr="10.0.0.2"))  # another visitor


def test_ipv6_visitors_count_by_their_64_network(registry: Any) -> None:
    config = AppConfig(registry=registry, signer=Signer(["k" * 40]))
    # One client's /64: every address in it (privacy extensions rotate through them) counts once.
    _send(config, "up", Request(remote_addr="2001:db8:1:2::1"))
    _send(config, "up", Request(remote_addr="2001:db8:1:2:ffff:ffff:ffff:fffe"))
    with pytest.raises(RateLimitedError, match="at most 2 'up' events per minute"):
        _send(config, "up", Request(remote_addr="2001:db8:1:2:abcd::9"))
    # The next /64 is another client; an IPv4-mapped address is its IPv4 client's.
    _send(config, "up", Request(remote_addr="2001:db8:1:3::1"))
    _send(config, "up", Request(remote_addr="::ffff:10.0.0.9"))
    _send(config, "up", Request(remote_addr="10.0.0.9"))
    with pytest.raises(RateLimitedError):
        _send(config, "up", Request(remote_addr="::ffff:10.0.0.9"))
    _send(config, "up", Request(remote_addr="10.0.0.10"))  # IPv4 counts each address apart


def test_per_address_limits_count_an_ipv6_64_as_one_address(registry: Any) -> None:
    limit = RateLimit.parse("2/min", per="address")
    config = AppConfig(registry=registry, signer=Signer(["k" * 40]), rate_limit=limit)
    for name in ("ann", "bob"):  # logged in or not, the address counts
        _send(config, "down", Request(User(name), remote_addr=f"2001:db8::{len(name) + 1}"))
    with pytest.raises(RateLimitedError, match="at most 2 messages per minute"):
        _send(config, "down", Request(remote_addr="2001:db8::ab"))
    _send(config, "down", Request(remote_addr="2001:db8:0:1::ab"))


def test_the_keys_limits_count_under() -> None:
    assert visitor_key(Request(remote_addr="2001:DB8:1:2:3:4:5:6")) == "address:2001:db8:1:2::/64"
    assert visitor_key(Request(remote_addr="::ffff:192.0.2.7")) == "address:192.0.2.7"
    assert visitor_key(Request(remote_addr="192.0.2.7")) == "address:192.0.2.7"
    assert visitor_key(Request(User("ann"), remote_addr="2001:db8::1")) == "user:ann"
    assert visitor_key(object()) == "address:unknown"
    assert address_group("fe80::1%eth0") == "fe80::/64"
    assert address_group("testclient") == "testclient"  # a host's placeholder, kept as it is


def test_a_page_render_on_the_server_is_never_limited(registry: Any) -> None:
    config = AppConfig(registry=registry, signer=Signer(["k" * 40]), rate_limit="1/min")
    for _ in range(3):
        render_component("vote", config=config)
    _send(config, "down")
    with pytest.raises(RateLimitedError, match="at most 1 message per minute"):
        _send(config, "down")  # the app's limit


def test_the_window_slides() -> None:
    clock = Clock()
    clock.now = 600.0  # a window's start
    limiter = RateLimiter(clock=clock)
    limit = RateLimit(2, 60)

    def hit() -> float | None:
        return finish(limiter.hit("k", limit, SYNC_STEPS))

    assert hit() is None and hit() is None
    wait = hit()
    assert wait is not None and 0 < wait <= 60
    clock.now += 60  # the next window: the previous one's 2 still weigh fully at its start
    assert hit() is not None
    clock.now += 30  # halfway: 2 * 0.5 + 0 + 1 <= 2
    assert hit() is None
    clock.now += 120  # two windows on: nothing weighs any more
    assert hit() is None and hit() is None


def test_the_retry_after_is_when_the_next_message_fits() -> None:
    clock = Clock()
    clock.now = 600.0  # a window's start
    limiter = RateLimiter(clock=clock)
    limit = RateLimit(1, 60)
    assert finish(limiter.hit("k", limit, SYNC_STEPS)) is None
    clock.now += 15
    wait = finish(limiter.hit("k", limit, SYNC_STEPS))
    assert wait == pytest.approx(45)
    clock.now += wait
    assert finish(limiter.hit("k", limit, SYNC_STEPS)) is not None  # the old hit still weighs
    clock.now += 60
    assert finish(limiter.hit("k", limit, SYNC_STEPS)) is None


def test_workers_sharing_a_sqlite_store_count_together(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    first, second = RateLimiter(url), RateLimiter(url)  # as two worker processes would
    try:
        limit = RateLimit(3, 60)
        hits = [finish(limiter.hit("k", limit, SYNC_STEPS)) for limiter in (first, second) * 2]
        assert hits[:3] == [None, None, None] and hits[3] is not None
    finally:
        first.store.close()
        second.store.close()


def test_workers_sharing_redis_count_together(redis_server: Any) -> None:
    async def run() -> list[float | None]:
        first, second = RateLimiter(redis_server.url), RateLimiter(redis_server.url)
        try:
            limit = RateLimit(3, 60)
            return [await limiter.hit("k", limit, ASYNC_STEPS) for limiter in (first, second) * 2]
        finally:
            await first.store.aclose()  # type: ignore[attr-defined]
            await second.store.aclose()  # type: ignore[attr-defined]

    hits = asyncio.run(run())
    assert hits[:3] == [None, None, None] and hits[3] is not None


def test_the_apps_state_store_can_keep_the_counts(registry: Any, tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "state.db")
    try:
        config = AppConfig(registry=registry, signer=Signer(["k" * 40]), store=store,
                           rate_limiter="store")  # fmt: skip
        assert config.rate_limiter.store is store
    finally:
        store.close()
    with pytest.raises(ConfigurationError, match="needs a state store"):
        _ = AppConfig(rate_limiter="store").rate_limiter


def test_client_addresses_of_every_host() -> None:
    @dataclass
    class Client:
        host: str

    @dataclass
    class Starlette:
        client: Client

    @dataclass
    class Django:
        META: dict[str, str]

    assert client_address(Starlette(Client("1.2.3.4"))) == "1.2.3.4"
    assert client_address(Django({"REMOTE_ADDR": "5.6.7.8"})) == "5.6.7.8"
    assert client_address(Request(remote_addr="9.9.9.9")) == "9.9.9.9"
    assert client_address(object()) is None


def test_http_answers_429_with_retry_after_and_the_socket_the_same_error(registry: Any) -> None:
    components = ComponentApp(registry=registry, signer=Signer(["k" * 40]))
    message = json.dumps({"type": "component_event", "component": "vote", "event": "up"})
    with TestClient(Starlette(routes=[components.mount()])) as client:
        for _ in range(2):
            assert client.post("/cf/event", content=message, headers=HEADERS).status_code == 200
        refused = client.post("/cf/event", content=message, headers=HEADERS)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == str(refused.json()["retry_after"])
        assert refused.json()["code"] == "rate_limited"
        with client.websocket_connect("/cf/ws") as socket:
            socket.send_text(message)
            reply = socket.receive_json()
        assert reply["code"] == "rate_limited" and "Too many requests" in reply["error"]
    assert calls == ["up", "up"]
