"""Refusals the web transport makes before a message reaches core.

Exception tree:

    RequestRefused                 (status and code of the refusal)
    ├── 400 missing_header         no ``X-CF-Request`` header (not sent by cf.js)
    ├── 413 too_large              body larger than the limit
    └── 415 unsupported_media_type not ``application/json``

Everything else (bad JSON, unknown component, permissions, tampered state) is decided by
``component_framework.core.protocol`` and mapped with its ``http_status``.
"""

from __future__ import annotations

from typing import Any

from component_framework.core._refusals import Refused

__all__ = ["RequestRefused", "error_body"]


RequestRefused = Refused
"""An HTTP request refused by the transport itself; nothing was run (core's ``Refused``)."""


def error_body(message: str, code: str) -> dict[str, Any]:
    """Return ``{"type": "error", "error": message, "code": code}``."""
    return {"type": "error", "error": message, "code": code}
