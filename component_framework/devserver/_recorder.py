"""Records every event that goes through the web transport, for the playground's event log.

An ASGI middleware around the mounted ``ComponentApp``: for ``POST {prefix}/event`` and
``POST {prefix}/stream`` it keeps a copy of the request body and of the reply, measures the
server time, and publishes an ``event`` message with the state before and after, their diff,
and the reply's effects.
The transport itself is untouched: the bytes pass through as they are. For a component with
server-held state (the page holds only a reference) the states logged are read from its store,
once the request has arrived and again after the reply.

Events a page sends over its WebSocket (a ``"ws"`` component's, or a page's answer to a push)
are logged the same way, from the ``component_event`` received and the reply sent with its
``ref``. A server push reaches a page over its WebSocket: either the page answers it with an
event of its own, which the recorder marks ``pushed``, or the server ran the pushed event from
the state the page holds and sends the update itself, which is logged as a ``pushed`` entry of
its own (the state before is the last one the page was seen to hold). The playground can so
tell what came from outside the session (an exported test cannot). A page that set such an
update aside (it had a request in flight) answers the push itself: that answer's entry
``replaces`` the run's.
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
from component_framework.core.protocol import BATCH, BATCH_REPLY, http_status

from ._channel import LiveChannel

__all__ = ["EventRecorder", "state_diff"]

_MAX_RECORDED_BYTES = 2 * 1024 * 1024
_MAX_PAGES = 1000  # the pages whose name and last state the log keeps


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
        self.pages: dict[str, dict[str, Any]] = {}  # component id -> its name and last state
        self.ran: dict[str, dict[str, Any]] = {}  # component id -> the push the server ran

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "websocket":
            socket = _SocketLog(self)
            await self.app(scope, socket.watch_receive(receive), socket.watch_send(send))
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
        streamed = path.endswith("/stream")
        body, reply = bytes(request_body), bytes(response_body)
        await self.record(body, reply, streamed, status, started, held)

    async def record(
        self,
        request: bytes,
        response: bytes,
        streamed: bool,
        status: int,
        started: float,
        held: dict[str, Any],
    ) -> None:
        """Publish the entry of one event: its message, its reply (or stream), how long."""
        elapsed = (time.perf_counter() - started) * 1000
        if "store" in held:
            held["after"] = await held["store"].aload(held["id"])
        batch = None if streamed else _batch(request, response)
        if batch is not None:  # several components' events in one request: an entry each
            for message, reply in batch:
                self.channel.publish(self._entry_of(message, [reply], http_status(reply), elapsed))
            return
        entry = self._entry(request, response, streamed, status, elapsed)
        if entry is not None:
            if "store" in held:
                self._use_held(entry, held)
            self.channel.publish(entry)

    def note_push(self, push: dict[str, Any]) -> None:
        """A push sent to a page: the page's answer to it is ``pushed``; an update the server
        ran for it is an entry of its own."""
        component_id = push["component_id"]
        update = push.get("update")
        if not isinstance(update, dict) and "error" not in push:
            self.pushed[component_id] = push.get("event")
            return
        page = self.pages.get(component_id, {})
        before = _state(page.get("state"))
        self.sequence += 1
        entry: dict[str, Any] = {
            "type": "event",
            "seq": self.sequence,
            "at": time.time(),
            "component": page.get("component"),
            "component_id": component_id,
            "event": push.get("event"),
            "payload": push.get("payload") or {},
            "state_before": before,
            "status": 200,
            "server_ms": None,  # run once for every page in that state, not for this one
            "frames": 1,
            "pushed": True,
        }
        if not isinstance(update, dict):
            error = push["error"] if isinstance(push.get("error"), dict) else {}
            entry.update(error=error.get("error"), code=error.get("code"))
            entry.update(state_after=before, diff=[])
        else:
            after = _state(update.get("state"))
            entry.update(state_after=after, diff=state_diff(before or {}, after or {}))
            if update.get("effects"):
                entry["effects"] = update["effects"]
            self.note_page(component_id, state=update.get("state"))
            # Until the page's next event shows whether it applied the update or answered
            # the push itself (see _entry).
            self.pushed[component_id] = push.get("event")
            self.ran[component_id] = {
                "seq": entry["seq"],
                "event": push.get("event"),
                "state": update.get("state"),
            }
            while len(self.ran) > _MAX_PAGES:
                del self.ran[next(iter(self.ran))]
        self.channel.publish(entry)

    def note_page(self, component_id: Any, *, component: Any = None, state: Any = None) -> None:
        """Remember the name and the state a page was last seen to hold (a bounded number)."""
        if not isinstance(component_id, str):
            return
        page = self.pages.pop(component_id, {})
        if isinstance(component, str):
            page["component"] = component
        if isinstance(state, str):
            page["state"] = state
        self.pages[component_id] = page
        while len(self.pages) > _MAX_PAGES:
            del self.pages[next(iter(self.pages))]

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
        return self._entry_of(message, replies, status, elapsed_ms)

    def _entry_of(
        self,
        message: dict[str, Any],
        replies: list[dict[str, Any]],
        status: int,
        elapsed_ms: float,
    ) -> dict[str, Any]:
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
        ran = self.ran.get(component_id) if isinstance(component_id, str) else None
        if ran is not None and message.get("state") == ran["state"]:
            # The page applied the update the server ran: this event is its own.
            del self.ran[component_id]
            self.pushed.pop(component_id, None)
        elif ran is not None and entry["event"] == ran["event"]:
            # The page set the server's update aside (it had a request in flight, or held
            # another state) and answered the push itself: this entry takes the run's place.
            del self.ran[component_id]
            entry["replaces"] = ran["seq"]
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
        if reply.get("type") == "component_update":
            self.note_page(component_id, component=entry["component"], state=reply.get("state"))
        effects = [e for r in replies for e in r.get("effects", ()) if isinstance(e, dict)]
        if effects:  # what the reply asked the page to do (a redirect, a flash, ...)
            entry["effects"] = effects
        if isinstance(message.get("url"), str):
            entry["url"] = message["url"]  # a render from the URL (back or forward)
        return entry


def _batch(request: bytes, response: bytes) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
    # The (message, reply) pairs of a component_batch answered with its batch_reply, or None.
    message, reply = _object(request.decode("utf-8", "replace")), _json_replies(response)
    if message.get("type") != BATCH or not reply or reply[0].get("type") != BATCH_REPLY:
        return None
    pairs = zip(message.get("messages") or [], reply[0].get("replies") or [], strict=False)
    return [(m, r) for m, r in pairs if isinstance(m, dict) and isinstance(r, dict)]


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


class _SocketLog:
    """What one WebSocket carries that the log shows: the events a page sends on it (with
    their replies), the pages it subscribes (their names and states) and the pushes."""

    def __init__(self, recorder: EventRecorder) -> None:
        self.recorder = recorder
        self.asked: dict[str, tuple[float, bytes, dict[str, Any]]] = {}  # ref -> the event

    def watch_receive(self, receive: Receive) -> Receive:
        async def receive_and_note() -> Message:
            message = await receive()
            text = message.get("text") if message["type"] == "websocket.receive" else None
            incoming = _object(text)
            kind = incoming.get("type")
            if kind == "component_event" and isinstance(incoming.get("ref"), str):
                held: dict[str, Any] = {}
                body = text.encode() if isinstance(text, str) else b""
                await self.recorder._read_held(body, held)  # before the event runs
                self.asked[incoming["ref"]] = (time.perf_counter(), body, held)
            elif kind == "subscribe":
                token = incoming.get("token")
                name = token.split(":", 1)[0] if isinstance(token, str) else None
                self.recorder.note_page(
                    incoming.get("component_id"), component=name, state=incoming.get("state")
                )
            return message

        return receive_and_note

    def watch_send(self, send: Send) -> Send:
        async def send_and_note(message: Message) -> None:
            text = message.get("text") if message["type"] == "websocket.send" else None
            await send(message)
            if not text:
                return
            if '"push_event"' in text or '"resync"' in text:
                push = _object(text)
                if push.get("type") in ("push_event", "resync") and isinstance(
                    push.get("component_id"), str
                ):
                    self.recorder.note_push(push)
            elif self.asked and '"ref"' in text:
                reply = _object(text)
                asked = self.asked.pop(str(reply.get("ref")), None)
                if asked is not None:
                    started, body, held = asked
                    await self.recorder.record(body, text.encode(), False, 200, started, held)

        return send_and_note


def _object(text: Any) -> dict[str, Any]:
    if not isinstance(text, str) or len(text) > _MAX_RECORDED_BYTES:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
