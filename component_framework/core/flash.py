"""Flash messages: "Saved." after a redirect, shown once in a region the page places once.

A handler calls ``self.flash("success", "Saved.")``. Without a redirect or a navigation,
cf.js shows the message in the page's region at once. Before one, the reply's ``redirect``
or ``navigate`` effect carries the messages signed (``Signer.sign_value``); cf.js hands them
to the next page in the ``cf_flash`` cookie, whose render shows them (``read_flash``) and
whose cf.js then deletes the cookie: one-shot, and a message no server signed, or one older
than a minute, is never shown.

The token is signed, not encrypted: it cannot be forged, but its text can be read. That is
deliberate: the reply that carries it lists the same messages as ``flash`` effects (for
ComponentTester, ``cf dispatch`` and cf dev's log), and they are written to show to the very
user who holds the token. Encrypting the copy would hide nothing.

The region (``flash_region``; the ``cf_flash()`` template global, Django's ``{% cf_flash %}``)
is a polite live region, so screen readers announce each message; each message has a dismiss
button. Text is always escaped. On a page driven by htmx alone (``core.htmx``) there is no
cf.js: the region's own htmx attributes dismiss messages and delete the cookie once shown
(they are inert without htmx).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from .signing import Signer

__all__ = [
    "FLASH_COOKIE",
    "FLASH_LEVELS",
    "FLASH_MAX_AGE",
    "FLASH_PURPOSE",
    "MAX_FLASH_TEXT",
    "FlashMessage",
    "flash_messages",
    "flash_region",
    "read_flash",
]

FLASH_LEVELS = ("debug", "info", "success", "warning", "error")
"""The levels of a flash message (Django's message levels)."""
MAX_FLASH_TEXT = 500
"""Longest flash text, in characters: it travels in a cookie to the next page."""
FLASH_PURPOSE = "cf.flash"
"""What flash tokens are signed for (``Signer.sign_value``)."""
FLASH_MAX_AGE = 60.0
"""Seconds flash messages carried to the next page stay valid."""

FLASH_COOKIE = "cf_flash"
"""The cookie cf.js carries a reply's flash messages in to the next page."""
_MAX_MESSAGES = 20


@dataclass(frozen=True, slots=True)
class FlashMessage:
    """One message: its level (``success``, ``error``, ...) and its text (plain, not HTML)."""

    level: str
    text: str


def read_flash(token: str | None, signer: Signer) -> list[FlashMessage]:
    """The messages a ``cf_flash`` cookie carries; none unless this server signed it less than
    a minute ago."""
    if not token:
        return []
    value: Any = signer.verify_value(FLASH_PURPOSE, token, FLASH_MAX_AGE)
    if not isinstance(value, list):
        return []
    messages = []
    for item in value[:_MAX_MESSAGES]:
        if (
            isinstance(item, list)
            and len(item) == 2
            and item[0] in FLASH_LEVELS
            and isinstance(item[1], str)
            and len(item[1]) <= MAX_FLASH_TEXT
        ):
            messages.append(FlashMessage(item[0], item[1]))
    return messages


def _message(message: FlashMessage) -> str:
    level = escape(message.level)
    return (
        f'<div class="cf-flash-message cf-flash-{level}" data-level="{level}">'
        f'<span class="cf-flash-text">{escape(message.text)}</span>'
        '<button type="button" class="cf-flash-dismiss" data-cf-dismiss '
        'aria-label="Dismiss">\u00d7</button></div>'
    )


def flash_messages(messages: Iterable[FlashMessage]) -> Markup:
    """The markup of *messages* as the region holds them (text escaped)."""
    return Markup("".join(_message(m) for m in messages))


# For pages without cf.js (htmx): a dismiss button removes its message, and the cookie that
# carried the messages here is deleted once htmx has processed the region (hx-trigger makes
# htmx process it; the hx-on handlers are attached before its after-process-node event).
_HTMX_REGION = (
    ' hx-trigger="load"'
    " hx-on:htmx:after-process-node=\"document.cookie = '"
    + FLASH_COOKIE
    + "=; path=/; max-age=0; samesite=strict'\""
    " hx-on:click=\"const b = event.target.closest('[data-cf-dismiss]'); "
    'if (b) b.parentElement.remove()"'
)


def flash_region(messages: Iterable[FlashMessage] = ()) -> Markup:
    """The page's flash region (place it once, in the layout) holding *messages*."""
    return Markup(
        f'<div id="cf-flash" class="cf-flash" data-cf-flash{_HTMX_REGION} role="status" '
        f'aria-live="polite">{flash_messages(messages)}</div>'
    )
