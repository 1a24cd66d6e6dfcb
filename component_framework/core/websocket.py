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

from ._connections import Connections
from ._events import is_event_name
from ._json import canonical_dumps
from ._message import json_object
from ._push import Subscription, encode_push
from .broker import Broker, broker_from_url
from .config import AppConfig
from .exceptions import MessageError, SubscriptionLimitError
from .permissions import check_permissions
from .protocol import BATCH, BATCH_REPLY, Limits, error_reply, handle_message, load_message
from .registry import ComponentRegistry
from .signing import Signer
from .streams import StreamPush
from .tasks import after_reply, listen_for_gone, page_gone

if TYPE_CHECKING:
    from ._push_delivery import PushDelivery
    from .presence import Presence

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
        config: The app's configuration: registry, signer, limits, broker (a web app may pass
            its own per message, see ``handle_message``).
        registry: Where component names are looked up (replaces the config's).
        signer: Signs pushed state (replaces the config's; the process-wide one by default).
        limits: Size and nesting limits on messages (replaces the config's).
        broker: A ``Broker`` or broker URL (replaces the config's); default
            ``CF_BROKER_URL``, else in-memory (one process).
        max_subscriptions: Subscriptions one connection may hold (refused beyond).
        max_queued: Pushes waiting for one page, beyond one per subscription it holds (a
            single push fans out one message per subscribed id), before it is dropped as
            fallen behind.
        send_timeout: Seconds one send (a push, or the reply to the page's own message) may
            take before the page is dropped.
        max_known_bytes: Bytes of page states one connection remembers (the last state the
            server signed and sent each subscribed id), so a pushed event runs on the server
            for them; beyond it the least recently sent are forgotten (those pages answer
            their pushes themselves).

    Example:

        await ws_manager.push_event("todo-list", "refresh", {"id": 3})
    """

    def __init__(
        self,
        *,
        config: AppConfig | None = None,
        registry: ComponentRegistry | None = None,
        signer: Signer | None = None,
        limits: Limits | None = None,
        broker: Broker | str | None = None,
        max_subscriptions: int = 1000,
        max_queued: int = 256,
        send_timeout: float = 10.0,
        max_known_bytes: int = 1 << 20,
    ) -> None:
        config = config or AppConfig()
        changes = {"registry": registry, "signer": signer, "limits": limits, "broker": broker}
        self.config = config.replace(**{k: v for k, v in changes.items() if v is not None})
        self._connections = Connections(
            max_queued=max_queued, send_timeout=send_timeout, max_known_bytes=max_known_bytes
        )
        self._broker: Broker | None = None
        self.max_subscriptions = max_subscriptions
        self._delivery_obj: PushDelivery | None = None
        self._presence: Presence | None = None

    def __repr__(self) -> str:
        return (
            f"<ComponentWebSocketManager connections={len(self.connections)} "
            f"components={self._connections.subscribed_components()}>"
        )

    @property
    def _delivery(self) -> PushDelivery:
        # Created on first use: importing core (cf dispatch) needs no event loop library.
        if self._delivery_obj is None:
            from ._push_delivery import PushDelivery

            self._delivery_obj = PushDelivery(
                self._connections, lambda: self.broker, lambda: self.config
            )
            listen_for_gone(self)  # tasks here whose page left another process are cancelled
        return self._delivery_obj

    @property
    def presence(self) -> Presence:
        """Who is on each topic, for the components that track it (``core.presence``)."""
        if self._presence is None:
            from .presence import Presence

            self.presence = Presence()
        assert self._presence is not None
        return self._presence

    @presence.setter
    def presence(self, presence: Presence) -> None:
        presence._bind(self)
        self._presence = presence
        self._delivery.kinds["presence"] = presence.deliver

    @property
    def connections(self) -> dict[str, list[WebSocketConnection]]:
        """Connection id -> the sockets connected under it (in this process)."""
        return self._connections.sockets

    @property
    def component_subscribers(self) -> dict[str, set[str]]:
        """Component id -> ids of the connections of this process subscribed to it."""
        return self._connections.subscribers()

    @property
    def signer(self) -> Signer:
        """The signer for subscriptions and pushes (the process-wide one by default)."""
        return self.config.signer

    @property
    def max_queued(self) -> int:
        """Pushes waiting for one page (beyond one per subscription) before it is dropped."""
        return self._connections.max_queued

    @max_queued.setter
    def max_queued(self, value: int) -> None:
        self._connections.max_queued = value

    @property
    def send_timeout(self) -> float:
        """Seconds one send may take before the page is dropped."""
        return self._connections.send_timeout

    @send_timeout.setter
    def send_timeout(self, value: float) -> None:
        self._connections.send_timeout = value

    @property
    def broker(self) -> Broker:
        """The broker every push goes through (created on first use)."""
        if self._broker is None:
            choice = self.config.broker
            self._broker = choice if isinstance(choice, Broker) else broker_from_url(choice)
        return self._broker

    def use_broker(self, broker: Broker | str | None) -> None:
        """Switch to *broker* (a Broker or URL; ``None``: ``CF_BROKER_URL`` or in-memory).

        Call it at start-up, before pages connect.
        """
        self._broker = None
        self.config = self.config.replace(broker=broker)
        self._delivery.reset()
        if self._presence is not None:
            self._presence._broker_changed()

    def _snapshot(self) -> tuple[AppConfig, Broker | None, set[str]]:
        # For component_framework.testing: the settings and connections as they are.
        return self.config, self._broker, set(self.connections)

    def _restore(self, saved: tuple[AppConfig, Broker | None, set[str]]) -> None:
        config, broker, connection_ids = saved
        for connection_id in set(self.connections) - connection_ids:
            self._connections.remove(connection_id)
        if self.config is not config or self._broker is not broker:
            self.config, self._broker = config, broker
            self._delivery.reset()

    # ---------- Connections ----------

    async def connect(self, connection: WebSocketConnection, connection_id: str) -> None:
        """Register new WebSocket connection."""
        self._connections.add(connection, connection_id)
        self._delivery.start_delivery()
        logger.info("WebSocket connected: %s", connection_id)

    async def disconnect(self, connection_id: str) -> None:
        """Remove a connection id and every subscription it held."""
        left = list(self._connections.held(connection_id))
        self._connections.remove(connection_id)
        page_gone(self, left)  # background tasks whose page went away are cancelled
        if self._presence is not None:
            await self._presence.leave(connection_id)
        self._delivery.stop_delivery_if_idle()
        logger.info("WebSocket disconnected: %s", connection_id)

    # ---------- Subscriptions ----------

    def subscribe(
        self,
        connection_id: str,
        component_id: str,
        component: str | None = None,
        *,
        config: AppConfig | None = None,
        request: Any = None,
    ) -> None:
        """Subscribe a connection to a component's pushes (a trusted server-side call).

        Pushes to it are signed with *config*'s signer (the manager's config by default);
        the component's permission classes see *request* at each push
        (``check_permissions_on_push``), by default the request of the connection's socket.
        """
        if request is None:
            sockets = self.connections.get(connection_id)
            request = sockets[0].request if sockets else None
        sub = Subscription(connection_id, component_id, component, config or self.config, request)
        self._connections.subscribe(sub)
        logger.debug("Subscribed %s to component %s", connection_id, component_id)

    def unsubscribe(self, connection_id: str, component_id: str) -> None:
        """Unsubscribe connection from component updates."""
        self._connections.unsubscribe(connection_id, component_id)
        page_gone(self, [component_id])

    def subscriptions(self, component: str) -> list[Subscription]:
        """Return this process's subscriptions to instances of *component*."""
        return self._connections.of_component(component)

    def subscriptions_of(self, component_id: str) -> list[Subscription]:
        """Return this process's subscriptions to the component id *component_id*."""
        return self._connections.of_id(component_id)

    # ---------- Messages ----------

    async def handle_message(
        self,
        connection: WebSocketConnection,
        connection_id: str,
        message: Mapping[str, Any] | str | bytes,
        *,
        config: AppConfig | None = None,
    ) -> None:
        """Handle one incoming WebSocket message and send the reply on *connection*.

        Message types: ``component_event`` (the protocol message; replies with
        ``component_update`` or ``error``), ``component_batch`` (several of them; replies
        ``batch_reply``), ``subscribe`` (needs ``component_id`` and the
        ``token`` issued with the render; replies ``subscribed``), ``unsubscribe``, and cf.js's
        ``handshake`` (replies ``{"type": "handshake", "version"}``: the served cf.js's hash).
        The *config* of the app the socket belongs to replaces the manager's own.
        """
        config = config or self.config
        with after_reply() as start_tasks:  # a handler's background tasks: once it is sent
            try:
                if isinstance(message, str | bytes):
                    # The same size limit (413, in bytes) and JSON errors as every transport.
                    message = load_message(message, config.limits)
                message = json_object(message)
                reply = await self._route(connection, connection_id, message, config)
            except Exception as exc:
                reply = error_reply(exc)
        replies = reply.get("replies", []) if reply.get("type") == BATCH_REPLY else [reply]
        for update in replies:
            if update.get("type") == "component_update":
                # Signed here and sent on this socket: what the page holds from now on.
                self._connections.remember(
                    connection_id,
                    update.get("component_id", ""),
                    update["state"],
                    update["checksum"],
                )
        await self._reply(connection, reply)
        start_tasks()

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
        config: AppConfig,
    ) -> dict[str, Any]:
        msg_type = message.get("type")
        if msg_type in ("component_event", BATCH):
            return await handle_message(message, connection.request, config=config)
        if msg_type == "handshake":
            # The page's cf.js says which it is; the reply says which this server serves: a
            # page running another one reloads at a safe moment.
            from ._http import script_version  # here: _http imports asyncio

            return {"type": "handshake", "version": script_version()}
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
            if self._presence is not None:
                await self._presence.leave(connection_id, component_id)
            return {"type": "unsubscribed", "component_id": component_id}
        signer = config.signer
        name = signer.verify_subscription(component_id, message.get("token"))
        component_cls = config.registry.get(name)
        if component_cls is not None:
            # The token proves the server rendered this id; the permissions decide whether
            # this connection's user may watch it.
            check_permissions(component_cls, connection.request)
        held = self._connections.held(connection_id)
        if component_id not in held and len(held) >= self.max_subscriptions:
            raise SubscriptionLimitError(
                f"This connection already holds {len(held)} subscriptions (the limit); "
                "unsubscribe from one first, or raise max_subscriptions on the manager."
            )
        self.subscribe(connection_id, component_id, name, config=config, request=connection.request)
        self._remember_sent(connection_id, component_id, name, message, signer)
        await self._delivery.wait_ready()
        if message.get("resync") is True:
            # The page reconnected: it may have missed pushes, so it re-syncs now.
            self._delivery.resync(self._connections.held(connection_id)[component_id])
        if hasattr(component_cls, "track_presence"):
            await self.presence.join(self._connections.held(connection_id)[component_id])
        return {
            "type": "subscribed",
            "component_id": component_id,
            "subscribe_token": signer.subscription_token(name, component_id),
        }

    def _remember_sent(
        self,
        connection_id: str,
        component_id: str,
        name: str,
        message: Mapping[str, Any],
        signer: Signer,
    ) -> None:
        # A subscribe may carry the state the page holds: if this server signed it (under
        # this release), pushed events run on the server from it. Anything else is ignored:
        # the page then answers its pushes itself, and its own request is checked as usual.
        state, checksum = message.get("state"), message.get("checksum")
        if not isinstance(state, str) or not isinstance(checksum, str):
            return
        try:
            signer.verify(name, component_id, state, checksum)
        except Exception:
            return
        self._connections.remember(connection_id, component_id, state, checksum)

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
        """``push_event`` for sync code: a view, a ``def`` handler, a management command, a job.

        Safe from any thread and returns at once; in a process where no app loop runs (a
        command, a script) it waits until the broker has the push, so exiting next loses
        nothing.
        """
        if not is_event_name(event):
            raise ValueError(
                f"Event {event!r} is not a handler name: use the part after 'on_', "
                "like 'refresh' for on_refresh."
            )
        payload = {} if payload is None else payload
        self._publish("event", c=component, e=event, p=_json_object(payload, "payload"))

    async def push_state(self, component: str, state: dict[str, Any]) -> None:
        """Replace the whole state of every page's instance of *component* with *state*.

        Every subscribed instance (on every process) re-renders with *state*, and its own
        state is lost. To keep per-page state (a filter, a draft), use ``push_event``.
        """
        self._publish("state", c=component, s=_json_object(state, "state"))

    async def push_update(self, component_id: str, html: str, state: dict[str, Any]) -> None:
        """Push *html* and *state* to the pages subscribed to the one id *component_id*.

        The state is signed for each page (and stored, for a server-held component).
        """
        self._publish("update", id=component_id, h=html, s=canonical_dumps(state))

    async def broadcast_update(self, component_id: str, update: Mapping[str, Any]) -> None:
        """Push *update*'s ``html`` and ``state`` to the subscribers of *component_id*.

        The documented API's name for ``push_update``: *update* is a dispatch result (its
        ``state`` a dict, or its JSON), and the state is signed as ``push_update`` signs.
        """
        state = update.get("state")
        if isinstance(state, str):
            state = load_message(state)
        await self.push_update(
            component_id, str(update.get("html", "")), {} if state is None else state
        )

    def stream(self, component: str, name: str) -> StreamPush:
        """The stream *name* of every page's instance of *component*, to push changes to:
        ``ws_manager.stream("chat", "messages").insert(message)`` renders the item once and
        sends the change to every subscribed page, on every process (``core.streams``).

        *component* is looked up in the registry of the message being run (a handler's
        app), else in the manager's.

        Raises:
            ComponentNotFoundError: *component* is not registered.
            EffectError: It has no stream *name*.
        """
        from ._execution import current_config  # here: _execution imports the message path

        running = current_config()
        found = running.registry.get(component) if running is not None else None
        cls = found or self.config.registry.resolve(component)
        return StreamPush(cls, name, lambda found: self._publish("effects", c=component, x=found))

    def _publish(self, kind: str, **fields: Any) -> None:
        self._delivery.publish(encode_push(kind, **fields))

    async def flush(self) -> None:
        """Wait until this process's pages got every push this process made so far."""
        await self._delivery.flush()

    async def close(self) -> None:
        """Publish what is still pending (a few seconds at most), then close the broker."""
        await self._delivery.close()
        if self._presence is not None:
            await self._presence.close()


def _json_object(value: Any, what: str) -> Any:
    try:
        canonical_dumps(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The pushed {what} must hold only JSON values: {exc}") from None
    return value


ws_manager = ComponentWebSocketManager()
"""The default manager: the pages subscribed in this process, and where pushes go."""
