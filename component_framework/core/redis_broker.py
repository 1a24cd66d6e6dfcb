"""The Redis broker: pushes across worker processes and hosts through Redis publish/subscribe.

Every process subscribes to one channel and publishes every push to it, so pushes reach every
process in the order Redis received them. Redis is reached through ``redis.asyncio``
(``pip install cf-components[redis]``). Outages are logged once; publishing raises
``BrokerUnavailable`` (the manager keeps the push and retries) and
``RedisBroker.deliveries`` reconnects by itself, yielding ``None`` once it is back (pushes
published meanwhile were lost to this process: its pages re-sync).

Example:

    manager = ComponentWebSocketManager(broker=RedisBroker("redis://localhost:6379/0"))
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from .broker import Broker, BrokerUnavailable
from .exceptions import ConfigurationError

__all__ = ["RedisBroker"]

logger = logging.getLogger("component_framework")

_RETRY_FIRST, _RETRY_MAX = 0.1, 2.0


def _redis() -> Any:
    try:
        import redis.asyncio
    except ImportError:
        raise ConfigurationError(
            "The Redis broker needs redis-py: pip install 'cf-components[redis]'."
        ) from None
    return redis.asyncio


class RedisBroker(Broker):
    """A broker on Redis publish/subscribe.

    Args:
        url: ``redis://[user:password@]host:port/db`` (``rediss://`` for TLS).
        channel: The channel every process of the app shares; apps sharing a Redis need
            different channels.
    """

    def __init__(self, url: str, *, channel: str = "cf:push") -> None:
        self._module = _redis()
        self.url = url
        self.channel = channel
        self._client: Any = None
        self._client_loop: Any = None
        self._closed = False
        self._down = False

    def __repr__(self) -> str:
        return f"<RedisBroker channel={self.channel!r}>"

    def _connect(self) -> Any:
        return self._module.Redis.from_url(
            self.url, decode_responses=True, socket_connect_timeout=2, socket_timeout=None
        )

    def _outage(self, exc: BaseException) -> None:
        if not self._down:
            self._down = True
            logger.warning("Push broker unavailable (%s): %s; retrying.", self.url, exc)

    def _recovered(self) -> None:
        if self._down:
            self._down = False
            logger.warning("Push broker reachable again (%s).", self.url)

    async def publish(self, message: str) -> None:
        """Publish *message* on the channel.

        Raises:
            BrokerUnavailable: Redis cannot be reached.
        """
        import asyncio

        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client, self._client_loop = self._connect(), loop
        try:
            await self._client.publish(self.channel, message)
        except (OSError, self._module.RedisError) as exc:
            self._outage(exc)
            raise BrokerUnavailable(str(exc)) from None
        self._recovered()

    async def deliveries(self) -> AsyncIterator[str | None]:
        """Yield the channel's messages; reconnect after an outage and yield ``None`` then."""
        import asyncio

        delay = _RETRY_FIRST
        while not self._closed:
            client = self._connect()
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._recovered()
                delay = _RETRY_FIRST
                yield None  # subscribed (again): anything published before is not coming
                async for item in pubsub.listen():
                    if item.get("type") == "message":
                        yield item["data"]
            except (OSError, self._module.RedisError) as exc:
                self._outage(exc)
            finally:
                await _quietly(pubsub.aclose())
                await _quietly(client.aclose())
            if not self._closed:
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)

    async def close(self) -> None:
        """Close the publishing connection; delivery loops end at their next message."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None:
            await _quietly(client.aclose())


async def _quietly(awaitable: Any) -> None:
    with contextlib.suppress(Exception):  # closing a connection that already broke
        await awaitable
