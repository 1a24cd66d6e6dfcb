"""Page tokens: what a page is handed to come back with, each bound to the time it was issued.

A subscription token lets a page subscribe to the pushes for its component id. A mount token
vouches for the mount parameters of a page's first render, so the page can have its component
mounted again when the server cannot use its state (a new release, an expired stored state): it
binds no release, since a new release is what it outlives. Both are HMAC-SHA256 over the
canonical JSON of ``[purpose, component, id, issued, *more]``, and refused once older than the
signer's ``subscription_lifetime``:

    token = "<component>:<issued, unix seconds>:" + hex(HMAC-SHA256(key, ["cf.subscribe", ...]))
    mount_checksum = "<issued, unix seconds>:" + hex(HMAC-SHA256(key, ["cf.mount", ..., params]))

A carried value (flash messages for the next page) binds a purpose, its issue time and the
value itself, readable by the page but made only by the server, and refused once older than the
caller's ``max_age``:

    token = "<issued>." + base64url(canonical_json(value)) + "." + hex(HMAC-SHA256(key, [...]))

``PageTokens`` is a part of ``signing.Signer``, which holds the keys, the clock and the count of
refusals.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from ._json import canonical_dumps
from .exceptions import StaleStateError, StateIntegrityError

__all__ = ["DIGEST", "PageTokens"]

_SUBSCRIBE_PURPOSE = "cf.subscribe"
_MOUNT_PURPOSE = "cf.mount"

# A digest as hexdigest() writes it. Checked before compare_digest, which raises TypeError on
# a non-ASCII str: a hostile checksum must be a refusal, not a server error.
DIGEST = re.compile(r"[0-9a-f]{64}")
_ISSUED = re.compile(r"[0-9]{1,12}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_MAX_CARRIED = 8192


class PageTokens:
    """Subscription and mount tokens, for ``signing.Signer``."""

    _keys: list[bytes]
    _clock: Callable[[], float]
    _tokens: dict[tuple[str, str], tuple[int, str]]
    _token_refresh: float
    subscription_lifetime: float

    def _digest(self, key: bytes, envelope: bytes) -> str:
        raise NotImplementedError

    def _matches(self, envelope: bytes, digest: str) -> bool:
        raise NotImplementedError

    def _refused(self, reason: str, component: str, component_id: str) -> None:
        raise NotImplementedError

    def _remember_token(self, component: str, component_id: str, issued: int, token: str) -> None:
        raise NotImplementedError

    # ---------- Subscriptions ----------

    def subscription_token(self, component: str, component_id: str) -> str:
        """Return the token that lets a page subscribe to pushes for this component id.

        The token carries its issue time and is refused once older than
        ``subscription_lifetime``; every render hands the page a fresh one.
        """
        now = self._clock()
        cached = self._tokens.get((component, component_id))
        if cached is not None and 0 <= now - cached[0] < self._token_refresh:
            return cached[1]
        issued = int(now)
        token = f"{component}:{self._timed(_SUBSCRIBE_PURPOSE, component, component_id, issued)}"
        self._remember_token(component, component_id, issued, token)
        return token

    def verify_subscription(self, component_id: str, token: Any) -> str:
        """Return the component name bound into *token* for *component_id*.

        Raises:
            StateIntegrityError: The token is missing or was not issued for this id.
            StaleStateError: The token was issued for this id but has expired.
        """
        component, timed = "?", ""
        if isinstance(token, str) and token.count(":") >= 2:
            component, issued, digest = token.rsplit(":", 2)
            timed = f"{issued}:{digest}"
        fresh = self._timed_check(timed, _SUBSCRIBE_PURPOSE, component, component_id)
        if fresh:
            return component
        if fresh is None:
            self._refused("bad subscription token", "?", component_id)
            raise StateIntegrityError("Subscription refused: the token is missing or invalid.")
        self._refused("expired subscription token", component, component_id)
        raise StaleStateError(
            "Subscription refused: the token expired (tokens last "
            f"{self.subscription_lifetime:,.0f} s). Reload the page to receive "
            "live updates again."
        )

    # ---------- Mount parameters ----------

    def mount_token(self, component: str, component_id: str, params_json: str) -> str:
        """Sign the mount parameters (canonical JSON) a page's first render used."""
        issued = int(self._clock())
        return self._timed(_MOUNT_PURPOSE, component, component_id, issued, params_json)

    def verify_mount(self, component: str, component_id: str, params_json: str, token: Any) -> None:
        """Check that this server signed *params_json* for this component and id less than
        ``subscription_lifetime`` ago, under any release.

        Raises:
            StateIntegrityError: The token is missing, forged, foreign or for other parameters.
            StaleStateError: The token is this server's but has expired.
        """
        timed = token if isinstance(token, str) else ""
        fresh = self._timed_check(timed, _MOUNT_PURPOSE, component, component_id, params_json)
        if fresh:
            return
        if fresh is None:
            self._refused("bad mount token", component, component_id)
            raise StateIntegrityError("Mount parameters refused: their checksum does not match.")
        self._refused("expired mount token", component, component_id)
        raise StaleStateError("This page's mount parameters expired. Reload the page.")

    # ---------- Values a page carries to the next one (flash messages) ----------

    def sign_value(self, purpose: str, value: Any) -> str:
        """Return *value* (JSON) as a cookie-safe token bound to *purpose* and the time it is
        issued: only this server can make one; ``verify_value`` refuses it once too old."""
        issued = str(int(self._clock()))
        body = base64.urlsafe_b64encode(canonical_dumps(value).encode()).decode().rstrip("=")
        envelope = canonical_dumps([purpose, issued, body]).encode()
        return f"{issued}.{body}.{self._digest(self._keys[0], envelope)}"

    def verify_value(self, purpose: str, token: Any, max_age: float) -> Any:
        """Return the value of a token ``sign_value`` made for *purpose* at most *max_age*
        seconds ago; None for any other token (forged, foreign, expired, malformed)."""
        if not isinstance(token, str) or len(token) > _MAX_CARRIED:
            return None
        issued, _, rest = token.partition(".")
        body, _, digest = rest.rpartition(".")
        if not (_ISSUED.fullmatch(issued) and DIGEST.fullmatch(digest)):
            return None
        if not _BASE64URL.fullmatch(body):
            return None
        envelope = canonical_dumps([purpose, issued, body]).encode()
        if not self._matches(envelope, digest) or not 0 <= self._clock() - int(issued) <= max_age:
            return None
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))

    # ---------- "<issued>:<digest>" over [purpose, name, id, issued, *more] ----------

    def _timed(self, purpose: str, name: str, component_id: str, issued: int, *more: str) -> str:
        envelope = canonical_dumps([purpose, name, component_id, issued, *more]).encode()
        return f"{issued}:{self._digest(self._keys[0], envelope)}"

    def _timed_check(
        self, token: str, purpose: str, name: str, component_id: str, *more: str
    ) -> bool | None:
        # True: this server's and fresh; False: this server's but expired; None: not its own.
        issued_text, sep, digest = token.rpartition(":")
        if not (sep and DIGEST.fullmatch(digest) and _ISSUED.fullmatch(issued_text)):
            return None
        issued = int(issued_text)
        envelope = canonical_dumps([purpose, name, component_id, issued, *more]).encode()
        if not self._matches(envelope, digest):
            return None
        return self._clock() - issued <= self.subscription_lifetime
