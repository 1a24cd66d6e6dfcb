"""Open the configured broker and state store at start-up, so one that cannot work stops it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .state import get_default_store

if TYPE_CHECKING:
    from .websocket import ComponentWebSocketManager

__all__ = ["open_backends"]


def open_backends(manager: ComponentWebSocketManager) -> None:
    """Create *manager*'s broker and the default state store now.

    Both are otherwise made on first use, where a failure (redis-py not installed, a URL of
    no known kind) is only logged, and every push is then dropped. Made here, at start-up,
    the app stops with the one-line ``ConfigurationError`` that says what to install or set.

    Raises:
        ConfigurationError: ``CF_BROKER_URL`` or ``CF_STATE_STORE`` (or the broker given)
            cannot work.
    """
    _ = manager.broker
    get_default_store()
