"""The dev server's signing key: the project's development key, never ``CF_SECRET_KEY``.

The dev server signs whatever its developer types (``POST /__cf__/render``). Signed with the
production key, that would make ``cf dev`` a signing service for production; with the project's
development key (``.cf/secret-key``, the one debug apps use without ``CF_SECRET_KEY``) its states
are refused by production as forged, and pages left open survive a restart of ``cf dev``.
"""

from __future__ import annotations

import os
import secrets
import threading

from component_framework.core._dev_key import development_key, key_path
from component_framework.core.signing import Signer, configure

__all__ = ["dev_signer", "signing_note"]

_lock = threading.Lock()
_signer: Signer | None = None
_kept = False


def dev_signer() -> Signer:
    """Return the dev server's signer, made once per process and installed process-wide."""
    global _signer, _kept
    with _lock:
        if _signer is None:
            key = development_key()
            _kept = key is not None
            # No fallback keys either: the dev server accepts only what it signed itself.
            _signer = configure(key or secrets.token_urlsafe(32), fallback_keys=())
    return _signer


def signing_note() -> str:
    """One line for the start-up banner: what signs state here, and that production refuses it."""
    dev_signer()
    ignored = " (CF_SECRET_KEY is set and not used)" if os.environ.get("CF_SECRET_KEY") else ""
    where = f"development key in {key_path()}" if _kept else "random key of this process"
    return f"{where}{ignored}; production refuses state signed here"
