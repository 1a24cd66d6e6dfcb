"""Effects: what a reply asks the page to do besides showing its HTML and holding its state.

A handler (or mount, hydrate, ``before_render``) asks for them through the methods below, which
every ``Component`` has (``core._component_effects``); the component collects them in call
order for the current dispatch, never in its state. A dispatch result, a stream frame, a push's
update and the wire reply carry them as ``"effects": [...]``, only when there are any. Each
effect is a JSON object with a ``"type"``; cf.js applies them in list order after the reply's
HTML (``cf.effects[type]``) and skips an unknown type with a console warning. Every transport
and adapter just carries the list.

| method | type | what the page does |
| --- | --- | --- |
| ``redirect(to)`` | ``redirect`` | loads *to* (a full page load) |
| ``navigate(to)`` | ``navigate`` | live navigation: fetches *to*, morphs the body in |
| ``patch_url(to, query=)`` (or a change of ``url_state``) | ``patch_url`` | changes the
  address bar, no load |
| ``flash(level, text)`` | ``flash`` | shows the message in the page's flash region |
| ``dispatch_browser_event(name, detail)`` | ``browser_event`` | a DOM event on the root |
| ``emit(event, payload, to=...)`` | ``emit`` | other components of the page send *event* |

Every effect is built and checked here, where the component asks for it (a URL on another site
is refused: ``core.navigation``). A bad call raises ``EffectError``: a 500 for the code's own
mistakes, a 4xx subclass for values that may come from a client (docs/core.md has the table).
:func:`check_effects` checks, in the message path, what needs the app's registry, and
:func:`carry_flash` signs the flash messages a page leaving carries.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ._events import handler_spec, is_event_name
from .exceptions import ComponentError, EffectError, InvalidEffectError
from .flash import FLASH_LEVELS, FLASH_PURPOSE, MAX_FLASH_TEXT
from .navigation import resolve_url, safe_url

if TYPE_CHECKING:
    from .registry import ComponentRegistry
    from .signing import Signer

__all__ = [
    "LEAVING",
    "browser_event",
    "carry_flash",
    "check_effects",
    "emit",
    "flash",
    "json_value",
    "navigate",
    "patch_url",
    "redirect",
]

LEAVING = frozenset({"redirect", "navigate"})
"""The effects that leave the page."""
# A DOM event type: letters, digits and ":._-", not cf.js's own "cf:" events.
_BROWSER_EVENT = re.compile(r"[A-Za-z][A-Za-z0-9:._-]{0,99}")
# What a message's component_id may be (core._message): an emit aims at a page's component.
_COMPONENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")

Query = dict[str, str | list[str] | None]
History = Literal["push", "replace"]


def json_value(value: Any, what: str) -> Any:
    """Return *value* as the page will get it (a JSON round trip).

    Raises:
        EffectError: *value* is not JSON.
    """
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise EffectError(
            f"{what} must be JSON (dicts, lists, str, int, float, bool, None): {exc}. "
            "Convert it first (a date to its isoformat(), a set to a list)."
        ) from None


# ---------- Builders: one per type ----------


def redirect(
    to: str, args: tuple[Any, ...] = (), kwargs: Mapping[str, Any] = {}, *, external: bool = False
) -> dict[str, Any]:
    """The ``redirect`` effect to *to* (a path, or a URL name resolved with *args*/*kwargs*).

    Raises:
        UnsafeUrlError: *to* leads to another site and *external* is not set, or names no route.
        EffectError: *to* is not a string, or a route name given arguments names no route.
    """
    url = safe_url(resolve_url(to, args, dict(kwargs)), external=external)
    return {"type": "redirect", "url": url}


def navigate(
    to: str, args: tuple[Any, ...] = (), kwargs: Mapping[str, Any] = {}, *, replace: bool = False
) -> dict[str, Any]:
    """The ``navigate`` effect (live navigation) to *to*, a path on this site or a URL name.

    Raises:
        UnsafeUrlError: *to* is not on this site, or names no route.
        EffectError: As ``redirect``.
    """
    url = safe_url(resolve_url(to, args, dict(kwargs)))
    return {"type": "navigate", "url": url, "replace": bool(replace)}


def patch_url(
    to: str | None = None, *, query: Mapping[Any, Any] | None = None, history: History = "push"
) -> dict[str, Any]:
    """The ``patch_url`` effect: the address bar shows *to* (a path on this site) and/or
    *query*'s parameters (``None`` removes one), in a new history entry or (``"replace"``) not.

    Raises:
        UnsafeUrlError: *to* is not on this site.
        EffectError: *query* is not a mapping, or holds a name that is not a string or a value
            that is not a string, number, bool, list or None.
    """
    url = None if to is None else safe_url(resolve_url(to, (), {}))
    if query is not None and not isinstance(query, Mapping):
        raise EffectError(
            f"query must be a dict of parameters, got {type(query).__name__}: "
            "patch_url(query={'page': 2})."
        )
    params = None if query is None else {k: _query_value(k, v) for k, v in query.items()}
    return {"type": "patch_url", "url": url, "query": params, "history": history}


def flash(level: str, text: str) -> dict[str, Any]:
    """The ``flash`` effect: *text* (plain, escaped where shown) at *level*.

    Raises:
        EffectError: An unknown *level*, or *text* not a string.
        InvalidEffectError: *text* empty or longer than ``MAX_FLASH_TEXT`` (it may hold input).
    """
    if level not in FLASH_LEVELS:
        raise EffectError(
            f"Flash level must be one of {', '.join(FLASH_LEVELS)}; got {level!r}. "
            "Write flash('success', 'Saved.')."
        )
    if not isinstance(text, str):
        raise EffectError(
            f"Flash text must be a string, got {type(text).__name__}: format it first."
        )
    if not text.strip() or len(text) > MAX_FLASH_TEXT:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise InvalidEffectError(
            f"Flash text must be 1-{MAX_FLASH_TEXT} characters (not only spaces), got "
            f"{len(text)}: {shown!r}. Shorten what it quotes."
        )
    return {"type": "flash", "level": level, "text": text}


def browser_event(name: str, detail: Any = None, *, declared: Sequence[str] = ()) -> dict[str, Any]:
    """The ``browser_event`` effect: the DOM event *name* with *detail* on the component's root.

    Raises:
        EffectError: *name* is not a DOM event name a page can listen to, is one of cf.js's own
            (``cf:...``), or is not among the *declared* names (when some are declared); or
            *detail* is not JSON.
    """
    if not isinstance(name, str) or not _BROWSER_EVENT.fullmatch(name):
        raise EffectError(
            f"Browser event name {name!r} is not valid: use 1-100 letters, digits or ':._-', "
            "starting with a letter (e.g. 'chart:data')."
        )
    if name.startswith("cf:"):
        raise EffectError(
            f"Browser event name {name!r} is reserved: 'cf:' names are cf.js's own; "
            "use a prefix of your own ('chart:data')."
        )
    if declared and name not in declared:
        raise EffectError(
            f"Browser event {name!r} is not declared in browser_events {list(declared)}: "
            "add it there."
        )
    return {"type": "browser_event", "name": name, "detail": json_value(detail, "detail")}


def emit(
    event: str,
    payload: Mapping[str, Any] | None = None,
    *,
    to: str | None = None,
    component_id: str | None = None,
    parent: bool = False,
    declared: Sequence[str] = (),
) -> dict[str, Any]:
    """The ``emit`` effect: *event* with *payload* for the page's components named *to*, the
    one with *component_id*, or the enclosing one (*parent*); exactly one of the three.

    Raises:
        EffectError: No target or several, a bad event name or one not among *declared*,
            *payload* not a JSON object, *to* or *component_id* not a string.
        InvalidEffectError: *component_id* (which may come from the page) is no component id.
    """
    if not is_event_name(event):
        raise EffectError(
            f"Emitted event {event!r} is not an event name: use an identifier without a "
            "leading underscore, as in on_<event>."
        )
    if declared and event not in declared:
        raise EffectError(
            f"Emitted event {event!r} is not declared in emits {list(declared)}: add it there."
        )
    if sum([to is not None, component_id is not None, parent]) != 1:
        raise EffectError(
            f"emit({event!r}) needs exactly one target: to='<component name>', "
            "component_id='<id>' or parent=True."
        )
    if payload is not None and not isinstance(payload, Mapping):
        raise EffectError(
            f"The payload of emit({event!r}) must be a dict of the target handler's arguments, "
            f"got {type(payload).__name__}."
        )
    effect: dict[str, Any] = {
        "type": "emit",
        "event": event,
        "payload": json_value(dict(payload or {}), f"The payload of emit({event!r})"),
    }
    if to is not None:
        if not isinstance(to, str) or not to:
            raise EffectError(
                f"emit({event!r}, to=...) needs a registered component name, got {to!r}."
            )
        effect["to"] = to
    elif component_id is not None:
        if not isinstance(component_id, str):
            raise EffectError(
                f"emit({event!r}, component_id=...) needs a string id, "
                f"got {type(component_id).__name__}."
            )
        if not _COMPONENT_ID.fullmatch(component_id):
            raise InvalidEffectError(
                f"emit({event!r}, component_id=...) got {component_id[:40]!r}, which is no "
                "component id (1-128 letters, digits or '_.:-')."
            )
        effect["component_id"] = component_id
    else:
        effect["parent"] = True
    return effect


def _query_value(name: Any, value: Any) -> str | list[str] | None:
    if not isinstance(name, str) or not name:
        raise EffectError(f"Query parameter names must be non-empty strings, got {name!r}.")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return [str(_query_value(name, item)) for item in value]
    raise EffectError(
        f"Query parameter {name!r} must be a string, number, bool, list or None, "
        f"got {type(value).__name__}: convert it first."
    )


# ---------- In the message path ----------


def check_effects(
    effects: Any, registry: ComponentRegistry, component: str, event: str | None
) -> None:
    """Check what only the app knows: an ``emit`` ``to`` names a registered component that
    handles the event. Runs in the message path, after the handler.

    Raises:
        EffectError: An emit names an unknown component or event (the code's mistake: logged
            where the reply is built, a generic error to the client).
    """
    for effect in effects or ():
        if effect.get("type") != "emit" or "to" not in effect:
            continue
        target = registry.get(effect["to"])
        if target is None:
            close = difflib.get_close_matches(effect["to"], list(registry), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "register it, or fix the name."
            problem = f"{component} emitted {effect['event']!r} to {effect['to']!r}, which is "
            problem += f"not a registered component: {hint}"
        else:
            try:
                handler_spec(target, effect["event"])
                continue
            except ComponentError:
                problem = (
                    f"{component} emitted {effect['event']!r} to {effect['to']!r}, which has "
                    f"no handler on_{effect['event']}: add it, or emit another event."
                )
        where = f" (in on_{event})" if event else " (in its first render)"
        raise EffectError(problem + where)


def carry_flash(effects: list[dict[str, Any]], signer: Signer) -> list[dict[str, Any]]:
    """The effects of a reply as sent: when it leaves the page (a redirect or a navigation),
    its flash messages travel signed in that effect (``"flash"``) to the next page, which
    shows them; otherwise they show where they are."""
    at = next((i for i, e in enumerate(effects) if e.get("type") in LEAVING), None)
    if at is None:
        return effects
    messages = [[e["level"], e["text"]] for e in effects if e.get("type") == "flash"]
    if not messages:
        return effects
    carried = list(effects)
    carried[at] = {**effects[at], "flash": signer.sign_value(FLASH_PURPOSE, messages)}
    return carried
