"""The dev server's signing key: random, of this process only, never ``CF_SECRET_KEY``.

The dev server signs whatever its developer types (``POST /__cf__/render``). Signed with the
production key, that would make ``cf dev`` a signing service for production; with a key no
production server holds, its states are refused there as forged. The key survives in-process
reloads (they re-execute the user's modules, never this one).
"""

from __future__ import annotations

import os
import secrets
import threading

from component_framework.core.signing import Signer, configure

__all__ = ["dev_signer", "signing_note"]

_lock = threading.Lock()
_signer: Signer | None = None


def dev_signer() -> Signer:
    """Return the dev server's signer, made once per process and installed process-wide."""
    global _signer
    with _lock:
        if _signer is None:
            # No fallback keys either: the dev server accepts only what it signed itself.
            _signer = configure(secrets.token_urlsafe(32), fallback_keys=())
    return _signer


def signing_note() -> str:
    """One line for the start-up banner: what signs state here, and that production refuses it."""
    ignored = " (CF_SECRET_KEY is set and not used)" if os.environ.get("CF_SECRET_KEY") else ""
    return f"dev-only random key{ignored}; production refuses state signed here"
