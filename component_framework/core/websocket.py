"""WebSocket connection management: events, signed subscriptions and server pushes.

The manager is transport-agnostic: a web framework wraps its socket in a
``WebSocketConnection`` and feeds every received message to ``handle_message``.
Events go through the one message-handling path (``protocol``). A connection may subscribe
to a component id only with the signed ``subscribe_token`` the server issued with that
component's render; broadcasting is the server's decision, never the client's.

Every push goes through a broker (``broker``): in-memory by default, Redis with
``CF_BROKER_URL``, so a push made on any process reaches the pages connected to every process,
in publish order. A push returns at once; each page has its own bounded queue, and a page that
falls behind is dropped (its page reconnects and re-syncs) without delaying the others.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._events import is_event_name
from ._json import canonical_dumps
from ._push import Subscription, encode_push
from ._subscriptions import Subscriptions
from .broker import Broker, broker_from_url
from .exceptions import MessageError, SubscriptionLimitError
from .permissions import check_permissions
from .protocol import DEFAULT_LIMITS, Limits, error_reply, handle_message, load_message
from .registry import ComponentRegistry, registry
from .signing import Signer, get_signer

if TYPE_CHECKING:
    from ._outbox import Outbox
    from ._runtime import Runtime

__all__ = ["ComponentWebSocketManager", "WebSocketConnection", "ws_manager"]

logger = logging.getLogger("component_framework")


class WebSocketConnection(ABC):
    """Abstract WebSocket connection."""

    @abstractmethod
    async def send(self, data: dict[str, Any]) -> None:
        """Send data to client."""
        raise NotImplementedError

    @abstractmethod
    async def receive(self) -> dict[str, Any]:
        """Receive data from client."""
        raise NotImplementedError

    @abstractmethod
    async def close(self) -> None:
        """Close connection."""
        raise NotImplementedError

    async def drop(self) -> None:
        """End a connection whose page fell behind; by default ``close``."""
        await self.close()

    @property
    def request(self) -> Any:
        """The request object permission classes see (for example Starlette's WebSocket)."""
        return None


class ComponentWebSocketManager:
    """Connections, subscriptions and server pushes of one app (every process runs one).

    Args:
        registry: Where component names are looked up (a web app may pass its own per call).
        signer: Signs pushed state; the process-wide signer by default.
        limits: Size and nesting limits on messages.
        broker: A ``Broker`` or broker URL; default ``CF_BROKER_URL``, else
            in-memory (one process).
        max_subscriptions: Subscriptions one connection may hold (refused beyond).
        max_queued: Pushes waiting for one page, beyond one per subscription it holds (a
            single push fans out one message per subscribed id), before it is dropped as
            fallen behind.
        send_timeout: Seconds one send (a push, or the reply to the page's own message) may
            take before the page is dropped.

    Example:

        await ws_manager.push_event("todo-list", "refresh", {"id": 3})
    """

    def __init__(
        self,
        *,
        registry: ComponentRegistry = registry,
        signer: Signer | None = None,
        limits: Limits = DEFAULT_LIMITS,
        broker: Broker | str | None = None,
        max_subscriptions: int = 1000,
        max_queued: int = 256,
        send_timeout: float = 10.0,
    ) -> None:
        self.connections: dict[str, list[WebSocketConnection]] = {}
        self._subs = Subscriptions()
        self._outboxes: dict[int, Outbox] = {}
        self._registry = registry
        self._signer = signer
        self._limits = limits
        self._broker: Broker | None = None
        self._broker_choice = broker
        self.max_subscriptions = max_subscriptions
        self.max_queued = max_queued
        self.send_timeout = send_timeout
        self._runtime_obj: Runtime | None = None

    def __repr__(self) -> str:
        return (
            f"<ComponentWebSocketManager connections={len(self.connections)} "
            f"components={len(self._subs)}>"
        )

    @property
    def _runtime(self) -> Runtime:
        # Created on first use: importing core (cf dispatch) needs no event loop library.
        if self._runtime_obj is None:
            from ._runtime import Runtime

            self._runtime_obj = Runtime(self)
        return self._runtime_obj

    @property
    def signer(self) -> Signer:
        """The signer for subscriptions and pushes (the process-wide one by default)."""
        return self._signer or get_signer()

    @property
    def broker(self) -> Broker:
        """The broker every push goes through (created on first use)."""
        if self._broker is None:
            choice = self._broker_choice
            self._broker = choice if isinstance(choice, Broker) else broker_from_url(choice)
        return self._broker

    def use_broker(self, broker: Broker | str | None) -> None:
        """Switch to *broker* (a Broker or URL; ``None``: ``CF_BROKER_URL`` or in-memory).

        Call it at start-up, before pages connect.
        """
        self._broker, self._broker_choice = None, broker
        self._runtime.reset()

    @property
    def component_subscribers(self) -> dict[str, set[str]]:
        """Component id -> ids of the connections of this process subscribed to it."""
        return self._subs.subscribers()

    # ---------- Connections ----------

    async def connect(self, connection: WebSocketConnection, connection_id: str) -> None:
        """Register new WebSocket connection."""
        from ._outbox import Outbox

        self.connections.setdefault(connection_id, []).append(connection)
        self._outboxes[id(connection)] = Outbox(
            connection,
            # A page holding many subscriptions gets one message per id from one push.
            max_messages=lambda: self.max_queued + len(self._subs.held(connection_id)),
            send_timeout=self.send_timeout,
            on_drop=lambda: self._forget(connection_id, connection),
        )
        self._runtime.start_delivery()
        logger.info("WebSocket connected: %s", connection_id)

    async def disconnect(self, connection_id: str) -> None:
        """Remove a connection id and every subscription it held."""
        for connection in self.connections.pop(connection_id, []):
            self._outboxes.pop(id(connection), None)
        self._subs.remove_connection(connection_id)
        self._runtime.stop_delivery_if_idle()
        logger.info("WebSocket disconnected: %s", connection_id)

    def _forget(self, connection_id: str, connection: WebSocketConnection) -> None:
        # A dropped page: it reconnects under a new id and subscribes again.
        self._outboxes.pop(id(connection), None)
        remaining = [c for c in self.connections.get(connection_id, []) if c is not connection]
        if remaining:
            self.connections[connection_id] = remaining
            return
        self.connections.pop(connection_id, None)
        self._subs.remove_connection(connection_id)

    # ---------- Subscriptions ----------

    def subscribe(
        self,
        connection_id: str,
        component_id: str,
        component: str | None = None,
        *,
        signer: Signer | None = None,
        registry: ComponentRegistry | None = None,
    ) -> None:
        """Subscribe a connection to a component's pushes (a trusted server-side call)."""
        signer = signer or self.signer
        registry = registry or self._registry
        self._subs.add(Subscription(connection_id, component_id, component, signer, registry))
        logger.debug("Subscribed %s to component %s", connection_id, component_id)

    def unsubscribe(self, connection_id: str, component_id: str) -> None:
        """Unsubscribe connection from component updates."""
        self._subs.remove(connection_id, component_id)

    def subscribed_ids(self, component: str) -> list[str]:
        """Return the component ids of *component* that pages of this process subscribed to."""
        return self._subs.ids_of(component)

    def subscriptions(self, component: str) -> list[Subscription]:
        """Return this process's subscriptions to instances of *component*."""
        return self._subs.of_component(component)

    def subscriptions_of(self, component_id: str) -> list[Subscription]:
        """Return this process's subscriptions to the component id *component_id*."""
        return self._subs.of_id(component_id)

    def all_subscriptions(self) -> list[Subscription]:
        """Return every subscription of this process."""
        return self._subs.all()

    # ---------- Messages ----------

    async def handle_message(
        self,
        connection: WebSocketConnection,
        connection_id: str,
        message: Mapping[str, Any] | str | bytes,
        *,
        registry: ComponentRegistry | None = None,
        signer: Signer | None = None,
        limits: Limits | None = None,
    ) -> None:
        """Handle one incoming WebSocket message and send the reply on *connection*.

        Message types: ``component_event`` (the protocol message; replies with
        ``component_update`` or ``error``), ``subscribe`` (needs ``component_id`` and the
        ``token`` issued with the render; replies ``subscribed``) and ``unsubscribe``. The
        *registry*, *signer* and *limits* of the app the socket belongs to override the
        manager's own.
        """
        try:
            limits = limits or self._limits
            if isinstance(message, str | bytes):
                # The same size limit (413, in bytes) and JSON errors as every other transport.
                message = load_message(message, limits)
            if not isinstance(message, Mapping):
                raise MessageError(f"Message must be a JSON object, got {type(message).__name__}.")
            reply = await self._route(
                connection,
                connection_id,
                message,
                registry or self._registry,
                signer or self._signer,
                limits,
            )
        except Exception as exc:
            reply = error_reply(exc)
        await self._reply(connection, reply)

    async def _reply(self, connection: WebSocketConnection, reply: dict[str, Any]) -> None:
        # A page that stops reading its replies is let go like one that stops reading its
        # pushes: waiting on it for good would hold its socket and what it sent.
        import asyncio  # here, not at module level: core imports without an event loop

        try:
            async with asyncio.timeout(self.send_timeout):
                await connection.send(reply)
        except TimeoutError:
            logger.warning(
                "Dropped a WebSocket that did not read its reply within %gs: %r",
                self.send_timeout,
                connection,
            )
            await connection.drop()

    async def _route(
        self,
        connection: WebSocketConnection,
        connection_id: str,
        message: Mapping[str, Any],
        registry: ComponentRegistry,
        signer: Signer | None,
        limits: Limits,
    ) -> dict[str, Any]:
        msg_type = message.get("type")
        if msg_type == "component_event":
            return await handle_message(
                message, connection.request, registry=registry, signer=signer, limits=limits
            )
        component_id = message.get("component_id")
        if msg_type not in ("subscribe", "unsubscribe"):
            raise MessageError(
                f"Unknown message type {msg_type!r}: expected component_event, "
                "subscribe or unsubscribe."
            )
        if not isinstance(component_id, str) or not component_id:
            raise MessageError(f"A {msg_type} message needs a 'component_id' string.")
        if msg_type == "unsubscribe":
            self.unsubscribe(connection_id, component_id)
            return {"type": "unsubscribed", "component_id": component_id}
        signer = signer or self.signer
        name = signer.verify_subscription(component_id, message.get("token"))
        component_cls = registry.get(name)
        if component_cls is not None:
            # The token proves the server rendered this id; the permissions decide whether
            # this connection's user may watch it.
            check_permissions(component_cls, connection.request)
        held = self._subs.held(connection_id)
        if component_id not in held and len(held) >= self.max_subscriptions:
            raise SubscriptionLimitError(
                f"This connection already holds {len(held)} subscriptions (the limit); "
                "unsubscribe from one first, or raise max_subscriptions on the manager."
            )
        self.subscribe(connection_id, component_id, name, signer=signer, registry=registry)
        await self._runtime.wait_ready()
        if message.get("resync") is True:
            # The page reconnected: it may have missed pushes, so it re-syncs now.
            self._runtime.resync(self._subs.held(connection_id)[component_id])
        return {
            "type": "subscribed",
            "component_id": component_id,
            "subscribe_token": signer.subscription_token(name, component_id),
        }

    # ---------- Server pushes (each returns at once; delivery is asynchronous) ----------

    async def push_event(
        self, component: str, event: str, payload: Mapping[str, Any] | None = None
    ) -> None:
        """Send *event* to every page subscribed to a component named *component*.

        Each page handles it like its own event (``on_<event>(**payload)``) with its own
        state, through the usual message path (permissions, signing). Pages on every process
        get it; this returns without waiting on delivery. From sync code (a ``def`` handler
        in a worker thread) call ``push_event_nowait`` instead.

        Raises:
            ValueError: *event* is not a handler name or *payload* is not JSON.
        """
        self.push_event_nowait(component, event, payload)

    def push_event_nowait(
        self, component: str, event: str, payload: Mapping[str, Any] | None = None
    ) -> None:
        """``push_event`` for sync code; safe from any thread, returns at once."""
        if not is_event_name(event):
            raise ValueError(
                f"Event {event!r} is not a handler name: use the part after 'on_', "
                "like 'refresh' for on_refresh."
            )
        self._publish("event", c=component, e=event, p=_json_object(payload or {}, "payload"))

    async def push_state(self, component: str, state: dict[str, Any]) -> None:
        """Replace the whole state of every page's instance of *component* with *state*.

        Every subscribed instance (on every process) re-renders with *state*, and its own
        state is lost. To keep per-page state (a filter, a draft), use ``push_event``.
        """
        self._publish("state", c=component, s=_json_object(state, "state"))

    async def push_update(self, component_id: str, html: str, state: dict[str, Any]) -> None:
        """Push *html* and *state* to the pages subscribed to the one id *component_id*."""
        self._publish("update", id=component_id, h=html, s=canonical_dumps(state))

    async def broadcast_update(self, component_id: str, update: dict[str, Any]) -> None:
        """Send ``{"type": "component_update", **update}`` to the subscribers of *component_id*."""
        self._publish("raw", id=component_id, u=update)

    def _publish(self, kind: str, **fields: Any) -> None:
        self._runtime.publish(encode_push(kind, **fields))

    async def flush(self) -> None:
        """Wait until this process's pages got every push this process made so far."""
        await self._runtime.flush()

    async def close(self) -> None:
        """Publish what is still pending (a few seconds at most), then close the broker."""
        await self._runtime.close()


def _json_object(value: Any, what: str) -> Any:
    try:
        canonical_dumps(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The pushed {what} must hold only JSON values: {exc}") from None
    return value


ws_manager = ComponentWebSocketManager()
"""The default manager: the pages subscribed in this process, and where pushes go."""
