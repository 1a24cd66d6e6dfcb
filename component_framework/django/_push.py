"""Server pushes from Django code: one call for views, handlers, commands and tasks alike.

    from component_framework.django import push_event

    push_event("task_list", "refresh")          # sync or async code, any thread

Each page showing the component runs ``on_refresh`` with its own state, permissions and
signature (the safe push: a page's filter or draft survives it). It returns at once; in a
process where no app loop runs (a management command, a task worker) it waits until the broker
(``CF_BROKER_URL``) has the push, so the process may exit right after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from component_framework.core import ComponentWebSocketManager, ws_manager
from component_framework.core.registry import registry as default_registry

from ._config import config

__all__ = ["manager", "push_event"]

_manager: ComponentWebSocketManager | None = None


def manager() -> ComponentWebSocketManager:
    """The WebSocket manager pushes go through: ``ws_manager``, or one for ``CF_REGISTRY``."""
    global _manager
    settings = config()
    if settings.registry is default_registry:
        return ws_manager
    if _manager is None:
        _manager = ComponentWebSocketManager(config=settings)
    return _manager


def push_event(component: str, event: str, payload: Mapping[str, Any] | None = None) -> None:
    """Send *event* to every page showing *component*, on every process (with a broker).

    Raises:
        ValueError: *event* is not a handler name or *payload* is not JSON.
    """
    manager().push_event_nowait(component, event, payload)
