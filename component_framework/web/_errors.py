"""Refusals the web transport makes before a message reaches core.

Exception tree::

    RequestRefused                 (status and code of the refusal)
    ├── 400 missing_header         no ``X-CF-Request`` header (not sent by cf.js)
    ├── 413 too_large              body larger than the limit
    └── 415 unsupported_media_type not ``application/json``

Everything else (bad JSON, unknown component, permissions, tampered state) is decided by
:mod:`component_framework.core.protocol` and mapped with its ``http_status``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RequestRefused", "error_body"]


class RequestRefused(Exception):
    """An HTTP request refused by the transport itself; nothing was run."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The wire reply: the same error shape core uses."""
        return error_body(self.message, self.code)


def error_body(message: str, code: str) -> dict[str, Any]:
    """Return ``{"type": "error", "error": message, "code": code}``."""
    return {"type": "error", "error": message, "code": code}
