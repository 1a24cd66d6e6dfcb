"""Core's HTTP layer on its own: encoding, the refusals, cf.js. Every host runs it (see
tests/adapters/test_contract.py for the same cases through each one)."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from component_framework.core._http import (
    AsgiBody,
    RequestHead,
    event_reply,
    json_reply,
    script_reply,
    script_version,
)
from component_framework.core._json import wire_json
from component_framework.core.config import AppConfig


def test_replies_are_compact_utf8() -> None:
    assert wire_json({"html": "<p>é</p>"}) == '{"html":"<p>é</p>"}'
    assert json_reply({"html": "<p>é</p>"}, 200).body == '{"html":"<p>é</p>"}'.encode()


def test_a_lone_surrogate_is_escaped_instead_of_crashing() -> None:
    text = wire_json({"error": "Component '\ud800' not found."})
    assert json.loads(text) == {"error": "Component '\ud800' not found."}
    reply = json_reply({"x": "\ud800"}, 200)
    assert reply.body == b'{"x":"\\ud800"}'
    assert reply.headers == {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-CF-Version": script_version(),  # the cf.js this server serves
    }


def test_the_asgi_head_is_read_in_one_pass_first_header_wins() -> None:
    head = RequestHead.from_asgi(
        [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"x-cf-request", b"1"),
            (b"content-type", b"text/plain"),
            (b"content-length", b"12"),
        ]
    )
    assert head == RequestHead("application/json; charset=utf-8", True, "12")
    assert not RequestHead.from_asgi([(b"x-cf-request", b"")]).marked


def _receive(*messages: dict[str, Any]) -> Any:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        await asyncio.sleep(3600)  # a client that never sends the rest
        raise AssertionError("unreachable")

    return receive


HEAD = RequestHead("application/json", True, None)


def _event(config: AppConfig, *messages: dict[str, Any]) -> tuple[int, Any]:
    reply = asyncio.run(event_reply(config, None, HEAD, AsgiBody(_receive(*messages))))
    return reply.status, json.loads(reply.body) if reply.body else None


def test_a_body_over_the_limit_is_refused_while_it_arrives() -> None:
    config = AppConfig(max_body_bytes=10)
    chunk = {"type": "http.request", "body": b"x" * 8, "more_body": True}
    assert _event(config, chunk, chunk) == (
        413,
        {"type": "error", "error": "Request body is 16 bytes (limit: 10).", "code": "too_large"},
    )


def test_a_body_that_does_not_arrive_in_time_is_refused_and_a_client_that_left_gets_nothing() -> (
    None
):
    slow = AppConfig(body_timeout=0.01)
    part = {"type": "http.request", "body": b"{", "more_body": True}
    status, body = _event(slow, part)
    assert (status, body["code"]) == (408, "request_timeout")
    assert _event(AppConfig(), {"type": "http.disconnect"}) == (499, None)


def test_the_script_is_immutable_when_asked_for_by_its_hash() -> None:
    version = script_version()
    fresh = script_reply(version, None)
    assert fresh.status == 200 and fresh.media_type == "text/javascript; charset=utf-8"
    assert fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert script_reply(None, None).headers["Cache-Control"] == "no-cache"
    assert script_reply(None, f'"{version}"').status == 304


def test_the_event_loop_runs_between_frames_of_a_stream(fresh_registry: Any) -> None:
    # A handler that never awaits must not hold the loop for the whole stream: other clients
    # are served, and the server notices a client that hung up, between any two frames.
    from component_framework.core import StreamingComponent
    from component_framework.core._http import stream_reply

    from ._support import Plain

    @fresh_registry.register("busy")
    class Busy(StreamingComponent):
        template_name = "busy.html"
        renderer = Plain()

        async def on_run(self) -> Any:
            for _ in range(3):
                yield  # never awaits

    async def run() -> list[int]:
        ticks = [0]

        async def other_client() -> None:
            while True:
                ticks[0] += 1
                await asyncio.sleep(0)

        other = asyncio.create_task(other_client())
        body = json.dumps({"component": "busy", "event": "run"}).encode()
        config = AppConfig(registry=fresh_registry)
        reply = await stream_reply(config, None, HEAD, lambda: body)
        assert reply.stream is not None
        seen = []
        async for _ in reply.stream:  # type: ignore[union-attr]
            seen.append(ticks[0])
        other.cancel()
        return seen

    seen = asyncio.run(run())
    assert len(seen) == 4  # three frames and the last
    assert all(later > earlier for earlier, later in itertools.pairwise(seen[1:]))
