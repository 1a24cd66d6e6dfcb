"""Pushes on the wire between processes, and rendering a pushed state for many pages at once.

A push travels through the broker as one JSON text; every process turns it into the messages
for its own subscribed pages. ``push_state`` renders in one worker-thread hop per push and
component class, however many pages are subscribed: once, when the HTML and state do not
depend on the component id (the usual case), else once per id within that same hop.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import _held_state as held_state
from ._effects import carry_flash
from ._json import canonical_dumps
from .component import Component, StateSerializer
from .config import AppConfig

__all__ = [
    "Subscription",
    "decode_push",
    "encode_push",
    "held_state_json",
    "render_state_updates",
    "signed_update",
]


@dataclass(frozen=True, slots=True)
class Subscription:
    """One page's subscription, with the config of the app it subscribed through."""

    connection_id: str
    component_id: str
    component: str | None
    config: AppConfig


def encode_push(kind: str, **fields: Any) -> str:
    """Return the broker text of a push (``kind``: event, state, update, resync, flush)."""
    return json.dumps({"k": kind, **fields}, separators=(",", ":"), ensure_ascii=False)


def decode_push(text: str) -> dict[str, Any] | None:
    """Parse a broker text; ``None`` for anything that is not a push of ours."""
    try:
        push = json.loads(text)
    except (TypeError, ValueError):
        return None
    return push if isinstance(push, dict) and isinstance(push.get("k"), str) else None


def signed_update(
    sub: Subscription, html: str, state_json: str, extra: Mapping[str, Any] = {}
) -> dict[str, Any]:
    """Return the ``component_update`` for *sub*, its state signed when its name is known."""
    update: dict[str, Any] = {
        "type": "component_update",
        "component_id": sub.component_id,
        "html": html,
        "state": state_json,
    }
    if sub.component is not None:
        update["checksum"] = sub.config.signer.sign(sub.component, sub.component_id, state_json)
    update.update(extra)
    if update.get("effects"):
        update["effects"] = carry_flash(update["effects"], sub.config.signer)
    return update


def _render(
    cls: type[Component], component_id: str, state: dict[str, Any]
) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    instance = cls(component_id=component_id)
    instance.hydrate(dict(state))
    html = instance.render()
    new_state = instance.dehydrate()
    state_json = StateSerializer.serialize_canonical(new_state)
    StateSerializer.check_size(state_json)
    # Effects hydrate or before_render asked for go with the update, as with any reply.
    extra = {"effects": instance.effects} if instance.effects else {}
    return html, state_json, new_state, extra


def held_state_json(sub: Subscription, state: dict[str, Any], state_json: str) -> str:
    """The state *sub*'s page holds: *state_json*, or for a server-held component the signed
    reference to *state*, which is saved to its store here (sync: a worker thread)."""
    if sub.component is None:
        return state_json
    ref = held_state.reference_for(sub.config, sub.component, sub.component_id, state)
    return state_json if ref is None else canonical_dumps(ref)


def render_state_updates(
    cls: type[Component], state: dict[str, Any], subs: Sequence[Subscription]
) -> list[tuple[Subscription, dict[str, Any]]]:
    """Render *state* for every subscription in *subs* (one class); runs user code (sync).

    Renders once with a probe id; if neither the HTML nor the state mentions the probe, that
    render serves every page (only the signature differs per id).
    """
    probe = f"cf-probe-{secrets.token_hex(16)}"
    html, state_json, new_state, extra = _render(cls, probe, state)
    shared = probe not in html and probe not in state_json and probe not in json.dumps(extra)
    updates = []
    held: dict[tuple[int, str | None, str], str] = {}  # one stored state per push and id
    for sub in subs:
        if not shared:
            html, state_json, new_state, extra = _render(cls, sub.component_id, state)
        key = (id(sub.config), sub.component, sub.component_id)
        if key not in held:
            held[key] = held_state_json(sub, new_state, state_json)
        page_state = held[key]
        updates.append((sub, signed_update(sub, html, page_state, extra)))
    return updates
