"""One page, one owner per URL key: two components keeping a key in one query string would
overwrite each other's value (two lists both on ``?page=``), so the second is refused.

Claims live as long as the request whose page is rendered: in the ASGI scope (Starlette,
FastAPI, Litestar), the WSGI environ (Flask) or Django's ``request.META``. Without a request (``cf
dispatch``, ``ComponentTester``) there is no page, and nothing to share.
"""

from __future__ import annotations

from typing import Any

from .exceptions import ConfigurationError
from .url_state import UrlSpec

__all__ = ["claim_url_names", "forget_url_names"]

_KEY = "cf.url_names"


def _claims(request: Any) -> dict[str, str] | None:
    # The one dict each framework keeps per request: the ASGI scope (an HTTP one: a WebSocket's
    # lives as long as the page), the WSGI environ (Flask), Django's META.
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and scope.get("type") != "http":
        return None
    found = (scope, getattr(request, "environ", None), getattr(request, "META", None))
    per_request = next((d for d in found if isinstance(d, dict)), None)
    if per_request is None:
        return None
    claims: dict[str, str] = per_request.setdefault(_KEY, {})
    return claims


def claim_url_names(request: Any, name: str, spec: UrlSpec) -> None:
    """Record that component *name* keeps *spec*'s query names in the URL of *request*'s page.

    Raises:
        ConfigurationError: Another component of the page keeps one of those names.
    """
    claims = _claims(request)
    if claims is None:
        return
    taken = [query_name for query_name in spec.names if query_name in claims]
    if taken:
        owner = claims[taken[0]]
        shown = ", ".join(repr(query_name) for query_name in taken)
        other = "another " + name if owner == name else owner
        raise ConfigurationError(
            f"{name} keeps {shown} in the URL, and so does {other} on this page: they would "
            "overwrite each other's values. Render one such component per page, or give one "
            "of them other query names (a subclass with UrlParam(..., name='...'))."
        )
    claims.update(dict.fromkeys(spec.names, name))


def forget_url_names(request: Any) -> None:
    """Forget the claims of *request*'s page: for a page of previews (cf dev's gallery), each
    one a page of its own."""
    claims = _claims(request)
    if claims is not None:
        claims.clear()
