"""Types for the ``closing`` fixture (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)
Closing = Callable[[C], C]
"""The type of the ``closing`` fixture."""
