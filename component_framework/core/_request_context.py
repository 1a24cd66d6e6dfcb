"""The request being served, for component renders that happen below a transport.

A component template may render a nested component with ``{{ component(...) }}``; that render
needs the request for its permission checks but sees only the component's template context.
The message path sets the request here while it runs a component (every transport, every
adapter, a page's first render), and every host's ``component`` template global falls back to
it. The worker-thread pool copies context variables, so a sync component's hop sees it too.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

__all__ = ["current_request", "reset_request", "set_request"]

_request: ContextVar[Any] = ContextVar("component_framework_request", default=None)


def current_request() -> Any:
    """Return the request being served in this context, or None."""
    return _request.get()


def set_request(request: Any) -> Token[Any]:
    """Make *request* the one being served; pass the token to :func:`reset_request` after."""
    return _request.set(request)


def reset_request(token: Token[Any]) -> None:
    """Restore the request served before :func:`set_request` returned *token*."""
    _request.reset(token)
