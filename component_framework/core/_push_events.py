"""A pushed event run on the server for many pages: one run per distinct input.

``push_event`` reaches every subscribed page. A page whose state the server knows (its socket
remembers the last state the server signed and sent it, ``Connections.known``) does not send
the event back: the server runs it. Pages whose inputs are equal (the component, the state,
the event and payload; plus the user or the page, as ``Component.push_runs_per`` says) share
one run of the handler, one render and one encoded body; only the id, the state's signature
(and a server-held state's reference) are made per page. A handler is a state transition:
its side effects run once per distinct state, not once per page.

Each page gets ``{"type": "push_event", "component_id", "event", "payload", "base",
"update"}``: it applies ``update`` when it still holds the state signed ``base`` (the one the
run started from) and has no request of its own in flight; otherwise it sends the event itself,
as a page the server knows nothing about does. A run that fails gives its pages the error
(``"error"`` in place of ``"update"``), logged once per run.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from ._connections import Known
from ._effects import carry_flash, check_effects
from ._events import CheckedPayload, handler_spec
from ._execution import bind_request
from ._held_state import (
    ASYNC_STEPS,
    SYNC_STEPS,
    Steps,
    finish,
    loaded_for_push,
    reference,
    save_pushed,
    store_for,
)
from ._json import canonical_dumps, wire_json
from ._push import Encoded, Subscription, checks_at_push, refusal
from ._reply import error_reply
from .component import Component, StateSerializer
from .permissions import check_permissions, user_of
from .threads import run_sync

__all__ = ["Page", "event_messages", "plain_message", "run_event"]

_PLAIN = re.compile(r"[A-Za-z0-9_.:-]*")  # needs no escaping in JSON (ids, checksums)

Page = tuple[Subscription, Known]
"""A subscription and the state its page holds, as the server signed it."""


def _text(value: str) -> str:
    return f'"{value}"' if _PLAIN.fullmatch(value) else wire_json(value)


def plain_message(sub: Subscription, event: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The push for a page that answers it itself (its state is not known here)."""
    return {
        "type": "push_event",
        "component_id": sub.component_id,
        "event": event,
        "payload": payload,
    }


def _error_message(
    sub: Subscription, event: str, payload: Mapping[str, Any], error: dict[str, Any]
) -> dict[str, Any]:
    return {**plain_message(sub, event, payload), "error": error}


def _state_key(known: Known, held: bool) -> Hashable:
    # A server-held state is named by its reference's key and version (pages that got one
    # push share them); a state held in the page by its JSON.
    if not held:
        return known[0]
    ref = json.loads(known[0])
    return (ref.get("key"), ref.get("version"))


def _share_key(cls: type[Component], sub: Subscription) -> Hashable:
    # What besides the state and the event makes a run differ (Component.push_runs_per).
    if cls.push_runs_per == "page":
        return (sub.connection_id, sub.component_id)
    if cls.push_runs_per == "user":
        user = user_of(sub.request)
        try:
            hash(user)
        except TypeError:
            return ("request", id(sub.request))
        return ("user", user)
    return None


async def event_messages(
    cls: type[Component],
    name: str,
    event: str,
    payload: dict[str, Any],
    pages: Sequence[Page],
    steps: Steps,
) -> list[tuple[Subscription, dict[str, Any]]]:
    """The message of each of *pages* (one class, one app config) for the pushed *event*.

    Runs user code: permission classes for each page, the handler once per group. With the
    sync steps this never suspends (one worker-thread hop runs it through ``finish``).
    """
    messages: list[tuple[Subscription, dict[str, Any]]] = []
    try:
        spec = handler_spec(cls, event)
        checked = cls._check_payload(spec, event, payload)
    except Exception as exc:
        error = error_reply(exc)
        return [(sub, _error_message(sub, event, payload, error)) for sub, _ in pages]
    groups: dict[Hashable, list[Page]] = {}
    held = bool(pages) and store_for(cls, pages[0][0].config) is not None
    for sub, known in pages:
        refused = _refused(cls, sub, event, payload)
        if refused is not None:
            messages.append((sub, refused))
            continue
        groups.setdefault((_state_key(known, held), _share_key(cls, sub)), []).append((sub, known))
    probe = f"cf-probe-{secrets.token_hex(16)}"
    event_json = wire_json(event)
    payload_json = wire_json(payload)
    for group in groups.values():
        run = _Run(cls, name, event, (checked, payload), group, probe, steps)
        try:
            texts = await run.messages(event_json, payload_json)
        except Exception as exc:
            error = error_reply(exc)  # logged once for the group
            messages.extend((sub, _error_message(sub, event, payload, error)) for sub, _ in group)
            continue
        messages.extend(texts)
    return messages


def _run_here(
    cls: type[Component], name: str, event: str, payload: dict[str, Any], pages: list[Page]
) -> list[tuple[Subscription, dict[str, Any]]]:
    return finish(event_messages(cls, name, event, payload, pages, SYNC_STEPS))


async def run_event(
    cls: type[Component], name: str, event: str, payload: dict[str, Any], pages: list[Page]
) -> list[tuple[Subscription, dict[str, Any]]]:
    """``event_messages`` where the rule says: an ``async def`` handler on the loop, any
    other in one worker-thread hop for all of *pages*."""
    try:
        on_loop = handler_spec(cls, event).is_async
    except Exception:
        on_loop = True  # no handler: nothing runs but the error reply
    if on_loop:
        return await event_messages(cls, name, event, payload, pages, ASYNC_STEPS)
    return await run_sync(_run_here, cls, name, event, payload, pages)


def _refused(
    cls: type[Component], sub: Subscription, event: str, payload: Mapping[str, Any]
) -> dict[str, Any] | None:
    # Each page's user is checked with its own request, as its own event would be.
    if not cls.permission_classes:
        return None
    if checks_at_push(cls):
        return refusal(sub, cls)
    try:
        check_permissions(cls, sub.request)
    except Exception as exc:
        return _error_message(sub, event, payload, error_reply(exc))
    return None


class _Run:
    """One group's run: the handler once, then a message per page."""

    def __init__(
        self,
        cls: type[Component],
        name: str,
        event: str,
        payload: tuple[CheckedPayload, Mapping[str, Any]],
        pages: Sequence[Page],
        probe: str,
        steps: Steps,
    ) -> None:
        self.cls, self.name, self.event = cls, name, event
        self.payload, self.raw_payload = payload
        self.pages, self.probe, self.steps = pages, probe, steps
        first = pages[0][0]
        self.config = first.config
        # A run shared by several users sees no request, as push_state's render does.
        self.request = first.request if cls.push_runs_per != "state" else None
        self.store = store_for(cls, self.config)
        self.own_id = False  # the probe is the page's own id: no sharing to detect

    async def _dispatch(self, component_id: str, state: dict[str, Any]) -> dict[str, Any]:
        with bind_request(self.request, self.config):
            component = self.cls(component_id=component_id)
            return await self.steps.dispatch(component, self.event, self.payload, dict(state))

    def _render(self, component_id: str, state: dict[str, Any]) -> str:
        with bind_request(self.request, self.config):
            component = self.cls(component_id=component_id)
            component.hydrate(dict(state))
            return component.render()

    async def messages(
        self, event_json: str, payload_json: str
    ) -> list[tuple[Subscription, dict[str, Any]]]:
        state_json = self.pages[0][1][0]
        start: dict[str, Any] = json.loads(state_json)
        ref = None
        if self.store is not None:
            ref = start
            start = await loaded_for_push(self.steps, self.store, self.name, ref)
        result = await self._dispatch(self.probe, start)
        new_state = result["state"]
        new_json = StateSerializer.serialize_canonical(new_state)
        StateSerializer.check_size(new_json)
        # Checked and carried as a message's effects are; they go to every page of the run.
        check_effects(result.get("effects"), self.config.registry, self.name, self.event)
        effects = carry_flash(result.get("effects") or [], self.config.signer)
        effects_json = wire_json(effects) if effects else ""
        if not self.own_id and (self.probe in new_json or self.probe in effects_json):
            # The handler wrote the id into the state or an effect (an emit to its own id, a
            # browser event naming it): it runs once per page instead.
            out: list[tuple[Subscription, dict[str, Any]]] = []
            for page in self.pages:
                payloads = (self.payload, self.raw_payload)
                one = _Run(self.cls, self.name, self.event, payloads, [page], "", self.steps)
                one.probe, one.own_id = page[0].component_id, True
                out.extend(await one.messages(event_json, payload_json))
            return out
        html: str = result["html"]
        by_id = not self.own_id and self.probe in html  # it shows the id: one render per id
        rendered: dict[str, str] = {}
        written = None
        if self.store is not None:
            written = await save_pushed(self.steps, self.store, self.name, new_state)
        shared_state = wire_json(new_json) if written is None else ""
        html_json = "" if by_id else wire_json(html)
        effects_field = f',"effects":{effects_json}' if effects_json else ""
        out = []
        for sub, known in self.pages:
            cid = sub.component_id
            if by_id:
                if cid not in rendered:
                    rendered[cid] = self._render(cid, new_state)
                page_html = rendered[cid]
                html_field = wire_json(page_html)
            else:
                page_html, html_field = html, html_json
            if written is None:
                page_state, state_field = new_json, shared_state
            else:
                page_state = canonical_dumps(reference(self.name, cid, *written))
                state_field = wire_json(page_state)
            checksum = sub.config.signer.sign(self.name, cid, page_state)
            cid_json = _text(cid)
            update: dict[str, Any] = {
                "type": "component_update",
                "component_id": cid,
                "html": page_html,
                "state": page_state,
                "checksum": checksum,
            }
            if effects:
                update["effects"] = effects
            message = Encoded(
                {
                    "type": "push_event",
                    "component_id": cid,
                    "event": self.event,
                    "payload": self.raw_payload,
                    "base": known[1],
                    "update": update,
                }
            )
            message.text = (
                f'{{"type":"push_event","component_id":{cid_json},"event":{event_json},'
                f'"payload":{payload_json},"base":{_text(known[1])},"update":'
                f'{{"type":"component_update","component_id":{cid_json},"html":{html_field},'
                f'"state":{state_field},"checksum":{_text(checksum)}{effects_field}}}}}'
            )
            out.append((sub, message))
        return out
