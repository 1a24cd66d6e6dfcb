"""``RedisStateStore``: server-held component state in Redis, shared by several hosts.

Each state is one hash (``s``: the state's JSON, ``v``: its version) under
``<prefix><key>``. A read is one ``HMGET``; a write is one ``EVAL`` of a short Lua
script that compares the version, writes and sets the expiry atomically on the server. So an
event costs one round trip to read and one to write, on the event loop for async components
(``redis.asyncio``) and in the worker thread for sync ones.

Needs the ``redis`` package: ``pip install 'cf-components[redis]'``.

Example:

    store = RedisStateStore("redis://localhost:6379/0", ttl=3600)

    class Cart(Component):
        state_store = store
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any

from ._serializer import stored_json
from .exceptions import ConfigurationError
from .state import DEFAULT_TTL, StateStore, StoredState

__all__ = ["RedisStateStore"]

# ARGV: expected version ('' = any), state JSON, expiry in ms ('' = none). Returns the new
# version, or -1 when the stored version is not the expected one (absent counts as 0).
_WRITE = """
local held = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] ~= '' and (held or '0') ~= ARGV[1] then return -1 end
local version = tonumber(held or '0') + 1
redis.call('HSET', KEYS[1], 'v', version, 's', ARGV[2])
if ARGV[3] == '' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return version
"""


def _missing() -> ConfigurationError:
    return ConfigurationError(
        "RedisStateStore needs the redis package: pip install 'cf-components[redis]'."
    )


class RedisStateStore(StateStore):
    """State in Redis: any number of processes on any number of hosts.

    Args:
        url: The server, as redis-py reads it (``redis://host:6379/0``, ``rediss://``,
            ``unix:///run/redis.sock``).
        ttl: Seconds a state lives after its last write (``None``: forever).
        prefix: Put before every store key to make its Redis key.

    Raises:
        ConfigurationError: The ``redis`` package is not installed.
    """

    def __init__(
        self, url: str, *, ttl: float | None = DEFAULT_TTL, prefix: str = "cf:state:"
    ) -> None:
        try:
            import redis
        except ImportError:
            raise _missing() from None
        self.url = url
        self.ttl = ttl
        self.prefix = prefix
        self._client = redis.Redis.from_url(url)
        # redis.asyncio connections belong to the event loop that opened them.
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"<RedisStateStore url={self.url!r} ttl={self.ttl!r}>"

    def _aclient(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            import redis.asyncio

            client = self._async[loop] = redis.asyncio.Redis.from_url(self.url)
        return client

    def _args(self, state: dict[str, Any], expected: int | None) -> tuple[str, str, str]:
        text = stored_json(state)
        expiry = "" if self.ttl is None else str(max(1, int(self.ttl * 1000)))
        return ("" if expected is None else str(expected)), text, expiry

    @staticmethod
    def _stored(reply: list[Any]) -> StoredState | None:
        text, version = reply
        if text is None or version is None:
            return None
        return StoredState(json.loads(text), int(version))

    def _written(self, key: str, expected: int | None, version: Any) -> int:
        if int(version) < 0:
            raise self._conflict(key, expected)
        return int(version)

    # ---------- Sync: the worker thread of a sync component ----------

    def load_versioned(self, key: str) -> StoredState | None:
        return self._stored(self._client.hmget(self.prefix + key, "s", "v"))

    def save_versioned(self, key: str, state: dict[str, Any], expected_version: int | None) -> int:
        # EVAL, not EVALSHA: always one round trip (the server caches the compiled script).
        args = self._args(state, expected_version)
        version = self._client.eval(_WRITE, 1, self.prefix + key, *args)
        return self._written(key, expected_version, version)

    def delete(self, key: str) -> None:
        self._client.delete(self.prefix + key)

    # ---------- Async: on the event loop, through redis.asyncio ----------

    async def aload_versioned(self, key: str) -> StoredState | None:
        reply = await self._aclient().hmget(self.prefix + key, "s", "v")
        return self._stored(reply)

    async def asave_versioned(
        self, key: str, state: dict[str, Any], expected_version: int | None
    ) -> int:
        args = self._args(state, expected_version)
        version = await self._aclient().eval(_WRITE, 1, self.prefix + key, *args)
        return self._written(key, expected_version, version)

    async def adelete(self, key: str) -> None:
        await self._aclient().delete(self.prefix + key)

    def close(self) -> None:
        """Close the sync client's connections."""
        self._client.close()

    async def aclose(self) -> None:
        """Close the async client of the running event loop (and the sync client)."""
        client = self._async.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
        self.close()
