"""Counts in prose: ``1 component``, ``2 components``."""

from __future__ import annotations

__all__ = ["count"]


def count(number: int, noun: str, plural: str | None = None) -> str:
    """*number* and *noun*, in the plural (``noun + "s"`` unless given) when it is not 1."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
