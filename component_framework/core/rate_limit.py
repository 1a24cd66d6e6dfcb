"""Rate limits on component messages: per component or per event, per user or per address.

A component declares its limits; the app may set one for every component (``AppConfig``):

    class Signup(FormComponent):
        rate_limits = {"*": "60/min", "submit": "5/min"}   # "*": every message to it

    config = AppConfig(rate_limit="600/min", rate_limiter="redis://localhost:6379/0")

Each limit counts the messages of one user (the logged-in user's id; the client's address for a
visitor), or of one address (``RateLimit("5/min", per="address")``), in a sliding window; an
IPv6 address counts by its /64 network, which one client normally holds whole. The
counts live in a ``StateStore``: in this process by default, or in the app's state store or a
Redis or SQLite store shared by every worker process (``rate_limiter=``). A message over a limit
is refused before any component code runs, on every transport, with ``RateLimitedError`` (429,
``retry_after`` seconds); a page's first render on the server is never limited.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ._address_group import address_group
from .exceptions import ConfigurationError, RateLimitedError, StateConflictError
from .permissions import user_of
from .state import InMemoryStateStore, StateStore, open_store

if TYPE_CHECKING:
    from ._held_state import Steps
    from ._message import ParsedEvent
    from .config import AppConfig

__all__ = [
    "RateLimit",
    "RateLimiter",
    "address_group",
    "address_key",
    "check_app_rate",
    "check_rate",
    "client_address",
    "limited",
    "limits_of",
    "visitor_key",
]

_UNITS = {
    "s": 1, "sec": 1, "second": 1,
    "m": 60, "min": 60, "minute": 60,
    "h": 3600, "hour": 3600,
    "d": 86400, "day": 86400,
}  # fmt: skip
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*")
_WORDS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}
_RETRIES = 8
# Counts are kept a day after their last hit: the longest period a rate can name.
_IN_PROCESS_TTL = 86400.0


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most *count* messages per *period* seconds.

    Args:
        rate: ``"5/min"``, ``"100/hour"``, ``"2/10s"`` (units: s, min, h, day); or give *count*
            and *period*.
        per: ``"user"`` counts each logged-in user apart (visitors by address); ``"address"``
            counts each client address, logged in or not.
    """

    count: int
    period: float
    per: Literal["user", "address"] = "user"

    @classmethod
    def parse(cls, rate: str, per: Literal["user", "address"] = "user") -> RateLimit:
        """Read ``"N/unit"`` (``"5/min"``, ``"2/10s"``).

        Raises:
            ConfigurationError: Not a rate; the message shows the expected form.
        """
        match = _RATE.fullmatch(rate.lower()) if isinstance(rate, str) else None
        unit = _UNITS.get(match.group(3)) if match else None
        if match is None or unit is None or int(match.group(1)) < 1:
            raise ConfigurationError(
                f"Rate limit {rate!r} is not a rate: write 'N/unit' with N >= 1 and a unit of "
                "s, min, h or day, like '5/min' or '2/10s'."
            )
        return cls(int(match.group(1)), int(match.group(2) or 1) * unit, per)

    @classmethod
    def of(cls, value: RateLimit | str) -> RateLimit:
        """*value* as a ``RateLimit`` (a string is parsed)."""
        return value if isinstance(value, RateLimit) else cls.parse(value)

    def __str__(self) -> str:
        return self.phrase("")

    def phrase(self, noun: str) -> str:
        """``"5 messages per minute"`` for *noun* ``"messages"``."""
        word = _WORDS.get(int(self.period)) if self.period == int(self.period) else None
        if self.count == 1:
            noun = noun.removesuffix("s")
        counted = f"{self.count} {noun}" if noun else str(self.count)
        return f"{counted} per {word}" if word else f"{counted} per {self.period:g} s"


def limits_of(component_cls: type[Any], event: str | None) -> list[tuple[str, RateLimit]]:
    """The limits of a message to *component_cls* for *event*: ``(scope, limit)`` pairs."""
    declared: Mapping[str, RateLimit | str] = component_cls.rate_limits
    # The narrowest first: a message its event's limit refuses is not counted by the others.
    found = [(event, RateLimit.of(declared[event]))] if event and event in declared else []
    if "*" in declared:
        found.append(("*", RateLimit.of(declared["*"])))
    return found


def client_address(request: Any) -> str | None:
    """The client's address as the host saw it: Starlette's and Litestar's ``client.host``,
    Django's ``REMOTE_ADDR``, Flask's ``remote_addr`` (behind a proxy, let the host read its
    forwarded header: uvicorn's ``--proxy-headers``, Werkzeug's ``ProxyFix``)."""
    host = getattr(getattr(request, "client", None), "host", None)
    if host:
        return str(host)
    meta = getattr(request, "META", None)
    if isinstance(meta, Mapping) and meta.get("REMOTE_ADDR"):
        return str(meta["REMOTE_ADDR"])
    address = getattr(request, "remote_addr", None)
    return str(address) if address else None


def address_key(request: Any) -> str:
    """The client of *request* as limits count it: ``"address:<ip>"`` for an IPv4 address
    (an IPv4-mapped IPv6 one included), ``"address:<network>/64"`` for an IPv6 address."""
    address = client_address(request)
    return f"address:{address_group(address) if address else 'unknown'}"


def visitor_key(request: Any) -> str:
    """Who sends *request*: ``"user:<id>"`` for a logged-in user, else ``address_key``'s
    ``"address:<ip>"`` (an IPv6 address's /64 network)."""
    user = user_of(request)
    if user is not None and getattr(user, "is_authenticated", False):
        for attribute in ("pk", "id", "username"):
            identity = getattr(user, attribute, None)
            if identity is not None:
                return f"user:{identity}"
        return f"user:{user}"
    return address_key(request)


def _who(request: Any, limit: RateLimit) -> str:
    return visitor_key(request) if limit.per == "user" else address_key(request)


class RateLimiter:
    """Counts messages per key in a sliding window, in *store* (several processes may share it).

    Args:
        store: Where the counts live: a ``StateStore`` or its URL; None keeps them in this
            process.
        clock: Wall-clock seconds (shared by every process counting in one store).
    """

    def __init__(
        self, store: StateStore | str | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        if isinstance(store, str):
            store = open_store(store, ttl=_IN_PROCESS_TTL)
        self.store = store if store is not None else InMemoryStateStore(ttl=_IN_PROCESS_TTL)
        self.clock = clock

    def __repr__(self) -> str:
        return f"<RateLimiter store={self.store!r}>"

    async def hit(self, key: str, limit: RateLimit, steps: Steps) -> float | None:
        """Count one message under *key*; return None if it is within *limit*, else the
        seconds until one would be (nothing is counted then)."""
        for _ in range(_RETRIES):
            now = self.clock()
            window = math.floor(now / limit.period)
            stored = await steps.load(self.store, key)
            counts = stored.state if stored is not None else {}
            current, previous = 0, 0
            if counts.get("w") == window:
                current, previous = counts.get("c", 0), counts.get("p", 0)
            elif counts.get("w") == window - 1:
                previous = counts.get("c", 0)
            elapsed = now / limit.period - window  # how far into the window, 0..1
            if previous * (1 - elapsed) + current + 1 > limit.count:
                return _wait(limit, current, previous, elapsed)
            state = {"w": window, "c": current + 1, "p": previous}
            try:
                await steps.save(self.store, key, state, stored.version if stored else None)
            except StateConflictError:
                continue  # another message counted meanwhile: count again
            return None
        return None  # contended beyond reason: let it through rather than refuse it wrongly


def _wait(limit: RateLimit, current: int, previous: int, elapsed: float) -> float:
    # The previous window's weight falls as this one goes on: the next message fits when
    # previous * (1 - t) + current + 1 <= count, or at the latest when this window ends.
    room = limit.count - current - 1
    if room >= 0 and previous > 0:
        fits_at = 1 - room / previous
        return max(fits_at - elapsed, 0.0) * limit.period
    return (1 - elapsed) * limit.period


def limited(parsed: ParsedEvent, config: AppConfig) -> bool:
    """Whether a rate limit applies to *parsed* (a page's first render on the server: never)."""
    if parsed.server_render:
        return False
    return bool(parsed.component_cls.rate_limits) or config.rate_limit is not None


async def check_rate(parsed: ParsedEvent, request: Any, config: AppConfig, steps: Steps) -> None:
    """Refuse *parsed* if a limit of its component (or the app's) is reached.

    Raises:
        RateLimitedError: The message is over a limit; it says which and when to retry.
    """
    limits = limits_of(parsed.component_cls, parsed.event)
    if config.rate_limit is not None:
        limits.append(("app", config.rate_limit))
    for scope, limit in limits:
        where = "app" if scope == "app" else f"{parsed.name}:{scope}"
        await _hit(where, scope, limit, request, config, steps)


async def check_app_rate(request: Any, config: AppConfig, steps: Steps) -> None:
    """Count a request that is not a component message (an upload begun) against the app's
    ``rate_limit``, as one message.

    Raises:
        RateLimitedError: The app's limit is reached; it says when to retry.
    """
    if config.rate_limit is not None:
        await _hit("app", "app", config.rate_limit, request, config, steps)


async def _hit(
    where: str, scope: str, limit: RateLimit, request: Any, config: AppConfig, steps: Steps
) -> None:
    key = f"cf-rate:{where}:{limit.count}/{limit.period:g}:{_who(request, limit)}"
    wait = await config.rate_limiter.hit(key, limit, steps)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        noun = "messages" if scope in ("*", "app") else f"'{scope}' events"
        raise RateLimitedError(
            f"Too many requests: at most {limit.phrase(noun)}. Try again in {seconds} s.",
            seconds,
        )
