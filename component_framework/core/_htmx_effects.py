"""A reply's effects under htmx: htmx's own response headers, and out-of-band flash messages.

A component with ``transport = "htmx"`` has no cf.js to apply its effects, so the htmx
endpoint turns them into what htmx applies itself (docs/htmx.md, "Effects"):

| effect | under htmx |
| --- | --- |
| ``redirect`` | ``HX-Redirect`` (a full page load) |
| ``navigate`` | ``HX-Location`` (htmx fetches the page and swaps the body; pushes the URL, or
  replaces it) |
| ``patch_url`` | ``HX-Push-Url`` or ``HX-Replace-Url``: the page's URL (``HX-Current-URL``)
  with the effect applied |
| ``flash`` | appended to the page's flash region (``#cf-flash``) by an out-of-band swap;
  before a redirect or navigation, carried signed in the ``cf_flash`` cookie |
| ``browser_event`` | ``HX-Trigger-After-Settle`` (``HX-Trigger`` when the reply leaves) |
| ``emit`` | refused where it is asked (``EffectError``): htmx has no cf.js to send it |

A reply that leaves the page (a redirect or a navigation) applies nothing after it, as cf.js
does. An effect htmx cannot apply is logged (a warning), never dropped silently.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from markupsafe import Markup

from .exceptions import UnsafeUrlError
from .flash import FLASH_COOKIE, FLASH_MAX_AGE, FlashMessage, flash_messages
from .navigation import safe_url

__all__ = ["htmx_effects"]

logger = logging.getLogger("component_framework")


def htmx_effects(
    effects: Iterable[Mapping[str, Any]], current_url: str | None
) -> tuple[dict[str, str], Markup]:
    """The response headers and the out-of-band markup (appended to the reply's body) that
    apply *effects* under htmx; *current_url* is the page's URL (``HX-Current-URL``)."""
    headers: dict[str, str] = {}
    triggers: dict[str, Any] = {}
    shown: list[FlashMessage] = []
    url = _here(current_url)
    patched: str | None = None
    push = False
    for effect in effects:
        kind = effect.get("type")
        if kind == "redirect":
            headers["HX-Redirect"] = effect["url"]
        elif kind == "navigate":
            location: dict[str, Any] = {"path": effect["url"]}
            if effect.get("replace"):
                location.update(push=False, replace="true")
            headers["HX-Location"] = json.dumps(location)
        elif kind == "patch_url":
            patched = url = _patched(url, effect)
            push = push or effect.get("history") != "replace"
        elif kind == "flash":
            shown.append(FlashMessage(effect["level"], effect["text"]))
        elif kind == "browser_event":
            detail = triggers[effect["name"]] = effect.get("detail")
            if isinstance(detail, dict) and "target" in detail:
                logger.warning(
                    "Browser event %r under htmx: htmx reads the detail's 'target' as the CSS "
                    "selector of the element to fire it on; rename that key.",
                    effect["name"],
                )
        else:
            logger.warning("htmx cannot apply a %r effect; it was left out of the reply.", kind)
            continue
        if kind in ("redirect", "navigate"):
            if effect.get("flash"):  # signed by carry_flash: the next page shows them
                headers["Set-Cookie"] = (
                    f"{FLASH_COOKIE}={effect['flash']}; Path=/; "
                    f"Max-Age={int(FLASH_MAX_AGE)}; SameSite=Strict"
                )
            shown = []  # carried in the cookie
            patched = None  # the page is left
            break
    if triggers:
        when = "HX-Trigger" if "HX-Redirect" in headers or "HX-Location" in headers else None
        headers[when or "HX-Trigger-After-Settle"] = json.dumps(triggers)
    if patched is not None and patched != _here(current_url):
        headers["HX-Push-Url" if push else "HX-Replace-Url"] = patched
    if not shown:
        return headers, Markup("")
    oob = Markup('<div hx-swap-oob="beforeend:#cf-flash">{}</div>').format(flash_messages(shown))
    return headers, oob


def _here(current_url: str | None) -> str:
    # The page's path and query: only they are taken from the client's header.
    parts = urlsplit(current_url or "/")
    return urlunsplit(("", "", _path(parts.path), parts.query, ""))


def _path(path: str) -> str:
    # One leading slash: "//host/x" is another site to a browser.
    return "/" + path.lstrip("/")


def _patched(here: str, effect: Mapping[str, Any]) -> str:
    # As cf.js's patch_url: the effect's path (if any), then each query parameter set anew.
    target = urljoin(here, effect["url"]) if effect.get("url") else here
    parts = urlsplit(target)
    params = parse_qsl(parts.query, keep_blank_values=True)
    for name, value in (effect.get("query") or {}).items():
        params = [(key, v) for key, v in params if key != name]
        values = value if isinstance(value, list) else [] if value is None else [value]
        params += [(name, str(v)) for v in values]
    patched = urlunsplit(("", "", _path(parts.path), urlencode(params), parts.fragment))
    try:
        return safe_url(patched)
    except UnsafeUrlError:  # a page URL htmx sent that no browser would (//other.example)
        logger.warning("patch_url under htmx: %r is not on this site; left as it was.", patched)
        return here
