"""Where a handler may send the page: URL names resolved, targets checked.

``Component.redirect``, ``navigate`` and ``patch_url`` (see docs/core.md, "Effects") take a
path on this site (``/products?page=2``, ``?page=2``, ``edit``), or a URL name (Django's
``reverse()``, Starlette's and Litestar's ``url_for``). A URL on another site is refused
(``UnsafeUrlError``: handlers often take targets from the client, and an open redirect is a
defect) unless ``redirect`` is told ``external=True``; so is a bare name that names no route
(a 400 too). A target that is not a string, or a route name given arguments that names none, is
the code's mistake: ``EffectError``, a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .exceptions import EffectError, UnsafeUrlError

__all__ = ["UrlResolver", "resolve_url", "safe_url", "set_url_resolver"]

_MAX_URL = 4096

UrlResolver = Callable[[str, tuple[Any, ...], dict[str, Any]], str | None]
"""``resolver(name, args, kwargs)``: the URL path a name stands for, or None if it names none."""

_resolver: UrlResolver | None = None


def set_url_resolver(resolver: UrlResolver | None) -> None:
    """Make URL names (``redirect("products")``) resolve through *resolver*, process-wide.

    The Django adapter installs ``reverse()`` here when Django starts; without a resolver the
    request being served is asked (``request.url_for``: Starlette, FastAPI, Litestar).
    """
    global _resolver
    _resolver = resolver


def _snapshot() -> UrlResolver | None:
    # For component_framework.testing: the resolver as it is, to restore after.
    return _resolver


def _looks_like_url(to: str) -> bool:
    return "/" in to or to.startswith(("?", "#", ".")) or to == ""


def resolve_url(to: str, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> str:
    """The URL *to* stands for: itself if it is a URL, else the route it names (with *args*
    and *kwargs*).

    Raises:
        EffectError: *to* is not a string, or a name given *args* or *kwargs* names no route
            (the code's mistake).
        UnsafeUrlError: *to* alone is neither a URL path nor a route's name (it may come from
            the client: ``?next=...``).
    """
    kwargs = kwargs or {}
    if not isinstance(to, str):
        raise EffectError(
            f"A target must be a URL path or a URL name (a str), got {type(to).__name__}: {to!r}."
        )
    if _looks_like_url(to) and not args and not kwargs:
        return to
    resolvable = _resolver is not None
    if _resolver is not None:
        resolved = _resolver(to, args, kwargs)
        if resolved is not None:
            return resolved
    else:
        from ._execution import current_request

        url_for = getattr(current_request(), "url_for", None)
        resolvable = callable(url_for)
        if callable(url_for) and not args:
            try:
                found = str(url_for(to, **kwargs))
            except Exception:  # each framework has its own "no such route" exception
                found = None
            if found is not None:
                parts = urlsplit(found)
                return parts.path + (f"?{parts.query}" if parts.query else "")
    if _looks_like_url(to) or (":" in to and not args and not kwargs):
        return to  # "javascript:..." and the like: refused by safe_url
    shown = to if len(to) <= 80 else to[:77] + "..."
    if not resolvable:
        # cf dispatch, ComponentTester, a script: no app is serving, so no route is known.
        hint = (
            "no URL resolver is set outside a running app (cf dispatch, ComponentTester, a "
            "script). Install one with component_framework.core.navigation.set_url_resolver(func), "
            f"or give a path ('/{shown}')."
        )
        if args or kwargs:
            raise EffectError(f"Cannot resolve the URL name {shown!r}: {hint}")
        raise UnsafeUrlError(f"{shown!r} is not a URL path and names no route: {hint}")
    if args or kwargs:
        raise EffectError(f"{to!r} names no route with these arguments: check the route's name.")
    raise UnsafeUrlError(f"{shown!r} is not a URL path (write '/{shown}') and names no route.")


def safe_url(url: str, *, external: bool = False) -> str:
    """Return *url* if the page may go there: a path on this site, or (with *external*) an
    http(s) URL anywhere.

    Raises:
        UnsafeUrlError: Another site (without *external*), another scheme (``javascript:``),
            or characters browsers read in surprising ways (a backslash, a control character).
    """
    if not isinstance(url, str):
        raise UnsafeUrlError(f"A URL must be a string, got {type(url).__name__}.")
    shown = url if len(url) <= 80 else url[:77] + "..."
    if len(url) > _MAX_URL:
        raise UnsafeUrlError(f"Refused URL {shown!r}: longer than {_MAX_URL:,} characters.")
    # Browsers drop tabs and newlines inside URLs and read "\" as "/": "/\\evil.example" and
    # "/\t/evil.example" both lead to another site.
    if "\\" in url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url) or url != url.strip():
        raise UnsafeUrlError(
            f"Refused URL {shown!r}: it holds a backslash, a control character or surrounding "
            "spaces."
        )
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return url
    if parts.scheme and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise UnsafeUrlError(f"Refused URL {shown!r}: only http and https URLs can be visited.")
    if not external:
        raise UnsafeUrlError(
            f"Refused URL {shown!r}: it leads to another site. Give a path on this site "
            "('/products'), or pass external=True to redirect() if the target is trusted."
        )
    return url
