"""The WebSocket connections of one process: sockets, their outboxes and their subscriptions.

One class keeps the three consistent, for both users: the manager (connect, disconnect,
subscribe) and the push delivery (which pages get a push, and their outboxes). Subscriptions
are indexed three ways: by connection (what a page holds; dropped with it), by component id (a
push to one id) and by component name (a push to every instance of a component).

For each subscription it may also know the state the page holds: the last state the server
signed and sent it on this socket (a reply, a push) or verified when it subscribed. A pushed
event then runs on the server from that state (``_push_events``). What one connection knows is
bounded in bytes (``max_known_bytes``); past it the least recently sent is forgotten, and that
page answers its pushes itself, as a page the server knows nothing about.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ._push import Subscription

if TYPE_CHECKING:
    from ._outbox import Outbox
    from .websocket import WebSocketConnection

__all__ = ["Connections", "Known"]

Known = tuple[str, str]
"""What a page holds for one component id, as the server signed it: (state JSON, checksum)."""


class Connections:
    """Every connection of this process, its outbox and its subscriptions.

    Args:
        max_queued: Pushes waiting for one page, beyond one per subscription it holds, before
            it is dropped as fallen behind.
        send_timeout: Seconds one send may take before the page is dropped.
        max_known_bytes: Bytes of page states one connection's socket remembers.
    """

    def __init__(
        self, *, max_queued: int, send_timeout: float, max_known_bytes: int = 1 << 20
    ) -> None:
        self.sockets: dict[str, list[WebSocketConnection]] = {}
        """Connection id -> its sockets (the documented ``manager.connections``)."""
        self.max_queued = max_queued
        self.send_timeout = send_timeout
        self._outboxes: dict[int, Outbox] = {}
        self._by_connection: dict[str, dict[str, Subscription]] = {}
        self._by_id: dict[str, dict[str, Subscription]] = {}
        self._by_name: dict[str, set[str]] = {}
        self.max_known_bytes = max_known_bytes
        self._known: dict[str, OrderedDict[str, Known]] = {}
        self._known_bytes: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"<Connections connections={len(self.sockets)} components={len(self._by_id)}>"

    # ---------- Sockets ----------

    def add(self, connection: WebSocketConnection, connection_id: str) -> None:
        """Register *connection* under *connection_id*, with an outbox for its pushes."""
        from ._outbox import Outbox  # here: importing core (cf dispatch) needs no event loop

        self.sockets.setdefault(connection_id, []).append(connection)
        self._outboxes[id(connection)] = Outbox(
            connection,
            # A page holding many subscriptions gets one message per id from one push.
            max_messages=lambda: self.max_queued + len(self.held(connection_id)),
            send_timeout=self.send_timeout,
            on_drop=lambda: self._dropped(connection_id, connection),
        )

    def remove(self, connection_id: str) -> None:
        """Forget *connection_id*: its sockets, their outboxes and every subscription it held."""
        for connection in self.sockets.pop(connection_id, []):
            self._outboxes.pop(id(connection), None)
        self.unsubscribe_all(connection_id)

    def _dropped(self, connection_id: str, connection: WebSocketConnection) -> None:
        # A page that fell behind: it reconnects under a new id and subscribes again.
        self._outboxes.pop(id(connection), None)
        remaining = [c for c in self.sockets.get(connection_id, []) if c is not connection]
        if remaining:
            self.sockets[connection_id] = remaining
            return
        self.sockets.pop(connection_id, None)
        self.unsubscribe_all(connection_id)

    def outboxes(self) -> list[Outbox]:
        """The outbox of every socket."""
        return list(self._outboxes.values())

    def put(self, sub: Subscription, message: dict[str, Any]) -> None:
        """Queue *message* for every socket of *sub*'s connection (never waits); a signed
        ``component_update`` is what the page holds from then on."""
        update = message if message.get("type") == "component_update" else message.get("update")
        if isinstance(update, dict) and "checksum" in update:
            self.remember(sub.connection_id, sub.component_id, update["state"], update["checksum"])
        for connection in tuple(self.sockets.get(sub.connection_id, ())):
            outbox = self._outboxes.get(id(connection))
            if outbox is not None:
                outbox.put(message)

    # ---------- Subscriptions ----------

    def subscribe(self, sub: Subscription) -> None:
        """Add *sub*, replacing what its connection held for its component id."""
        self.unsubscribe(sub.connection_id, sub.component_id)
        self._by_connection.setdefault(sub.connection_id, {})[sub.component_id] = sub
        self._by_id.setdefault(sub.component_id, {})[sub.connection_id] = sub
        if sub.component is not None:
            self._by_name.setdefault(sub.component, set()).add(sub.component_id)

    def unsubscribe(self, connection_id: str, component_id: str) -> None:
        """Remove one connection's subscription to *component_id* (if it holds one)."""
        sub = self._by_connection.get(connection_id, {}).pop(component_id, None)
        if sub is None:
            return
        self.forget(connection_id, component_id)
        if not self._by_connection[connection_id]:
            del self._by_connection[connection_id]
        by_id = self._by_id[component_id]
        del by_id[connection_id]
        if not by_id:
            del self._by_id[component_id]
        if sub.component is not None and not any(
            s.component == sub.component for s in by_id.values()
        ):
            ids = self._by_name[sub.component]
            ids.discard(component_id)
            if not ids:
                del self._by_name[sub.component]

    def unsubscribe_all(self, connection_id: str) -> None:
        """Remove every subscription *connection_id* holds."""
        for component_id in list(self._by_connection.get(connection_id, ())):
            self.unsubscribe(connection_id, component_id)

    # ---------- What the pages hold ----------

    def remember(
        self, connection_id: str, component_id: str, state_json: Any, checksum: Any
    ) -> None:
        """Note that *connection_id*'s page holds *state_json* (signed *checksum*) for a
        component id it subscribed to; anything else is ignored."""
        if component_id not in self._by_connection.get(connection_id, ()):
            return
        if not isinstance(state_json, str) or not isinstance(checksum, str):
            return
        known = self._known.get(connection_id)
        size = len(state_json) + len(checksum)
        if known is not None and component_id in known:
            old_state, old_checksum = known.pop(component_id)
            self._known_bytes[connection_id] -= len(old_state) + len(old_checksum)
        if size > self.max_known_bytes:
            return
        if known is None:
            known = self._known[connection_id] = OrderedDict()
        used = self._known_bytes.get(connection_id, 0) + size
        while known and used > self.max_known_bytes:
            _, (old_state, old_checksum) = known.popitem(last=False)
            used -= len(old_state) + len(old_checksum)
        known[component_id] = (state_json, checksum)
        self._known_bytes[connection_id] = used

    def forget(self, connection_id: str, component_id: str) -> None:
        """Forget what *connection_id*'s page holds for *component_id*."""
        known = self._known.get(connection_id)
        if known is None or component_id not in known:
            return
        state_json, checksum = known.pop(component_id)
        self._known_bytes[connection_id] -= len(state_json) + len(checksum)
        if not known:
            del self._known[connection_id], self._known_bytes[connection_id]

    def known(self, sub: Subscription) -> Known | None:
        """The state *sub*'s page holds, as the server signed it, or None if unknown."""
        known = self._known.get(sub.connection_id)
        return None if known is None else known.get(sub.component_id)

    def known_bytes(self) -> int:
        """Bytes of page states remembered, over every connection."""
        return sum(self._known_bytes.values())

    def held(self, connection_id: str) -> dict[str, Subscription]:
        """Component id -> subscription, for what *connection_id* holds (do not change it)."""
        return self._by_connection.get(connection_id, {})

    def of_component(self, component: str) -> list[Subscription]:
        """The subscriptions to instances of the component named *component*."""
        return [
            sub
            for cid in self._by_name.get(component, ())
            for sub in self._by_id.get(cid, {}).values()
            if sub.component == component
        ]

    def of_id(self, component_id: str) -> list[Subscription]:
        """The subscriptions to the one component id *component_id*."""
        return list(self._by_id.get(component_id, {}).values())

    def subscribers(self) -> dict[str, set[str]]:
        """Component id -> ids of the connections subscribed to it."""
        return {cid: set(subs) for cid, subs in self._by_id.items()}

    def subscribed_components(self) -> int:
        """How many component ids have a subscriber."""
        return len(self._by_id)

    def all(self) -> list[Subscription]:
        """Every subscription."""
        return [sub for subs in self._by_connection.values() for sub in subs.values()]
