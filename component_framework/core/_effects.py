"""Effects: what a reply asks the page to do besides showing its HTML and holding its state.

A handler (or mount, hydrate, ``before_render``) asks for them through the methods below, which
every ``Component`` has; the component collects them in call order for the current dispatch,
never in its state. A dispatch result, a stream frame, a push's update and the wire reply carry
them as ``"effects": [...]``, only when there are any. Each effect is a JSON object with a
``"type"``; cf.js applies them in list order after the reply's HTML (``cf.effects[type]``) and
skips an unknown type with a console warning. Every transport and adapter just carries the list.

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
is refused: ``core.navigation``); :func:`check_effects` checks, in the message path, what needs
the app's registry, and :func:`carry_flash` signs the flash messages a page leaving carries.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ._events import handler_spec, is_event_name
from .exceptions import ComponentError, HandlerError
from .flash import FLASH_LEVELS, FLASH_PURPOSE, MAX_FLASH_TEXT
from .navigation import resolve_url, safe_url

if TYPE_CHECKING:
    from .registry import ComponentRegistry
    from .signing import Signer

__all__ = [
    "ComponentEffects",
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

logger = logging.getLogger("component_framework")

LEAVING = frozenset({"redirect", "navigate"})
"""The effects that leave the page."""
# A DOM event type: letters, digits and ":._-", not cf.js's own "cf:" events.
_BROWSER_EVENT = re.compile(r"[A-Za-z][A-Za-z0-9:._-]{0,99}")

Query = dict[str, str | list[str] | None]
History = Literal["push", "replace"]


def json_value(value: Any, what: str) -> Any:
    """Return *value* as the page will get it (a JSON round trip), or raise ``TypeError``."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{what} must be JSON (dicts, lists, str, int, float, bool, None): {exc}"
        ) from None


# ---------- Builders: one per type ----------


def redirect(
    to: str, args: tuple[Any, ...] = (), kwargs: Mapping[str, Any] = {}, *, external: bool = False
) -> dict[str, Any]:
    """The ``redirect`` effect to *to* (a path, or a URL name resolved with *args*/*kwargs*).

    Raises:
        UnsafeUrlError: *to* leads to another site and *external* is not set.
    """
    url = safe_url(resolve_url(to, args, dict(kwargs)), external=external)
    return {"type": "redirect", "url": url}


def navigate(
    to: str, args: tuple[Any, ...] = (), kwargs: Mapping[str, Any] = {}, *, replace: bool = False
) -> dict[str, Any]:
    """The ``navigate`` effect (live navigation) to *to*, a path on this site or a URL name.

    Raises:
        UnsafeUrlError: *to* is not on this site.
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
        ComponentError: A query parameter that is not a string, number, bool, list or None.
    """
    url = None if to is None else safe_url(resolve_url(to, (), {}))
    params = None if query is None else {k: _query_value(k, v) for k, v in query.items()}
    return {"type": "patch_url", "url": url, "query": params, "history": history}


def flash(level: str, text: str) -> dict[str, Any]:
    """The ``flash`` effect: *text* (plain, escaped where shown) at *level*.

    Raises:
        ComponentError: An unknown *level*, or *text* empty or too long.
    """
    if level not in FLASH_LEVELS:
        raise ComponentError(f"Flash level must be one of {FLASH_LEVELS}, got {level!r}.")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_FLASH_TEXT:
        raise ComponentError(
            f"Flash text must be 1-{MAX_FLASH_TEXT} characters, "
            f"got {text if not isinstance(text, str) else text[:40] + '...'!r}."
        )
    return {"type": "flash", "level": level, "text": text}


def browser_event(name: str, detail: Any = None, *, declared: Sequence[str] = ()) -> dict[str, Any]:
    """The ``browser_event`` effect: the DOM event *name* with *detail* on the component's root.

    Raises:
        ValueError: *name* is not a DOM event name a page can listen to, is one of cf.js's own
            (``cf:...``), or is not among the *declared* names (when some are declared).
        TypeError: *detail* is not JSON.
    """
    if not isinstance(name, str) or not _BROWSER_EVENT.fullmatch(name):
        raise ValueError(
            f"Browser event name {name!r} is not valid: use 1-100 letters, digits or ':._-', "
            "starting with a letter (e.g. 'chart:data')."
        )
    if name.startswith("cf:"):
        raise ValueError(f"Browser event name {name!r} is reserved: 'cf:' names are cf.js's own.")
    if declared and name not in declared:
        raise ValueError(
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
        ValueError: No target or several, a bad event name, or one not among *declared*.
        TypeError: *payload* is not a JSON object.
    """
    if not is_event_name(event):
        raise ValueError(
            f"Emitted event {event!r} is not an event name: use an identifier without a "
            "leading underscore, as in on_<event>."
        )
    if declared and event not in declared:
        raise ValueError(f"Emitted event {event!r} is not declared in emits {list(declared)}.")
    if sum([to is not None, component_id is not None, parent]) != 1:
        raise ValueError(
            f"emit({event!r}) needs exactly one target: to='<component name>', "
            "component_id='<id>' or parent=True."
        )
    if payload is not None and not isinstance(payload, Mapping):
        raise TypeError(f"The payload of emit({event!r}) must be a dict, got {type(payload)}.")
    effect: dict[str, Any] = {
        "type": "emit",
        "event": event,
        "payload": json_value(dict(payload or {}), f"The payload of emit({event!r})"),
    }
    if to is not None:
        if not isinstance(to, str) or not to:
            raise ValueError(f"emit({event!r}, to=...) needs a component name, got {to!r}.")
        effect["to"] = to
    elif component_id is not None:
        if not isinstance(component_id, str) or not component_id:
            raise ValueError(f"emit({event!r}, component_id=...) needs an id: {component_id!r}.")
        effect["component_id"] = component_id
    else:
        effect["parent"] = True
    return effect


def _query_value(name: Any, value: Any) -> str | list[str] | None:
    if not isinstance(name, str) or not name:
        raise ComponentError(f"Query parameter names must be strings, got {name!r}.")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return [str(_query_value(name, item)) for item in value]
    raise ComponentError(
        f"Query parameter {name!r} must be a string, number, bool, list or None, got {value!r}."
    )


# ---------- The methods every Component has ----------


class ComponentEffects:
    """The effect methods of ``Component`` (see the module's table)."""

    browser_events: ClassVar[Sequence[str]] = ()
    """The browser events its code dispatches (:meth:`dispatch_browser_event`), listed by
    ``cf registry show``; when given, dispatching another name is an error."""
    emits: ClassVar[Sequence[str]] = ()
    """The events it emits to other components (:meth:`emit`), listed by ``cf registry show``;
    when given, emitting another is an error."""

    _effects: list[dict[str, Any]]

    @property
    def effects(self) -> list[dict[str, Any]]:
        """The effects asked for so far in this dispatch, in order (docs/core.md, "Effects")."""
        return list(self._effects)

    def redirect(self, to: str, *args: Any, external: bool = False, **kwargs: Any) -> None:
        """Load *to* once the reply is applied: a full page load.

        *to* is a path (``"/products"``) or a URL name, resolved with *args* and *kwargs*
        (``redirect("product_edit", pk=3)``).

        Raises:
            UnsafeUrlError: *to* leads to another site and *external* is not set.
        """
        self._effects.append(redirect(to, args, kwargs, external=external))

    def navigate(self, to: str, *args: Any, replace: bool = False, **kwargs: Any) -> None:
        """Go to *to* by live navigation: the page fetches it and swaps its body, keeping the
        socket and the elements marked ``cf-persist``; *replace* rewrites the current history
        entry instead of adding one.

        Raises:
            UnsafeUrlError: *to* is not on this site (use ``redirect(..., external=True)``).
        """
        self._effects.append(navigate(to, args, kwargs, replace=replace))

    def patch_url(
        self,
        to: str | None = None,
        *,
        query: Mapping[str, Any] | None = None,
        replace: bool = False,
    ) -> None:
        """Change the address bar without loading a page: to *to* (a path on this site),
        and/or with *query*'s parameters set (``None`` removes one). A new history entry unless
        *replace*.

        Raises:
            UnsafeUrlError: *to* is not on this site.
        """
        self._effects.append(patch_url(to, query=query, history="replace" if replace else "push"))

    def flash(self, level: str, text: str) -> None:
        """Show *text* in the page's flash region (``{{ cf_flash() }}``), announced to screen
        readers and dismissable; before a redirect or a navigation, on the next page.

        Raises:
            ComponentError: An unknown *level*, or *text* empty or too long.
        """
        self._effects.append(flash(level, text))

    def dispatch_browser_event(self, name: str, detail: Any = None) -> None:
        """Dispatch the DOM event *name* (``"chart:data"``) with *detail* (JSON) on this
        component's root in the page, once the reply's HTML is in place. Hooks
        (``this.on(name, fn)``) and the page's scripts listen to it.

        Raises:
            ValueError: A name a page cannot listen to, a ``cf:`` name, or one missing from a
                ``browser_events`` declaration.
            TypeError: *detail* is not JSON.
        """
        self._effects.append(browser_event(name, detail, declared=tuple(self.browser_events)))

    def emit(
        self,
        event: str,
        payload: Mapping[str, Any] | None = None,
        *,
        to: str | None = None,
        component_id: str | None = None,
        parent: bool = False,
    ) -> None:
        """Send *event* with *payload* to other components of the same page: every component
        registered as *to*, the one with *component_id*, or the one enclosing this one
        (*parent*). Each handles it with ``on_<event>`` and its own state, in a request of its
        own, checked like any event.

        Raises:
            ValueError: Not exactly one target, or a bad event name.
            TypeError: *payload* is not a JSON object.
        """
        effect = emit(
            event,
            payload,
            to=to,
            component_id=component_id,
            parent=parent,
            declared=tuple(self.emits),
        )
        self._effects.append(effect)


# ---------- In the message path ----------


def check_effects(
    effects: Any, registry: ComponentRegistry, component: str, event: str | None
) -> None:
    """Check what only the app knows: an ``emit`` ``to`` names a registered component that
    handles the event. Runs in the message path, after the handler.

    Raises:
        HandlerError: An emit names an unknown component or event (the detail is logged).
    """
    for effect in effects or ():
        if effect.get("type") != "emit" or "to" not in effect:
            continue
        target = registry.get(effect["to"])
        if target is None:
            close = difflib.get_close_matches(effect["to"], list(registry), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            problem = f"{component} emitted {effect['event']!r} to {effect['to']!r}, which is "
            problem += f"not a registered component{hint}"
        else:
            try:
                handler_spec(target, effect["event"])
                continue
            except ComponentError:
                problem = (
                    f"{component} emitted {effect['event']!r} to {effect['to']!r}, which has "
                    f"no handler on_{effect['event']}."
                )
        logger.error("%s", problem)
        error = HandlerError(f"Error handling {event}" if event else f"Error rendering {component}")
        error.__cause__ = ValueError(problem)
        raise error


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
