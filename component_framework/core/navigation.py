"""What a handler asks the page to do besides showing the new HTML: go to another page, change
the address bar, say something to the user.

Each method adds an effect to the reply (see docs/core.md, "Effects"), which cf.js applies
after the HTML, in call order:

| method | effect | what the page does |
| --- | --- | --- |
| ``redirect(to)`` | ``redirect`` | loads *to* (a full page load) |
| ``navigate(to)`` | ``navigate`` | live navigation: fetches *to*, morphs the body in |
| ``patch_url(to, query=)`` | ``patch_url`` | changes the address bar, no load |
| ``flash(level, text)`` | ``flash`` | shows the message in the page's flash region |

Targets are checked when the handler asks: a path on this site (``/products?page=2``,
``?page=2``, ``edit``), or a URL name (Django's ``reverse()``, Starlette's and Litestar's
``url_for``). A URL on another site is refused (``UnsafeUrlError``: handlers often take
targets from the client, and an open redirect is a defect) unless ``redirect`` is told
``external=True``. Flash messages shown before a redirect or a navigation travel with it,
signed, and show on the next page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .exceptions import ComponentError, UnsafeUrlError

if TYPE_CHECKING:
    from .signing import Signer

__all__ = [
    "FLASH_LEVELS",
    "FLASH_MAX_AGE",
    "FLASH_PURPOSE",
    "MAX_FLASH_TEXT",
    "PageEffects",
    "UrlResolver",
    "carry_flash",
    "safe_url",
    "set_url_resolver",
]

FLASH_LEVELS = ("debug", "info", "success", "warning", "error")
"""The levels of a flash message (Django's message levels)."""
MAX_FLASH_TEXT = 500
"""Longest flash text, in characters: it travels in a cookie to the next page."""
FLASH_PURPOSE = "cf.flash"
"""What flash tokens are signed for (``Signer.sign_value``)."""
FLASH_MAX_AGE = 60.0
"""Seconds flash messages carried to the next page stay valid."""
_MAX_URL = 4096
_LEAVING = ("redirect", "navigate")

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


def _resolve(to: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    if not isinstance(to, str):
        raise ComponentError(f"A redirect target must be a URL path or a URL name, got {to!r}.")
    if _looks_like_url(to) and not args and not kwargs:
        return to
    if _resolver is not None:
        resolved = _resolver(to, args, kwargs)
        if resolved is not None:
            return resolved
    else:
        from ._execution import current_request

        url_for = getattr(current_request(), "url_for", None)
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
    raise ComponentError(
        f"{to!r} is not a URL path (write '/{to}') and names no route"
        + (" with these arguments" if args or kwargs else "")
        + "."
    )


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


class PageEffects:
    """The effect methods every ``Component`` has (see the module's table)."""

    _effects: list[dict[str, Any]]

    def redirect(self, to: str, *args: Any, external: bool = False, **kwargs: Any) -> None:
        """Load *to* once the reply is applied: a full page load.

        *to* is a path (``"/products"``) or a URL name, resolved with *args* and *kwargs*
        (``redirect("product_edit", pk=3)``).

        Raises:
            UnsafeUrlError: *to* leads to another site and *external* is not set.
        """
        url = safe_url(_resolve(to, args, kwargs), external=external)
        self._effects.append({"type": "redirect", "url": url})

    def navigate(self, to: str, *args: Any, replace: bool = False, **kwargs: Any) -> None:
        """Go to *to* by live navigation: the page fetches it and swaps its body, keeping the
        socket and the elements marked ``cf-persist``; *replace* rewrites the current history
        entry instead of adding one.

        Raises:
            UnsafeUrlError: *to* is not on this site (use ``redirect(..., external=True)``).
        """
        url = safe_url(_resolve(to, args, kwargs))
        self._effects.append({"type": "navigate", "url": url, "replace": bool(replace)})

    def patch_url(
        self,
        to: str | None = None,
        *,
        query: Mapping[str, Any] | None = None,
        replace: bool = False,
    ) -> None:
        """Change the address bar without loading a page: to *to* (a path on this site),
        and/or with *query*'s parameters set (``None`` removes one). A new history entry unless
        *replace*.

        Raises:
            UnsafeUrlError: *to* is not on this site.
        """
        url = None if to is None else safe_url(_resolve(to, (), {}))
        params = None if query is None else {k: _query_value(k, v) for k, v in query.items()}
        history: Literal["push", "replace"] = "replace" if replace else "push"
        self._effects.append({"type": "patch_url", "url": url, "query": params, "history": history})

    def flash(self, level: str, text: str) -> None:
        """Show *text* in the page's flash region (``{{ cf_flash() }}``), announced to screen
        readers and dismissable; before a redirect or a navigation, on the next page.

        Raises:
            ComponentError: An unknown *level*, or *text* empty or too long.
        """
        if level not in FLASH_LEVELS:
            raise ComponentError(f"Flash level must be one of {FLASH_LEVELS}, got {level!r}.")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_FLASH_TEXT:
            raise ComponentError(
                f"Flash text must be 1-{MAX_FLASH_TEXT} characters, "
                f"got {text if not isinstance(text, str) else text[:40] + '...'!r}."
            )
        self._effects.append({"type": "flash", "level": level, "text": text})


def _query_value(name: Any, value: Any) -> str | list[str] | None:
    if not isinstance(name, str) or not name:
        raise ComponentError(f"Query parameter names must be strings, got {name!r}.")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return [str(_query_value(name, item)) for item in value]
    raise ComponentError(
        f"Query parameter {name!r} must be a string, number, bool, list or None, got {value!r}."
    )


def carry_flash(effects: list[dict[str, Any]], signer: Signer) -> list[dict[str, Any]]:
    """Sign the flash messages of a reply that leaves the page into its redirect or navigate
    effect (``"flash"``), for the next page to show; the others are shown where they are."""
    leave = next((e for e in effects if e.get("type") in _LEAVING), None)
    if leave is None:
        return effects
    messages = [[e["level"], e["text"]] for e in effects if e.get("type") == "flash"]
    if messages:
        leave["flash"] = signer.sign_value(FLASH_PURPOSE, messages)
    return effects
