"""Helpers shared by the core tests: a template-free renderer and a record of what ran."""

from __future__ import annotations

import threading
from typing import Any

from component_framework.core.renderer import Renderer


class Plain(Renderer):
    """Renders ``<p>{count}</p>`` without templates."""

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('count')}</p>"


class Ledger:
    """Records every piece of component code that runs, and on which thread."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.threads: dict[str, threading.Thread] = {}

    def note(self, what: str) -> None:
        self.calls.append(what)
        self.threads[what] = threading.current_thread()
