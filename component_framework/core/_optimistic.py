"""Optimistic patches: what a page may show at once for each event its HTML can fire.

The browser cannot run Python, so the server computes the patches ahead: after each render of a
component that overrides ``get_optimistic_patch``, every event binding in the HTML (``cf-click``
and friends, with their ``cf-payload``) is asked for its patch against the state just rendered.
The reply carries ``{"<event>|<raw cf-payload>": patch}`` as ``optimistic``; the page applies a
patch to the elements bound with ``cf-text="<key>"`` when the user fires that event, before the
server answers. They are computed with the rest of the message (in its worker thread for a sync
component), so every transport, ``cf dispatch`` and ``ComponentTester`` see them.
"""

from __future__ import annotations

import json
import logging
from html.parser import HTMLParser
from typing import Any

from .component import Component

__all__ = ["add_optimistic_patches", "has_optimistic_patches", "optimistic_patches"]

logger = logging.getLogger("component_framework")

_EVENT_ATTRIBUTES = (
    "cf-click",
    "cf-submit",
    "cf-change",
    "cf-input",
    "cf-keydown",
    "cf-blur",
    "cf-focus",
    "cf-click-away",
    "cf-visible",
    "cf-window-keydown",
)
# Bindings with key filters and modifiers: cf-keydown.enter, cf-window-keydown.escape.
_WITH_MODIFIERS = ("cf-keydown.", "cf-window-keydown.")


class _BindingCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bindings: dict[tuple[str, str], None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        payload = ""
        events: list[str] = []
        for name, value in attrs:
            if name == "cf-payload":
                payload = value or ""
            elif value and (name in _EVENT_ATTRIBUTES or name.startswith(_WITH_MODIFIERS)):
                events.append(value)
        for event in events:
            self.bindings[(event, payload)] = None


def has_optimistic_patches(component_cls: type[Component]) -> bool:
    """Whether *component_cls* overrides ``get_optimistic_patch``."""
    return component_cls.get_optimistic_patch is not Component.get_optimistic_patch


def optimistic_patches(
    component_cls: type[Component], component_id: str, html: str, state_json: str
) -> dict[str, dict[str, Any]]:
    """Return the patch of every event binding in *html*, keyed ``"<event>|<raw payload>"``."""
    collector = _BindingCollector()
    collector.feed(html)
    collector.close()
    if not collector.bindings:
        return {}
    try:
        state = json.loads(state_json)
    except ValueError:
        return {}
    # A fresh instance hydrated from the state the page now holds: what the next event sees.
    instance = component_cls(component_id=component_id)
    instance.hydrate(state)
    patches: dict[str, dict[str, Any]] = {}
    for event, raw in collector.bindings:
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            continue
        if not isinstance(payload, dict):
            continue
        try:
            patch = instance.get_optimistic_patch(event, payload)
        except Exception:
            # A broken patch must not break the render: the page simply waits for the server.
            logger.exception("get_optimistic_patch(%r) failed in %s", event, component_cls)
            continue
        if patch:
            patches[f"{event}|{raw}"] = patch
    return patches


def add_optimistic_patches(
    component_cls: type[Component], reply: dict[str, Any], held: bool
) -> dict[str, Any]:
    """Add ``optimistic`` to an update of a component that overrides ``get_optimistic_patch``.

    Every reply that carries new state needs them: patches are computed from the state just
    rendered, and a page holding older ones would show a stale "expected" result. None for a
    server-*held* state: they would show the page what the server keeps from it.
    """
    if held:
        return reply
    if reply.get("type") == "component_update" and has_optimistic_patches(component_cls):
        reply["optimistic"] = optimistic_patches(
            component_cls, reply["component_id"], reply["html"], reply["state"]
        )
    return reply
