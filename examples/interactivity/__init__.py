"""The example app's second page: loading states, confirmations, more events, transitions,
hooks and events between components (``/interactivity``). Importing it registers them."""

from __future__ import annotations

from pathlib import Path

from . import chart, dialog, feed, note_editor, search, shop, tasks

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

__all__ = [
    "STATIC",
    "TEMPLATES",
    "chart",
    "dialog",
    "feed",
    "note_editor",
    "search",
    "shop",
    "tasks",
]
