"""The dev server's signing key: one per process, kept across in-process reloads."""

from __future__ import annotations

import threading

from component_framework.core.signing import Signer, configure, get_signer

__all__ = ["dev_signer"]

_lock = threading.Lock()
_configured = False


def dev_signer() -> Signer:
    """Configure the process-wide signer once (``CF_SECRET_KEY`` or a random key); return it.

    A reload re-executes the user's modules, never this one, so a state signed before a reload
    still verifies after it.
    """
    global _configured
    with _lock:
        if not _configured:
            configure(ephemeral=True)
            _configured = True
    return get_signer()
