"""The request being served, for component renders that happen below a transport.

A component template may render a nested component with ``{{ component(...) }}``; that render
needs the request for permission checks but sees only the template context. The transports set
the request here; the worker pool copies context variables, so worker threads see it too.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

__all__ = ["current_request", "set_current_request"]

_request: ContextVar[Any] = ContextVar("component_framework_web_request", default=None)


def current_request() -> Any:
    """Return the request of the transport call in progress, or None."""
    return _request.get()


def set_current_request(request: Any) -> None:
    """Record *request* as the one being served in this context."""
    _request.set(request)
