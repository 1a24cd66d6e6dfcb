"""Records every event that goes through the web transport, for the playground's event log.

An ASGI middleware around the mounted ``ComponentApp``: for ``POST {prefix}/event`` and
``POST {prefix}/stream`` it keeps a copy of the request body and of the reply, measures the
server time, and publishes an ``event`` message with the state before and after, their diff,
and the reply's effects.
The transport itself is untouched: the bytes pass through as they are. For a component with
server-held state (the page holds only a reference) the states logged are read from its store,
once the request has arrived and again after the reply.

A server push reaches a page over its WebSocket, and the page answers it with an event of its
own: the recorder watches the pushes sent and marks the event that answers one as ``pushed``,
so the playground can tell what came from outside the session (an exported test cannot).
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from component_framework.core import ComponentRegistry
from component_framework.core._diff import state_diff
from component_framework.core._held_state import key_of, store_for
from component_framework.core.config import AppConfig

from ._channel import LiveChannel

__all__ = ["EventRecorder", "state_diff"]

_MAX_RECORDED_BYTES = 2 * 1024 * 1024


class EventRecorder:
    """Wrap *app* (the component transport) and publish each event to *channel*."""

    def __init__(
        self, app: ASGIApp, channel: LiveChannel, registry: ComponentRegistry | None = None
    ) -> None:
        self.app = app
        self.channel = channel
        self.registry = registry
        self.sequence = 0
        self.pushed: dict[str, str | None] = {}  # component id -> the event last pushed to it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "websocket":
            await self.app(scope, receive, self._watching_pushes(send))
            return
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or not path.endswith(("/event", "/stream"))
        ):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_body = bytearray()
        response_body = bytearray()
        status = 0
        held: dict[str, Any] = {}

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) < _MAX_RECORDED_BYTES:
                request_body.extend(message.get("body", b""))
            if message["type"] == "http.request" and not message.get("more_body"):
                await self._read_held(bytes(request_body), held)  # before the event runs
            return message

        async def send_and_keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and (
                len(response_body) < _MAX_RECORDED_BYTES
            ):
                response_body.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive_and_keep, send_and_keep)
        elapsed = (time.perf_counter() - started) * 1000
        if "store" in held:
            held["after"] = await held["store"].aload(held["id"])
        streamed = path.endswith("/stream")
        entry = self._entry(bytes(request_body), bytes(response_body), streamed, status, elapsed)
        if entry is not None:
            if "store" in held:
                self._use_held(entry, held)
            self.channel.publish(entry)

    def _watching_pushes(self, send: Send) -> Send:
        async def send_and_note(message: Message) -> None:
            text = message.get("text") if message["type"] == "websocket.send" else None
            if text and ('"push_event"' in text or '"resync"' in text):
                try:
                    push = json.loads(text)
                except ValueError:
                    push = None
                if isinstance(push, dict) and isinstance(push.get("component_id"), str):
                    self.pushed[push["component_id"]] = push.get("event")
            await send(message)

        return send_and_note

    async def _read_held(self, body: bytes, held: dict[str, Any]) -> None:
        try:
            message = json.loads(body)
        except ValueError:
            return
        if self.registry is None or not isinstance(message, dict):
            return
        name, component_id = message.get("component"), message.get("component_id")
        component_cls = self.registry.get(name) if isinstance(name, str) else None
        config = AppConfig(registry=self.registry)
        store = store_for(component_cls, config) if component_cls is not None else None
        key = key_of(message.get("state"))
        if store is not None and isinstance(component_id, str) and key is not None:
            held.update(store=store, id=key, before=await store.aload(key))

    @staticmethod
    def _use_held(entry: dict[str, Any], held: dict[str, Any]) -> None:
        entry["state_before"] = before = held["before"]
        if entry.get("error"):
            entry["state_after"] = before
        else:
            entry["state_after"] = after = held["after"]
            entry["diff"] = state_diff(before or {}, after or {})

    def _entry(
        self, request: bytes, response: bytes, streamed: bool, status: int, elapsed_ms: float
    ) -> dict[str, Any] | None:
        try:
            message = json.loads(request)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        replies = _stream_replies(response) if streamed else _json_replies(response)
        reply = replies[-1] if replies else {"type": "error", "error": "no reply", "code": ""}
        before = _state(message.get("state"))
        self.sequence += 1
        entry: dict[str, Any] = {
            "type": "event",
            "seq": self.sequence,
            "at": time.time(),
            "component": message.get("component"),
            "component_id": message.get("component_id") or reply.get("component_id"),
            "event": message.get("event"),
            "payload": message.get("payload") or {},
            "state_before": before,
            "status": status,
            "server_ms": round(elapsed_ms, 2),
            "frames": len(replies),
        }
        component_id = entry["component_id"]
        pushed = self.pushed.get(component_id) if isinstance(component_id, str) else False
        if pushed == entry["event"] and component_id in self.pushed:
            entry["pushed"] = True  # the page's answer to a server push
            del self.pushed[component_id]
        if reply.get("type") == "error":
            entry["error"] = reply.get("error")
            entry["code"] = reply.get("code")
            entry["state_after"] = before
            entry["diff"] = []
        else:
            after = _state(reply.get("state"))
            entry["state_after"] = after
            entry["diff"] = state_diff(before or {}, after or {})
        effects = [e for r in replies for e in r.get("effects", ()) if isinstance(e, dict)]
        if effects:  # what the reply asked the page to do (a redirect, a flash, ...)
            entry["effects"] = effects
        if isinstance(message.get("url"), str):
            entry["url"] = message["url"]  # a render from the URL (back or forward)
        return entry


def _json_replies(body: bytes) -> list[dict[str, Any]]:
    try:
        reply = json.loads(body)
    except ValueError:
        return []
    return [reply] if isinstance(reply, dict) else []


def _stream_replies(body: bytes) -> list[dict[str, Any]]:
    replies = []
    for line in body.decode("utf-8", "replace").splitlines():
        if line.startswith("data:"):
            try:
                frame = json.loads(line[5:].strip())
            except ValueError:
                continue
            if isinstance(frame, dict):
                replies.append(frame)
    return replies


def _state(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None
