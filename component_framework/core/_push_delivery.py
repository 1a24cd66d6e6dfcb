"""Push delivery: the event-loop side of the WebSocket manager, publishing and delivering.

Two tasks per process, both on the loop the app runs on:

- the publisher hands queued pushes to the broker in order; while the broker is down it keeps
  them (up to 10,000 pushes and ``AppConfig.push_backlog_bytes``) and retries, so a push made
  during a short outage still arrives; beyond either bound the oldest are dropped and every
  page is told to re-sync once the broker is back;
- the delivery task reads the broker's deliveries and puts each push into the queues of this
  process's subscribed pages (``Connections``, ``_outbox``); a push of
  a whole state is rendered in one worker-thread hop for all of them. It runs while pages are
  connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ._background import background_loop
from ._events import handler_spec
from ._held_state import Written
from ._push import (
    Subscription,
    checks_at_push,
    decode_push,
    encode_push,
    refusals,
    render_state_updates,
    signed_update,
    update_messages,
)
from ._push_events import Page, plain_message, run_event
from ._reply_order import note_push
from .broker import Broker, BrokerUnavailable, InMemoryBroker
from .threads import run_sync

if TYPE_CHECKING:
    from ._connections import Connections
    from .config import AppConfig

__all__ = ["PushDelivery"]

logger = logging.getLogger("component_framework")

MAX_PENDING = 10_000
_RETRY_FIRST, _RETRY_MAX = 0.1, 2.0
_READY_TIMEOUT = 5.0
_CLOSE_TIMEOUT = 5.0
_PAGES_PER_TURN = 64  # pages put between two turns of the loop
_RESYNCS_PER_SECOND = 200  # what one process answers with room to spare (bench/README.md)


class PushDelivery:
    """Publisher and delivery tasks of one manager, bound to the loop that runs them.

    Args:
        connections: The pages of this process (shared with the manager).
        broker: Returns the broker pushes go through (created by the manager on first use).
        config: Returns the manager's config (its backlog bound and resync spread).
    """

    def __init__(
        self,
        connections: Connections,
        broker: Callable[[], Broker],
        config: Callable[[], AppConfig],
    ) -> None:
        self._connections = connections
        self._broker = broker
        self._config = config
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: deque[tuple[str, int]] = deque()  # (push, its size in bytes)
        self._pending_bytes = 0
        self._broker_down = False
        self._publisher: asyncio.Task[None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None
        self._lost = False
        self._flushes: dict[str, asyncio.Future[None]] = {}
        self.kinds: dict[str, Callable[[dict[str, Any]], Awaitable[None]]] = {}
        """Deliverers of further push kinds (``presence``), by kind."""

    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # A new loop (a test's, a restarted server's): the old tasks died with the old one.
            self._loop, self._publisher, self._pump, self._ready = loop, None, None, None
        return loop

    def reset(self) -> None:
        """Forget tasks and queued pushes (the broker changed)."""
        for task in (self._publisher, self._pump):
            if task is not None and self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(task.cancel)
        self._loop, self._publisher, self._pump, self._ready = None, None, None, None
        self._pending.clear()
        self._pending_bytes = 0

    # ---------- Publishing ----------

    def publish(self, text: str) -> None:
        """Queue *text* for the broker; callable from any thread. It never waits, but where no
        app loop runs in the process it waits until the broker has the push."""
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        note_push(self)
        loop = self._loop
        if loop is not None and loop is not running and loop.is_running():
            loop.call_soon_threadsafe(self._enqueue, text)
        elif running is not None:
            self._enqueue(text)
        elif not isinstance(self._broker(), InMemoryBroker):
            # No app loop in this process (a management command, a job, a WSGI worker before
            # its first socket): publish from the background loop, and wait until the broker
            # has it, so a process that exits next does not lose it.
            background_loop().run(self._publish_now(text))
        # Else: one process, no loop running, so no page is connected: nobody to reach.

    async def _publish_now(self, text: str) -> None:
        self._enqueue(text)
        await self._published(_CLOSE_TIMEOUT)

    def _enqueue(self, text: str) -> None:
        loop = self._bind()
        size = len(text.encode())
        limit = self._config().push_backlog_bytes
        # The oldest go first; a single push larger than the bound is still kept, alone.
        while self._pending and (
            len(self._pending) >= MAX_PENDING or self._pending_bytes + size > limit
        ):
            self._take()
            self._lost = True
        self._put(text, size)
        if self._publisher is None:
            self._publisher = loop.create_task(self._publish_all())

    def _put(self, text: str, size: int, *, first: bool = False) -> None:
        if first:
            self._pending.appendleft((text, size))
        else:
            self._pending.append((text, size))
        self._pending_bytes += size

    def _take(self) -> tuple[str, int]:
        text, size = self._pending.popleft()
        self._pending_bytes -= size
        return text, size

    async def _publish_all(self) -> None:
        delay = _RETRY_FIRST
        broker = self._broker()
        try:
            while self._pending:
                text, size = self._take()
                try:
                    await broker.publish(text)
                except BrokerUnavailable:
                    self._put(text, size, first=True)  # kept, in order, until it is back
                    self._broker_down = True
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, _RETRY_MAX)
                    continue
                except Exception:
                    logger.exception("Could not publish a push; it was dropped.")
                    continue
                delay = _RETRY_FIRST
                self._broker_down = False
                if self._lost:
                    self._lost = False
                    resync = encode_push("resync")
                    self._put(resync, len(resync), first=True)
        finally:
            if self._publisher is asyncio.current_task():
                self._publisher = None

    # ---------- Delivering ----------

    def start_delivery(self) -> None:
        """Start reading the broker (a page connected)."""
        loop = self._bind()
        if self._pump is None:
            self._ready = asyncio.Event()
            self._pump = loop.create_task(self._deliver_all(self._ready))

    def stop_delivery_if_idle(self) -> None:
        """Stop reading the broker when no page is connected to this process."""
        if not self._connections.sockets and self._pump is not None:
            self._pump.cancel()
            self._pump, self._ready = None, None

    async def wait_ready(self) -> None:
        """Wait (a few seconds at most) until the broker delivers to this process."""
        ready = self._ready
        if ready is not None and not ready.is_set():
            # If the broker is down, pushes arrive (with a re-sync) once it is back.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ready.wait(), _READY_TIMEOUT)

    async def _deliver_all(self, ready: asyncio.Event) -> None:
        first = True
        async for text in self._broker().deliveries():
            if text is None:  # (re)subscribed: what was published meanwhile may be lost
                ready.set()
                if not first:
                    self.resync_all()
                    for token in list(self._flushes):  # a barrier lost in the outage
                        self._enqueue(encode_push("flush", t=token))
                first = False
                continue
            try:
                await self._deliver(text)
            except Exception:
                logger.exception("Could not deliver a push.")
            # Let the pages' writers send before the next push: a burst of pushes must not
            # count as a page falling behind.
            await asyncio.sleep(0)

    async def _deliver(self, text: str) -> None:
        push = decode_push(text)
        if push is None:
            return
        kind = push["k"]
        if kind == "event":
            await self._deliver_event(
                push["c"], push["e"], push["p"], push.get("id"), push.get("err")
            )
        elif kind == "effects":
            # Stream changes rendered once by the publisher: the same effects for every page.
            effects = push["x"]
            subs = self._connections.of_component(push["c"])
            await self._put_each(
                subs,
                push["c"],
                lambda sub: {
                    "type": "component_update",
                    "component_id": sub.component_id,
                    "effects": effects,
                },
            )
        elif kind == "state":
            await self._deliver_state(push["c"], push["s"])
        elif kind == "update":
            await self._deliver_update(push["id"], push["h"], push["s"])
        elif kind == "resync":
            self.resync_all()
        elif kind == "flush":
            future = self._flushes.pop(push.get("t", ""), None)
            if future is not None and not future.done():
                future.set_result(None)
        elif kind in self.kinds:
            await self.kinds[kind](push)

    async def _deliver_event(
        self,
        component: str,
        event: str,
        payload: dict[str, Any],
        component_id: str | None = None,
        failed: Any = None,
    ) -> None:
        # With *component_id*: only that page's instance (a background task's result); with
        # *failed*: the task failed and the component has no handler for it, the page shows it.
        connections = self._connections
        subs = connections.of_component(component)
        if component_id is not None:
            subs = [sub for sub in connections.of_id(component_id) if sub.component == component]
        if failed:
            error = {"type": "error", "error": "A background task failed.", "code": "task_failed"}
            await self._put_each(
                subs, component, lambda sub: {**plain_message(sub, event, payload), "error": error}
            )
            return
        await self.deliver_event(component, event, payload, subs)

    async def deliver_event(
        self, component: str, event: str, payload: dict[str, Any], subs: list[Subscription]
    ) -> None:
        """Deliver a pushed *event* to *subs* (pages of *component* on this process), as
        ``push_event`` does: run on the server where their state is known, else sent."""
        connections = self._connections
        plain: list[Subscription] = []
        runs: dict[tuple[type[Any], int], list[Page]] = {}
        for sub in subs:
            cls = sub.config.registry.get(component)
            known = connections.known(sub) if cls is not None else None
            if cls is None or known is None or _answered_by_page(cls, event):
                plain.append(sub)
            else:
                runs.setdefault((cls, id(sub.config)), []).append((sub, known))
        await self._put_each(plain, component, lambda sub: plain_message(sub, event, payload))
        for (cls, _), pages in runs.items():
            for sub, reply in await run_event(cls, component, event, payload, pages):
                self._send(sub, reply)

    async def _put_each(
        self,
        subs: list[Subscription],
        component: str,
        message_for: Callable[[Subscription], dict[str, Any]],
    ) -> None:
        """Put ``message_for(sub)`` into the queue of each of *subs* (pages of *component*),
        or its refusal where its permission classes now refuse it."""
        refused = await _refusals(subs, component)
        # One message object per component id, shared by its pages: the transport
        # encodes a shared object once (see web's StarletteConnection).
        messages: dict[str, dict[str, Any]] = {}
        for n, sub in enumerate(subs):
            if n in refused:
                self._send(sub, refused[n])
                continue
            message = messages.get(sub.component_id)
            if message is None:
                message = messages[sub.component_id] = message_for(sub)
            self._connections.put(sub, message)
            if n % _PAGES_PER_TURN == _PAGES_PER_TURN - 1:
                # Let the loop run between slices of a large fan-out: replies on this process
                # wait less, and (before Python 3.12's eager writers) the writer tasks of one
                # slice finish before the next is made, instead of a thousand living at once
                # for the garbage collector to promote and walk (bench/push_fanout.py).
                await asyncio.sleep(0)

    async def _deliver_state(self, component: str, state: dict[str, Any]) -> None:
        groups: dict[type[Any], list[Subscription]] = {}
        for sub in self._connections.of_component(component):
            cls = sub.config.registry.get(component)
            if cls is not None:
                groups.setdefault(cls, []).append(sub)
        written: Written = {}  # a server-held state is stored once per push
        for cls, subs in groups.items():
            # One hop for every page: user code (hydrate, render) never runs on the loop.
            updates = await run_sync(render_state_updates, cls, state, subs, written)
            for sub, update in updates:
                self._send(sub, update)

    async def _deliver_update(self, component_id: str, html: str, state_json: str) -> None:
        subs = self._connections.of_id(component_id)
        if any(sub.component is not None for sub in subs):
            # A server-held state goes to its store (once per push), and pages are checked
            # against their permission classes: user code and IO, one hop for every page.
            state = json.loads(state_json)
            updates = await run_sync(update_messages, subs, html, state, state_json)
        else:
            updates = [signed_update(sub, html, state_json) for sub in subs]
        for sub, update in zip(subs, updates, strict=True):
            self._send(sub, update)

    def _send(self, sub: Subscription, message: dict[str, Any]) -> None:
        # A page its permission classes now refuse is told so, then forgotten.
        self._connections.put(sub, message)
        if message["type"] == "unsubscribed":
            self._connections.unsubscribe(sub.connection_id, sub.component_id)

    def resync(self, sub: Subscription, *, jitter: int | None = None) -> None:
        """Tell *sub*'s page to bring itself back in step (it may have missed pushes), at a
        random moment within *jitter* milliseconds (by default, what ``jitter()`` says)."""
        cls = sub.config.registry.get(sub.component) if sub.component else None
        event = cls.resync_event if cls is not None else None
        jitter = self.jitter() if jitter is None else jitter
        message = {"type": "resync", "component_id": sub.component_id, "event": event}
        self._connections.put(sub, {**message, "jitter": jitter})

    def resync_all(self) -> None:
        """Tell every subscribed page of this process to re-sync, spread over ``jitter()``."""
        jitter = self.jitter()
        for sub in self._connections.all():
            self.resync(sub, jitter=jitter)

    def jitter(self) -> int:
        """Milliseconds over which this process's pages spread their re-sync: enough for
        about 200 a second, at most ``AppConfig.resync_spread``."""
        pages = len(self._connections.sockets)
        return int(min(self._config().resync_spread, pages / _RESYNCS_PER_SECOND) * 1000)

    # ---------- Barriers ----------

    async def flush(self) -> None:
        """Wait until every push queued so far reached this process's page queues and sockets."""
        loop = self._bind()
        if self._pump is None:
            await self._published(None)
            return
        token = secrets.token_hex(8)
        future: asyncio.Future[None] = loop.create_future()
        self._flushes[token] = future
        self._enqueue(encode_push("flush", t=token))
        await future
        for outbox in self._connections.outboxes():
            await outbox.idle()

    async def handed_over(self, timeout: float) -> None:
        """Wait (at most *timeout* seconds) until the broker has every push queued so far;
        return at once while the broker is down."""
        if not self._broker_down:
            await self._published(timeout)

    async def _published(self, timeout: float | None) -> None:
        while self._publisher is not None:
            done, _ = await asyncio.wait({self._publisher}, timeout=timeout)
            if not done:
                return

    async def close(self) -> None:
        """Publish what is pending (within a few seconds), stop delivering, close the broker."""
        self._bind()
        await self._published(_CLOSE_TIMEOUT)
        for task in (self._publisher, self._pump):
            if task is not None:
                task.cancel()
        self._publisher, self._pump, self._ready = None, None, None
        await self._broker().close()


async def _refusals(subs: list[Subscription], component: str) -> dict[int, dict[str, Any]]:
    """The pages of *subs* whose permission classes no longer grant them a push, by position.

    One worker-thread hop for all of them, and none for a component without checks at push.
    """
    classes = [sub.config.registry.get(component) for sub in subs]
    if not any(c is not None and checks_at_push(c) for c in classes):
        return {}
    return await run_sync(refusals, subs, classes)


def _answered_by_page(cls: type[Any], event: str) -> bool:
    # A streaming handler's frames go to the page that asked: it answers such a push itself.
    try:
        return handler_spec(cls, event).is_generator
    except Exception:
        return False  # the run reports the unknown event to every page
