"""0.6.0's ``adapters.django_ratelimit``: limits on a Django view, counted by this project's
rate limiter (a sliding window per user, else per client address).

``rate_limit_component("5/min")`` decorates a view, ``RateLimitMixin`` (``throttle_rate``)
limits a class-based view's ``post``; over the limit they answer 429 with
``{"error": "Rate limit exceeded", "retry_after": N}`` and ``Retry-After``.

New code declares ``rate_limits = {"*": "60/min", "submit": "5/min"}`` on the component: it
holds on every transport, a view's limit only on the route it wraps (docs/rate-limits.md).
"""

from __future__ import annotations

from . import require

require("django", "django")

from component_framework.django._legacy_guards import (
    RateLimiter,
    RateLimitMixin,
    parse_rate,
    rate_limit_component,
)

__all__ = ["RateLimitMixin", "RateLimiter", "parse_rate", "rate_limit_component"]

_parse_rate = parse_rate  # 0.6.0's name: "60/min" -> (60, 60)
