"""The shared todo items: one list for every page, kept in this process's memory.

A real app keeps them in its database; the component only needs these five functions.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

_lock = threading.Lock()
_items: list[dict[str, Any]] = []
_ids = itertools.count(1)


def items() -> list[dict[str, Any]]:
    """Every item, oldest first: ``{"id": 1, "text": "milk", "done": False}``."""
    with _lock:
        return [dict(item) for item in _items]


def add(text: str) -> None:
    """Add an open item."""
    with _lock:
        _items.append({"id": next(_ids), "text": text, "done": False})


def set_done(item_id: int, done: bool) -> None:
    """Mark the item done, or open again (an unknown id changes nothing)."""
    with _lock:
        for item in _items:
            if item["id"] == item_id:
                item["done"] = done


def delete(item_id: int) -> None:
    """Remove the item (an unknown id changes nothing)."""
    with _lock:
        _items[:] = [item for item in _items if item["id"] != item_id]


def clear() -> None:
    """Remove every item (tests start from an empty list)."""
    with _lock:
        _items.clear()
