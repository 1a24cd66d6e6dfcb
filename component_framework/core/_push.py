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
from ._reply import error_reply
from .component import Component, StateSerializer
from .config import AppConfig
from .permissions import check_permissions

__all__ = [
    "Encoded",
    "Subscription",
    "checks_at_push",
    "decode_push",
    "encode_push",
    "held_state_json",
    "refusal",
    "refusals",
    "render_state_updates",
    "signed_update",
    "update_messages",
]


@dataclass(frozen=True, slots=True)
class Subscription:
    """One page's subscription, with the config of the app it subscribed through."""

    connection_id: str
    component_id: str
    component: str | None
    config: AppConfig
    request: Any = None
    """What the page's socket opened with: the permission classes see it at each push."""


class Encoded(dict[str, Any]):
    """A message whose JSON text is already built (``text``): pages of one push share most of
    it, so it is written once and only each page's own fields are added. Hosts send ``text``
    (``encode_text``); the dict holds the same message for everything else."""

    text: str = ""


def encode_push(kind: str, **fields: Any) -> str:
    """Return the broker text of a push (``kind``: event, state, update, effects, resync, flush)."""
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


def checks_at_push(cls: type[Component]) -> bool:
    """Whether *cls*'s permission classes are checked for each page at each push."""
    return bool(cls.permission_classes) and cls.check_permissions_on_push


def refusal(sub: Subscription, cls: type[Component]) -> dict[str, Any] | None:
    """The message ending *sub* when *cls*'s permission classes no longer grant its page the
    push, else None; runs user code (sync). Only for ``check_permissions_on_push``."""
    if not checks_at_push(cls):
        return None
    try:
        check_permissions(cls, sub.request)
    except Exception as exc:  # a permission class that fails refuses (logged by error_reply)
        return {**error_reply(exc), "type": "unsubscribed", "component_id": sub.component_id}
    return None


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


def held_state_json(
    sub: Subscription, state: dict[str, Any], state_json: str, written: held_state.Written
) -> str:
    """The state *sub*'s page holds: *state_json*, or for a server-held component the signed
    reference to *state*, stored once per push (*written*; sync: a worker thread)."""
    if sub.component is None:
        return state_json
    ref = held_state.shared_reference(sub.config, sub.component, sub.component_id, state, written)
    return state_json if ref is None else canonical_dumps(ref)


def render_state_updates(
    cls: type[Component],
    state: dict[str, Any],
    subs: Sequence[Subscription],
    written: held_state.Written,
) -> list[tuple[Subscription, dict[str, Any]]]:
    """Render *state* for every subscription in *subs* (one class); runs user code (sync).

    Renders once with a probe id; if neither the HTML nor the state mentions the probe, that
    render serves every page (only the signature differs per id). A server-held state is
    stored once (*written*): the rendered state, or the pushed one when the rendered state
    depends on the id. A page its permission classes now refuse gets its ``refusal``.
    """
    updates: list[tuple[Subscription, dict[str, Any]]] = []
    allowed = []
    for sub in subs:
        refused = refusal(sub, cls)
        if refused is None:
            allowed.append(sub)
        else:
            updates.append((sub, refused))
    if not allowed:
        return updates
    probe = f"cf-probe-{secrets.token_hex(16)}"
    html, state_json, new_state, extra = _render(cls, probe, state)
    shared_state = probe not in state_json
    shared = shared_state and probe not in html and probe not in json.dumps(extra)
    stored = new_state if shared_state else state
    for sub in allowed:
        if not shared:
            html, state_json, _, extra = _render(cls, sub.component_id, state)
        page_state = held_state_json(sub, stored, state_json, written)
        updates.append((sub, signed_update(sub, html, page_state, extra)))
    return updates


def refusals(
    subs: Sequence[Subscription], classes: Sequence[type[Component] | None]
) -> dict[int, dict[str, Any]]:
    """The ``refusal`` of each of *subs* that gets one, by position (sync: user code)."""
    found = {}
    for n, (sub, cls) in enumerate(zip(subs, classes, strict=True)):
        refused = refusal(sub, cls) if cls is not None else None
        if refused is not None:
            found[n] = refused
    return found


def update_messages(
    subs: Sequence[Subscription], html: str, state: dict[str, Any], state_json: str
) -> list[dict[str, Any]]:
    """``push_update``'s message for each of *subs*: its ``refusal``, or the signed update
    (a server-held state stored once for all of them). Sync: user code and store IO."""
    written: held_state.Written = {}
    messages = []
    for sub in subs:
        cls = sub.config.registry.get(sub.component) if sub.component is not None else None
        message = refusal(sub, cls) if cls is not None else None
        if message is None:
            message = signed_update(sub, html, held_state_json(sub, state, state_json, written))
        messages.append(message)
    return messages
