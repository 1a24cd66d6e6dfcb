"""What presence is made of: where a page is (``Track``), a topic's metas and their diffs,
one page's entry, and the checks on what a component declares (for ``core.presence``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._held_state import SYNC_STEPS, finish, loaded_for_push, store_for
from ._push import Subscription

if TYPE_CHECKING:
    import asyncio

    from .component import Component

__all__ = ["Entry", "Metas", "Track", "apply_diff", "check_meta", "track_of"]

Metas = dict[str, list[dict[str, Any]]]
"""Key -> the metas of its entries (one per page's component), each with its ``"ref"``."""


@dataclass(frozen=True, slots=True)
class Track:
    """Where a component's page is present: *topic*, under *key* (a user id), with *meta*.

    One key on several pages is one presence with several metas.
    """

    topic: str
    key: str
    meta: Mapping[str, Any] = field(default_factory=dict)


def apply_diff(current: Metas, joins: Metas, leaves: Metas, reset: bool = False) -> Metas:
    """Return *current* with a presence diff applied: leaves removed, then joins added
    (by ref, so applying a diff twice changes nothing); *reset* starts from nothing."""
    result = {} if reset else {key: list(metas) for key, metas in current.items()}
    for key, metas in leaves.items():
        gone = {meta.get("ref") for meta in metas}
        kept = [meta for meta in result.get(key, []) if meta.get("ref") not in gone]
        if kept:
            result[key] = kept
        else:
            result.pop(key, None)
    for key, metas in joins.items():
        refs = {meta.get("ref") for meta in metas}
        result[key] = [m for m in result.get(key, []) if m.get("ref") not in refs] + list(metas)
    return result


@dataclass(slots=True)
class Entry:
    """One page's component on a topic, tracked by this process."""

    sub: Subscription
    topic: str
    key: str
    ref: str
    meta: dict[str, Any]
    last_sent: float = float("-inf")
    pending: dict[str, Any] | None = None
    flush: asyncio.TimerHandle | None = None

    def metas(self, meta: dict[str, Any] | None = None) -> Metas:
        return {self.key: [{**(self.meta if meta is None else meta), "ref": self.ref}]}


def check_meta(meta: Mapping[str, Any], limit: int) -> None:
    try:
        size = len(json.dumps(meta, separators=(",", ":")).encode())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"A presence meta must hold only JSON values: {exc}") from None
    if size > limit:
        raise ValueError(
            f"A presence meta of {size} bytes is larger than max_meta_bytes ({limit}): "
            "keep it to a few small fields (a name, typing, idle)."
        )


def track_of(cls: type[Component], sub: Subscription, state_json: str, limit: int) -> Track | None:
    # User code (hydrate, track_presence), run in a worker thread with the page's request.
    from ._execution import bind_request

    state = json.loads(state_json)
    store = store_for(cls, sub.config)
    if store is not None and sub.component is not None:
        state = finish(loaded_for_push(SYNC_STEPS, store, sub.component, state))
    with bind_request(sub.request, sub.config):
        component = cls(component_id=sub.component_id)
        component.hydrate(dict(state))
        track = component.track_presence()  # type: ignore[attr-defined]
    if track is None:
        return None
    if not isinstance(track, Track):
        raise TypeError(f"track_presence must return a Track or None, not {track!r}.")
    if not isinstance(track.topic, str) or not track.topic:
        raise ValueError(f"A presence topic must be a non-empty string, not {track.topic!r}.")
    if not isinstance(track.key, str) or not track.key:
        raise ValueError(f"A presence key must be a non-empty string, not {track.key!r}.")
    check_meta(track.meta, limit)
    return track
