"""Server-side state persistence, for components that keep state off the page."""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any

__all__ = ["InMemoryStateStore", "StateStore"]


class StateStore(ABC):
    """Abstract base class for state persistence."""

    @abstractmethod
    def save(self, component_id: str, state: dict[str, Any]) -> None:
        """
        Save component state.

        Args:
            component_id: Unique component identifier
            state: Component state to persist
        """
        raise NotImplementedError

    @abstractmethod
    def load(self, component_id: str) -> dict[str, Any] | None:
        """
        Load component state.

        Returns:
            Component state or None if not found
        """
        raise NotImplementedError

    @abstractmethod
    def delete(self, component_id: str) -> None:
        """Delete component state."""
        raise NotImplementedError


class InMemoryStateStore(StateStore):
    """Simple in-memory state storage for development and tests.

    Saved and loaded states are deep copies, so later changes to a component's
    state never alter what was stored.
    """

    def __init__(self) -> None:
        self._store: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"<InMemoryStateStore components={len(self._store)}>"

    def save(self, component_id: str, state: dict[str, Any]) -> None:
        self._store[component_id] = copy.deepcopy(state)

    def load(self, component_id: str) -> dict[str, Any] | None:
        state = self._store.get(component_id)
        return None if state is None else copy.deepcopy(state)

    def delete(self, component_id: str) -> None:
        self._store.pop(component_id, None)

    def clear(self) -> None:
        """Clear all stored state (useful for testing)."""
        self._store.clear()
