"""The example app's second page: loading states, confirmations, more events, transitions,
hooks and events between components (``/interactivity``). Importing it registers them."""

from __future__ import annotations

from pathlib import Path

from . import dialog, feed, note_editor, tasks

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

__all__ = ["STATIC", "TEMPLATES", "dialog", "feed", "note_editor", "tasks"]
