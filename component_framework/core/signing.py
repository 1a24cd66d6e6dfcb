"""Signed state and subscription tokens: HMAC-SHA256 over canonical JSON.

State travels through the browser, so every state that leaves the server carries a checksum
binding the component name, the component id, the release and the state itself::

    checksum = "<release>:" + hex(HMAC-SHA256(key, canonical_json([name, id, release, state])))

The release in clear lets the server tell a page left open across a deploy ("reload the page")
from a forged state. Keys rotate: the first key signs, every key verifies.

Configuration comes from the environment unless :func:`configure` is called:
``CF_SECRET_KEY`` (the signing key), ``CF_SECRET_KEY_FALLBACKS`` (comma-separated old keys still
accepted) and ``CF_RELEASE`` (bump it when a deploy changes what state means).

Example::

    signer = Signer(["new-key", "old-key"], release="2026-11-25")
    state_json, checksum = signer.sign_state("counter", "component-1", {"count": 1})
    state = signer.verify_state("counter", "component-1", state_json, checksum)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Sequence
from typing import Any

from ._json import canonical_dumps
from .exceptions import ConfigurationError, StaleStateError, StateIntegrityError

__all__ = [
    "Signer",
    "configure",
    "get_signer",
    "integrity_failures",
]

logger = logging.getLogger("component_framework.security")

_SUBSCRIBE_PURPOSE = "cf.subscribe"
_MIN_KEY_LENGTH = 16

integrity_failures = 0
"""Number of refused checksums since start (tampered, foreign, missing or stale)."""

_counter_lock = threading.Lock()


def _record_failure(reason: str, component: str, component_id: str) -> None:
    global integrity_failures
    with _counter_lock:
        integrity_failures += 1
    logger.warning("Refused state for component %r id %r: %s", component, component_id, reason)


class Signer:
    """Signs and verifies component state and subscription tokens.

    Args:
        keys: Secret keys, newest first. The first signs; all verify (key rotation).
        release: The release or state-schema version bound into every checksum.

    Raises:
        ConfigurationError: If no key is given or a key is too short to be a secret.
    """

    def __init__(self, keys: Sequence[str | bytes], *, release: str = "1") -> None:
        encoded = [k.encode() if isinstance(k, str) else bytes(k) for k in keys if k]
        if not encoded:
            raise ConfigurationError("No secret key: set CF_SECRET_KEY to a long random string.")
        for key in encoded:
            if len(key) < _MIN_KEY_LENGTH:
                raise ConfigurationError(
                    f"Secret key is {len(key)} bytes; use at least {_MIN_KEY_LENGTH} "
                    "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')."
                )
        if ":" in release:
            raise ConfigurationError(f"Release {release!r} must not contain ':'.")
        self._keys = encoded
        self.release = release
        self._prefix = release + ":"
        # Per-(component, id) values every reply needs; bounded, rebuilt on demand.
        self._heads: dict[tuple[str, str, str], str] = {}
        self._tokens: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"<Signer release={self.release!r} keys={len(self._keys)}>"

    # ---------- State ----------

    def _envelope(self, component: str, component_id: str, release: str, state_json: str) -> bytes:
        # Equal to canonical_dumps([component, component_id, release, state]) without
        # serializing the state a second time.
        key = (component, component_id, release)
        head = self._heads.get(key)
        if head is None:
            head = _remember(
                self._heads, key, canonical_dumps([component, component_id, release])[:-1]
            )
        return f"{head},{state_json}]".encode()

    def _digest(self, key: bytes, envelope: bytes) -> str:
        # Not hmac.digest(): that one-shot call releases the GIL on every call, and with a
        # worker thread running handlers each release becomes a thread switch (measured:
        # 4 switches per request instead of 0.5 under load).
        return hmac.new(key, envelope, hashlib.sha256).hexdigest()

    def sign(self, component: str, component_id: str, state_json: str) -> str:
        """Return the checksum of already-canonical *state_json* for this component."""
        envelope = self._envelope(component, component_id, self.release, state_json)
        return self._prefix + self._digest(self._keys[0], envelope)

    def sign_state(
        self, component: str, component_id: str, state: dict[str, Any]
    ) -> tuple[str, str]:
        """Serialize *state* canonically and sign it; return ``(state_json, checksum)``."""
        state_json = canonical_dumps(state)
        return state_json, self.sign(component, component_id, state_json)

    def _matches(self, envelope: bytes, digest: str) -> bool:
        found = False
        for key in self._keys:
            # Check every key, so timing does not reveal which one matched.
            found |= hmac.compare_digest(self._digest(key, envelope), digest)
        return found

    def verify(self, component: str, component_id: str, state_json: str, checksum: Any) -> None:
        """Check *checksum* against *state_json*; return only if it is this server's signature.

        Raises:
            StateIntegrityError: The checksum is missing, malformed, forged or foreign.
            StaleStateError: The state was signed by this server for an earlier release.
        """
        if not isinstance(checksum, str) or not checksum:
            _record_failure("missing checksum", component, component_id)
            raise StateIntegrityError("State has no checksum; it was refused.")
        release, sep, digest = checksum.rpartition(":")
        if not sep or len(digest) != 64:
            _record_failure("malformed checksum", component, component_id)
            raise StateIntegrityError("State checksum is malformed; the state was refused.")
        envelope = self._envelope(component, component_id, release, state_json)
        if not self._matches(envelope, digest):
            _record_failure("checksum mismatch", component, component_id)
            raise StateIntegrityError("State checksum does not match; the state was refused.")
        if release != self.release:
            _record_failure(f"signed by release {release!r}", component, component_id)
            raise StaleStateError(
                "This page was rendered by an earlier version of the application. "
                "Reload the page to continue."
            )

    def verify_state(
        self, component: str, component_id: str, state_json: str, checksum: Any
    ) -> dict[str, Any]:
        """Verify *state_json* (see :meth:`verify`) and return it parsed.

        Raises:
            StateIntegrityError: As :meth:`verify`, or the signed text is not a JSON object.
        """
        self.verify(component, component_id, state_json, checksum)
        state = json.loads(state_json)
        if not isinstance(state, dict):
            raise StateIntegrityError("Signed state is not a JSON object.")
        return state

    # ---------- Subscriptions ----------

    def subscription_token(self, component: str, component_id: str) -> str:
        """Return the token that lets a page subscribe to pushes for this component id."""
        token = self._tokens.get((component, component_id))
        if token is None:
            envelope = canonical_dumps([_SUBSCRIBE_PURPOSE, component, component_id]).encode()
            token = f"{component}:{self._digest(self._keys[0], envelope)}"
            _remember(self._tokens, (component, component_id), token)
        return token

    def verify_subscription(self, component_id: str, token: Any) -> str:
        """Return the component name bound into *token* for *component_id*.

        Raises:
            StateIntegrityError: The token is missing or was not issued for this id.
        """
        if isinstance(token, str):
            component, sep, digest = token.rpartition(":")
            envelope = canonical_dumps([_SUBSCRIBE_PURPOSE, component, component_id]).encode()
            if sep and len(digest) == 64 and self._matches(envelope, digest):
                return component
        _record_failure("bad subscription token", "?", component_id)
        raise StateIntegrityError("Subscription refused: the token is missing or invalid.")


_CACHE_SIZE = 4096


def _remember(cache: dict[Any, str], key: Any, value: str) -> str:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value
    return value


_lock = threading.Lock()
_signer: Signer | None = None


def configure(
    secret_key: str | bytes | None = None,
    *,
    fallback_keys: Sequence[str | bytes] = (),
    release: str | None = None,
    ephemeral: bool = False,
) -> Signer:
    """Set the process-wide signer used by every transport, and return it.

    Args:
        secret_key: The signing key; defaults to ``CF_SECRET_KEY``.
        fallback_keys: Old keys still accepted; defaults to ``CF_SECRET_KEY_FALLBACKS``.
        release: Bound into checksums; defaults to ``CF_RELEASE`` or ``"1"``.
        ephemeral: Use a random key for this process only when none is configured (the dev
            server; states do not survive a restart).

    Raises:
        ConfigurationError: If no key is configured and *ephemeral* is false.
    """
    global _signer
    key = secret_key or os.environ.get("CF_SECRET_KEY", "")
    fallbacks = list(fallback_keys) or [
        k.strip() for k in os.environ.get("CF_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
    ]
    if not key:
        if not ephemeral:
            raise ConfigurationError(
                "No secret key configured: set CF_SECRET_KEY (and keep it secret), "
                "or call component_framework.core.signing.configure(secret_key=...)."
            )
        key = secrets.token_urlsafe(32)
    signer = Signer([key, *fallbacks], release=release or os.environ.get("CF_RELEASE", "1"))
    with _lock:
        _signer = signer
    return signer


def get_signer() -> Signer:
    """Return the process-wide signer, configuring it from the environment on first use.

    Without ``CF_SECRET_KEY`` a per-process random key is used and a warning is logged:
    fine for tests and development, wrong for production (states die with the process).
    """
    if _signer is not None:
        return _signer
    if not os.environ.get("CF_SECRET_KEY"):
        logger.warning(
            "CF_SECRET_KEY is not set: using a random key for this process. "
            "Set CF_SECRET_KEY in production."
        )
    return configure(ephemeral=True)
