"""0.6.0's guards on a Django view: its permission decorators and its rate limits, over this
project's permission classes and rate limiter; public under 0.6.0's paths
(``adapters.django_permissions``, ``adapters.django_ratelimit``).

The decorators refuse with a JSON error reply (401 without a logged-in user, 403 without the
permission), not a redirect to the login page. ``rate_limit_component("5/min")`` and
``RateLimitMixin`` (``throttle_rate``) count per logged-in user, else per client address, in
this project's sliding window (``core.rate_limit``), and answer 429 with
``{"error": "Rate limit exceeded", "retry_after": N}`` and ``Retry-After``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse

from component_framework.core._coroutines import finish
from component_framework.core._held_state import SYNC_STEPS
from component_framework.core.exceptions import (
    ConfigurationError,
    NotAuthenticatedError,
    PermissionDeniedError,
    RateLimitedError,
)
from component_framework.core.permissions import user_of
from component_framework.core.rate_limit import RateLimit, visitor_key
from component_framework.core.rate_limit import RateLimiter as _Counter

from ._legacy_views import authenticated, error_response

__all__ = [
    "RateLimitMixin",
    "RateLimiter",
    "login_required_component",
    "parse_rate",
    "permission_required_component",
    "rate_limit_component",
    "staff_required_component",
]

_View = Callable[..., Any]


# ---------- Permissions ----------


def _guard(refusal: Callable[[Any], HttpResponse | None]) -> Callable[[_View], _View]:
    def decorate(view: _View) -> _View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not authenticated(request):
                return error_response(NotAuthenticatedError("Authentication required"))
            return refusal(user_of(request)) or view(request, *args, **kwargs)

        return guarded

    return decorate


def login_required_component(view: _View) -> _View:
    """Answer 401 ``{"error": "Authentication required"}`` without a logged-in user."""
    return _guard(lambda user: None)(view)


def permission_required_component(perms: str | Iterable[str]) -> Callable[[_View], _View]:
    """Need every Django permission in *perms*: 401 without a logged-in user, else 403
    ``{"error": "Permission denied"}`` when one is missing."""
    required = [perms] if isinstance(perms, str) else list(perms)

    def refusal(user: Any) -> HttpResponse | None:
        if user.has_perms(required):
            return None
        return error_response(PermissionDeniedError("Permission denied"))

    return _guard(refusal)


def staff_required_component(view: _View) -> _View:
    """Need a staff user: 401 without a logged-in user, else 403
    ``{"error": "Staff access required"}``."""

    def refusal(user: Any) -> HttpResponse | None:
        if getattr(user, "is_staff", False):
            return None
        return error_response(PermissionDeniedError("Staff access required"))

    return _guard(refusal)(view)


# ---------- Rate limits ----------


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/min"`` as ``(60, 60)``: the count and the period in seconds.

    Raises:
        ValueError: Not a rate (units: sec, min, hour, day, as ``RateLimit.parse`` reads them).
    """
    try:
        limit = RateLimit.parse(rate)
    except ConfigurationError as exc:
        raise ValueError(str(exc)) from None
    return limit.count, math.ceil(limit.period)


class RateLimiter:
    """At most *limit* hits per *period* seconds for each key, counted in this process.

    Args:
        limit: Hits allowed in a period.
        period: The period in seconds.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = RateLimit(limit, period)
        self._counter = _Counter()

    def is_allowed(self, key: str) -> tuple[bool, int]:
        """Count one hit under *key*: ``(True, 0)`` within the limit, else ``(False, seconds
        until a hit is allowed)`` (at least 1; nothing is counted then)."""
        wait = finish(self._counter.hit(key, self.limit, SYNC_STEPS))
        if wait is None:
            return True, 0
        return False, max(1, math.ceil(wait))


def _refusal(limiter: RateLimiter, key: str) -> HttpResponse | None:
    allowed, retry_after = limiter.is_allowed(key)
    if allowed:
        return None
    return error_response(RateLimitedError("Rate limit exceeded", retry_after))


def rate_limit_component(
    rate: str, key_func: Callable[[HttpRequest], str] | None = None
) -> Callable[[_View], _View]:
    """Limit the decorated view to *rate* (``"10/min"``) per user (else per client address),
    or per ``key_func(request)``."""
    limiter = RateLimiter(*parse_rate(rate))
    key_of = key_func or visitor_key

    def decorate(view: _View) -> _View:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            return _refusal(limiter, key_of(request)) or view(request, *args, **kwargs)

        return limited

    return decorate


class RateLimitMixin:
    """Limit a class-based view's ``post`` to ``throttle_rate`` per ``get_throttle_key``
    (the user, else the client address); put it before the view class in the bases."""

    throttle_rate: ClassVar[str] = "60/min"
    _limiters: ClassVar[dict[tuple[type, str], RateLimiter]] = {}

    def get_throttle_key(self, request: HttpRequest) -> str:
        """Whose hits count together: ``"user:<id>"``, else ``"address:<ip>"``."""
        return visitor_key(request)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """Refuse with 429 over the limit, else the view's own ``post``."""
        slot = (type(self), self.throttle_rate)
        limiter = self._limiters.get(slot)
        if limiter is None:
            limiter = self._limiters.setdefault(slot, RateLimiter(*parse_rate(self.throttle_rate)))
        refusal = _refusal(limiter, self.get_throttle_key(request))
        return refusal or super().post(request, *args, **kwargs)  # type: ignore[misc]
