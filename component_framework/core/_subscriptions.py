"""The subscriptions of one process's pages, indexed three ways for the push paths.

By connection (what a page holds; dropped with it), by component id (a push to one id) and
by component name (a push to every instance of a component).
"""

from __future__ import annotations

from ._push import Subscription

__all__ = ["Subscriptions"]


class Subscriptions:
    """Every subscription of this process, kept consistent across its three indexes."""

    def __init__(self) -> None:
        self._by_connection: dict[str, dict[str, Subscription]] = {}
        self._by_id: dict[str, dict[str, Subscription]] = {}
        self._by_name: dict[str, set[str]] = {}

    def __len__(self) -> int:
        """How many component ids have a subscriber."""
        return len(self._by_id)

    def add(self, sub: Subscription) -> None:
        """Add *sub*, replacing what its connection held for its component id."""
        self.remove(sub.connection_id, sub.component_id)
        self._by_connection.setdefault(sub.connection_id, {})[sub.component_id] = sub
        self._by_id.setdefault(sub.component_id, {})[sub.connection_id] = sub
        if sub.component is not None:
            self._by_name.setdefault(sub.component, set()).add(sub.component_id)

    def remove(self, connection_id: str, component_id: str) -> None:
        """Remove one connection's subscription to *component_id* (if it holds one)."""
        sub = self._by_connection.get(connection_id, {}).pop(component_id, None)
        if sub is None:
            return
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

    def remove_connection(self, connection_id: str) -> None:
        """Remove every subscription *connection_id* holds."""
        for component_id in list(self._by_connection.get(connection_id, ())):
            self.remove(connection_id, component_id)

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

    def ids_of(self, component: str) -> list[str]:
        """The subscribed component ids of the component named *component*, sorted."""
        return sorted(self._by_name.get(component, ()))

    def subscribers(self) -> dict[str, set[str]]:
        """Component id -> ids of the connections subscribed to it."""
        return {cid: set(subs) for cid, subs in self._by_id.items()}

    def all(self) -> list[Subscription]:
        """Every subscription."""
        return [sub for subs in self._by_connection.values() for sub in subs.values()]
