"""WebSocket connection management: events, signed subscriptions and server pushes.

The manager is transport-agnostic: a web framework wraps its socket in a
:class:`WebSocketConnection` and feeds every received message to :meth:`handle_message`.
Events go through the one message-handling path (:mod:`.protocol`), with permission checks and
state verification. A connection may subscribe to a component id only with the signed
``subscribe_token`` the server issued with that component's render; broadcasting is the
server's decision (``push_update``), never the client's.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from . import _held_state as held_state
from .component import StateSerializer
from .exceptions import MessageError
from .permissions import check_permissions
from .protocol import DEFAULT_LIMITS, Limits, error_reply, handle_message, load_message
from .registry import ComponentRegistry, registry
from .signing import Signer, get_signer

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

    @property
    def request(self) -> Any:
        """The request object permission classes see (for example Starlette's WebSocket)."""
        return None


class ComponentWebSocketManager:
    """
    Manages WebSocket connections for components.

    Handles connection lifecycle, message routing, component updates and
    server-initiated broadcasting.

    Example::

        await ws_manager.connect(connection, "conn-1")
        await ws_manager.handle_message(connection, "conn-1", message)
        await ws_manager.push_update("component-1a2b", html, state)
    """

    def __init__(
        self,
        *,
        registry: ComponentRegistry = registry,
        signer: Signer | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.connections: dict[str, list[WebSocketConnection]] = {}
        self.component_subscribers: dict[str, set[str]] = {}
        self._subscriptions: dict[str, set[str]] = {}
        self._component_names: dict[str, str] = {}
        self._registry = registry
        self._signer = signer
        self._limits = limits

    def __repr__(self) -> str:
        return (
            f"<ComponentWebSocketManager connections={len(self.connections)} "
            f"components={len(self.component_subscribers)}>"
        )

    @property
    def signer(self) -> Signer:
        """The signer for subscriptions and pushes (the process-wide one by default)."""
        return self._signer or get_signer()

    # ---------- Connections ----------

    async def connect(self, connection: WebSocketConnection, connection_id: str) -> None:
        """Register new WebSocket connection."""
        self.connections.setdefault(connection_id, []).append(connection)
        logger.info("WebSocket connected: %s", connection_id)

    async def disconnect(self, connection_id: str) -> None:
        """Remove a connection id and every subscription it held."""
        self.connections.pop(connection_id, None)
        for component_id in self._subscriptions.pop(connection_id, set()):
            self._drop_subscriber(component_id, connection_id)
        logger.info("WebSocket disconnected: %s", connection_id)

    # ---------- Subscriptions ----------

    def subscribe(
        self, connection_id: str, component_id: str, component: str | None = None
    ) -> None:
        """Subscribe a connection to a component's updates (trusted server-side call)."""
        self.component_subscribers.setdefault(component_id, set()).add(connection_id)
        self._subscriptions.setdefault(connection_id, set()).add(component_id)
        if component is not None:
            self._component_names[component_id] = component
        logger.debug("Subscribed %s to component %s", connection_id, component_id)

    def unsubscribe(self, connection_id: str, component_id: str) -> None:
        """Unsubscribe connection from component updates."""
        self._drop_subscriber(component_id, connection_id)
        held = self._subscriptions.get(connection_id)
        if held is not None:
            held.discard(component_id)
            if not held:
                del self._subscriptions[connection_id]

    def _drop_subscriber(self, component_id: str, connection_id: str) -> None:
        subscribers = self.component_subscribers.get(component_id)
        if subscribers is None:
            return
        subscribers.discard(connection_id)
        if not subscribers:
            del self.component_subscribers[component_id]
            self._component_names.pop(component_id, None)

    def subscribed_ids(self, component: str) -> list[str]:
        """Return the subscribed component ids rendered from component *component*."""
        return [cid for cid, name in self._component_names.items() if name == component]

    # ---------- Messages ----------

    async def handle_message(
        self,
        connection: WebSocketConnection,
        connection_id: str,
        message: Mapping[str, Any] | str | bytes,
    ) -> None:
        """
        Handle one incoming WebSocket message and send the reply on *connection*.

        Message types: ``component_event`` (the protocol message; replies with
        ``component_update`` or ``error``), ``subscribe`` (needs ``component_id`` and the
        ``token`` issued with the render; replies ``subscribed``) and ``unsubscribe``.
        """
        try:
            if isinstance(message, str | bytes):
                # The same size limit (413, in bytes) and JSON errors as every other transport.
                message = load_message(message, self._limits)
            if not isinstance(message, Mapping):
                raise MessageError(f"Message must be a JSON object, got {type(message).__name__}.")
            reply = await self._route(connection, connection_id, message)
        except Exception as exc:
            reply = error_reply(exc)
        await connection.send(reply)

    async def _route(
        self, connection: WebSocketConnection, connection_id: str, message: Mapping[str, Any]
    ) -> dict[str, Any]:
        msg_type = message.get("type")
        if msg_type == "component_event":
            return await handle_message(
                message,
                connection.request,
                registry=self._registry,
                signer=self._signer,
                limits=self._limits,
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
        name = self.signer.verify_subscription(component_id, message.get("token"))
        component_cls = self._registry.get(name)
        if component_cls is not None:
            # The token proves the server rendered this id; the permissions decide whether
            # this connection's user may watch it.
            check_permissions(component_cls, connection.request)
        self.subscribe(connection_id, component_id, name)
        return {"type": "subscribed", "component_id": component_id}

    # ---------- Server pushes ----------

    async def broadcast_update(self, component_id: str, update: dict[str, Any]) -> int:
        """
        Send ``{"type": "component_update", **update}`` to every subscriber of *component_id*.

        Returns:
            The number of connections the update was sent to.
        """
        subscribers = self.component_subscribers.get(component_id)
        if not subscribers:
            return 0
        message = {"type": "component_update", **update}
        targets = [conn for cid in subscribers for conn in self.connections.get(cid, ())]
        import asyncio  # here, not at module level: core imports without an event loop library

        results = await asyncio.gather(*(c.send(message) for c in targets), return_exceptions=True)
        failed = sum(isinstance(r, BaseException) for r in results)
        if failed:
            logger.warning(
                "Push for %s failed on %d of %d connections", component_id, failed, len(targets)
            )
        logger.debug("Broadcasted update for %s to %d connections", component_id, len(targets))
        return len(targets)

    async def push_update(self, component_id: str, html: str, state: dict[str, Any]) -> int:
        """
        Push a server-initiated update to the subscribers of *component_id*.

        The state is signed for the subscribed component, so the page keeps working
        with it. Useful for model updates, background jobs and the like.

        Returns:
            The number of connections the update was sent to.
        """
        name = self._component_names.get(component_id)
        if name is None:
            state_json = StateSerializer.serialize_canonical(state)
            update: dict[str, Any] = {
                "component_id": component_id,
                "html": html,
                "state": state_json,
            }
        else:
            # Held state: a server-held component's state goes to its store; the page gets
            # the signed reference.
            held = await held_state.areference_for(self._registry, name, component_id, state)
            signed = state if held is None else held
            state_json, checksum = self.signer.sign_state(name, component_id, signed)
            StateSerializer.check_size(state_json)
            update = {
                "component_id": component_id,
                "html": html,
                "state": state_json,
                "checksum": checksum,
            }
        return await self.broadcast_update(component_id, update)

    async def push_state(self, component: str, state: dict[str, Any]) -> int:
        """Render *state* into every subscribed instance of *component* and push it.

        Returns:
            The number of connections updates were sent to.

        Raises:
            ComponentError: If *component* is not registered or fails to render.
        """
        component_cls = self._registry.resolve(component)
        sent = 0
        for component_id in self.subscribed_ids(component):
            instance = component_cls(component_id=component_id)
            instance.hydrate(dict(state))
            html = instance.render()
            sent += await self.push_update(component_id, html, instance.dehydrate())
        return sent


ws_manager = ComponentWebSocketManager()
