"""Signed state, subscription and mount tokens: HMAC-SHA256 over canonical JSON.

State travels through the browser, so every state that leaves the server carries a checksum
binding the component name, the component id, the release and the state itself:

    checksum = "<release>:" + hex(HMAC-SHA256(key, canonical_json([name, id, release, state])))

The HMAC proves the release part, so the server tells a state it signed for an earlier release
(a page left open across a deploy) from a forged one. It cannot tell a state signed with a key
it no longer has from a forged or altered one: no key it holds matches either, so both are
refused as tampered, and counted. Keys rotate: the first key signs, every key verifies.

A signer also issues and checks subscription and mount tokens (``_tokens.PageTokens``).

Nothing is remembered about a request before its signature is checked: a refused checksum costs
its request's memory only while it is being refused.

Configuration comes from the environment unless ``configure`` is called:
``CF_SECRET_KEY`` (the signing key), ``CF_SECRET_KEY_FALLBACKS`` (comma-separated old keys still
accepted), ``CF_RELEASE`` (bump it when a deploy changes what state means) and
``CF_SUBSCRIPTION_LIFETIME`` (seconds a subscription token stays valid, one day by default).

Example:

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
import time
from collections.abc import Callable, Sequence
from typing import Any

from ._json import canonical_dumps
from ._tokens import DIGEST as _DIGEST
from ._tokens import PageTokens
from .exceptions import ConfigurationError, StaleStateError, StateIntegrityError

__all__ = [
    "DEFAULT_SUBSCRIPTION_LIFETIME",
    "CorruptStateError",
    "Signer",
    "StateSigner",
    "configure",
    "get_signer",
    "integrity_failures",
    "stale_state",
]

logger = logging.getLogger("component_framework.security")

_MIN_KEY_LENGTH = 16
DEFAULT_SUBSCRIPTION_LIFETIME = 86_400.0
"""Seconds a subscription token stays valid unless configured otherwise (one day)."""

_MAX_RELEASE = 128

integrity_failures = 0
"""Number of refused checksums since start (tampered, foreign, missing or stale)."""

_counter_lock = threading.Lock()


def _record_failure(reason: str, component: str, component_id: str) -> None:
    global integrity_failures
    with _counter_lock:
        integrity_failures += 1
    logger.warning("Refused state for component %r id %r: %s", component, component_id, reason)


class Signer(PageTokens):
    """Signs and verifies component state, subscription tokens and mount tokens.

    Args:
        keys: Secret keys, newest first. The first signs; all verify (key rotation).
        release: The release or state-schema version bound into every checksum.
        subscription_lifetime: Seconds a subscription token stays valid after it is issued.
        clock: Returns the current time in seconds (``time.time``; tests pass their own).

    Raises:
        ConfigurationError: If no key is given, a key is too short to be a secret, or the
            lifetime is not a positive number.
    """

    def __init__(
        self,
        keys: Sequence[str | bytes],
        *,
        release: str = "1",
        subscription_lifetime: float = DEFAULT_SUBSCRIPTION_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
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
        if not 0 < len(release) <= _MAX_RELEASE:
            raise ConfigurationError(
                f"Release {release[:20]!r}... is {len(release)} characters; "
                f"use 1-{_MAX_RELEASE} (a version or a commit hash)."
            )
        if not subscription_lifetime > 0:
            raise ConfigurationError(
                f"subscription_lifetime must be a positive number of seconds, "
                f"got {subscription_lifetime!r}."
            )
        self._keys = encoded
        self.release = release
        self.subscription_lifetime = float(subscription_lifetime)
        self._clock = clock
        self._prefix = release + ":"
        # Per-(component, id) values every reply needs, filled only when signing (never from
        # an unverified request); bounded, rebuilt on demand.
        self._heads: dict[tuple[str, str, str], str] = {}
        self._tokens: dict[tuple[str, str], tuple[int, str]] = {}
        # A token is reissued at least this often, so its age stays close to the real one.
        self._token_refresh = min(60.0, self.subscription_lifetime / 10)

    def __repr__(self) -> str:
        return f"<Signer release={self.release!r} keys={len(self._keys)}>"

    # ---------- State ----------

    def _envelope(
        self,
        component: str,
        component_id: str,
        release: str,
        state_json: str,
        *,
        remember: bool = False,
    ) -> bytes:
        # Equal to canonical_dumps([component, component_id, release, state]) without
        # serializing the state a second time. Only signing remembers the head: a checksum
        # under verification is client input (its release part can be a megabyte long).
        key = (component, component_id, release)
        head = self._heads.get(key)
        if head is None:
            head = canonical_dumps([component, component_id, release])[:-1]
            if remember and len(head) <= _MAX_REMEMBERED:
                _remember(self._heads, key, head)
        return f"{head},{state_json}]".encode()

    def _digest(self, key: bytes, envelope: bytes) -> str:
        # Not hmac.digest(): that one-shot call releases the GIL on every call, and with a
        # worker thread running handlers each release becomes a thread switch (measured:
        # 4 switches per request instead of 0.5 under load).
        return hmac.new(key, envelope, hashlib.sha256).hexdigest()

    def sign(self, component: str, component_id: str, state_json: str) -> str:
        """Return the checksum of already-canonical *state_json* for this component."""
        envelope = self._envelope(component, component_id, self.release, state_json, remember=True)
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
        """Check *checksum* against *state_json*; return only if it is this server's signature
        under the current release.

        Raises:
            StateIntegrityError: The checksum is missing, malformed, forged or foreign.
            StaleStateError: The state was signed by this server for an earlier release.
        """
        release = self.verify_signature(component, component_id, state_json, checksum)
        if release != self.release:
            raise stale_state(component, component_id, release)

    def verify_signature(
        self, component: str, component_id: str, state_json: str, checksum: Any
    ) -> str:
        """Check that one of this server's keys signed *state_json* for this component, under
        any release, and return that release.

        Raises:
            StateIntegrityError: The checksum is missing, malformed, forged or foreign.
        """
        if not isinstance(checksum, str) or not checksum:
            _record_failure("missing checksum", component, component_id)
            raise StateIntegrityError("State has no checksum; it was refused.")
        release, sep, digest = checksum.rpartition(":")
        # A release part longer than any release can be is refused before it is hashed.
        if not sep or len(release) > _MAX_RELEASE or not _DIGEST.fullmatch(digest):
            _record_failure("malformed checksum", component, component_id)
            raise StateIntegrityError("State checksum is malformed; the state was refused.")
        envelope = self._envelope(component, component_id, release, state_json)
        if not self._matches(envelope, digest):
            # Altered, forged, or signed with a key this server no longer has: no key can
            # tell these apart, so all are one refusal.
            _record_failure("checksum mismatch", component, component_id)
            raise StateIntegrityError("State checksum does not match; the state was refused.")
        return release

    def verify_state(
        self, component: str, component_id: str, state_json: str, checksum: Any
    ) -> dict[str, Any]:
        """Verify *state_json* (see ``verify``) and return it parsed.

        Raises:
            StateIntegrityError: As ``verify``, or the signed text is not a JSON object.
        """
        self.verify(component, component_id, state_json, checksum)
        state = json.loads(state_json)
        if not isinstance(state, dict):
            raise StateIntegrityError("Signed state is not a JSON object.")
        return state

    # ---------- What PageTokens needs ----------

    def _refused(self, reason: str, component: str, component_id: str) -> None:
        _record_failure(reason, component, component_id)

    def _remember_token(self, component: str, component_id: str, issued: int, token: str) -> None:
        if len(token) <= _MAX_REMEMBERED:
            _remember(self._tokens, (component, component_id), (issued, token))


# The names component-framework 0.6.0 gave them (docs/migrating.md): the same meaning, this
# project's checksum and configuration.
CorruptStateError = StateIntegrityError


class StateSigner(Signer):
    """A ``Signer``, with 0.6.0's class-level configuration calls."""

    @classmethod
    def configure(cls, *keys: str | bytes) -> Signer:
        """Sign with the first of *keys*, accept all of them: ``signing.configure``."""
        if not keys or not all(keys):
            raise ConfigurationError(
                "StateSigner.configure() needs a key: state is always signed here "
                "(docs/migrating.md)."
            )
        return configure(keys[0], fallback_keys=keys[1:])

    @classmethod
    def reset(cls) -> None:
        """Forget the configured signer: the next use reads the environment again."""
        _restore(None)


def stale_state(component: str, component_id: str, release: str) -> StaleStateError:
    """The refusal of a state this server signed for an earlier *release* (counted, logged)."""
    _record_failure(f"signed by release {release!r}", component, component_id)
    return StaleStateError(
        "This page was rendered by an earlier version of the application. "
        "Reload the page to continue."
    )


_CACHE_SIZE = 4096
_MAX_REMEMBERED = 512  # characters of one cached value; longer ones are rebuilt each time


_cache_lock = threading.Lock()


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    # At most _CACHE_SIZE values of at most _MAX_REMEMBERED characters: about 2 MB per cache.
    # The oldest entry goes first (dicts keep insertion order): no cliff where every entry is
    # rebuilt at once. Only misses take the lock (worker threads sign too); lookups need none.
    with _cache_lock:
        if len(cache) >= _CACHE_SIZE:
            del cache[next(iter(cache))]
        cache[key] = value


_lock = threading.Lock()
_signer: Signer | None = None


def configure(
    secret_key: str | bytes | None = None,
    *,
    fallback_keys: Sequence[str | bytes] | None = None,
    release: str | None = None,
    ephemeral: bool = False,
    subscription_lifetime: float | None = None,
) -> Signer:
    """Set the process-wide signer used by every transport, and return it.

    Args:
        secret_key: The signing key; defaults to ``CF_SECRET_KEY``.
        fallback_keys: Old keys still accepted; ``None`` reads ``CF_SECRET_KEY_FALLBACKS``.
        release: Bound into checksums; defaults to ``CF_RELEASE`` or ``"1"``.
        ephemeral: Use a random key for this process only when none is configured (the dev
            server; states do not survive a restart).
        subscription_lifetime: Seconds a subscription token stays valid; defaults to
            ``CF_SUBSCRIPTION_LIFETIME`` or one day.

    Raises:
        ConfigurationError: If no key is configured and *ephemeral* is false, or a setting
            is malformed.
    """
    global _signer
    key = secret_key or os.environ.get("CF_SECRET_KEY", "")
    if fallback_keys is None:
        raw = os.environ.get("CF_SECRET_KEY_FALLBACKS", "")
        fallback_keys = [k.strip() for k in raw.split(",") if k.strip()]
    fallbacks = list(fallback_keys)
    if not key:
        if not ephemeral:
            raise ConfigurationError(
                "No secret key configured: set CF_SECRET_KEY (and keep it secret), "
                "or call component_framework.core.signing.configure(secret_key=...)."
            )
        key = secrets.token_urlsafe(32)
    signer = Signer(
        [key, *fallbacks],
        release=release or os.environ.get("CF_RELEASE", "1"),
        subscription_lifetime=subscription_lifetime or _lifetime_from_env(),
    )
    with _lock:
        _signer = signer
    return signer


def _snapshot() -> Signer | None:
    # For component_framework.testing: the process-wide signer as it is, to restore after.
    return _signer


def _restore(saved: Signer | None) -> None:
    global _signer
    with _lock:
        _signer = saved


def _lifetime_from_env() -> float:
    raw = os.environ.get("CF_SUBSCRIPTION_LIFETIME", "").strip()
    if not raw:
        return DEFAULT_SUBSCRIPTION_LIFETIME
    try:
        lifetime = float(raw)
    except ValueError:
        lifetime = 0.0
    if not 0 < lifetime < float("inf"):
        raise ConfigurationError(
            f"CF_SUBSCRIPTION_LIFETIME={raw!r} is not a number of seconds: "
            "set it to a positive number such as 3600, or unset it for one day."
        )
    return lifetime


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
