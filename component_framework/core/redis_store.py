"""``RedisStateStore``: server-held component state in Redis, shared by several hosts.

Each state is one hash (``s``: the state's JSON, ``v``: its version) under
``<prefix><key>``. A read is one ``HMGET``; a write is one ``EVAL`` of a Lua script that
compares the version, checks the byte budget, writes and sets the expiry atomically on the
server. So an event costs one round trip to read and one to write, on the event loop for async
components (``redis.asyncio``) and in the worker thread for sync ones.

The bytes held are counted beside the states: ``<prefix>~bytes`` (the total),
``<prefix>~size`` (each key's count) and ``<prefix>~expiry`` (each key's expiry time), which
each write uses to forget the states Redis let expire, and a write the budget cannot take to
evict the states nearest to expiry (the ones written longest ago) in the same script. The keys
of one store therefore live on one Redis server (not a cluster). A Redis that is itself out of
memory (``maxmemory`` with ``noeviction``) refuses writes: that is a ``StoreFullError`` too.

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
from .state import _FOREVER, DEFAULT_MAX_BYTES, DEFAULT_TTL, StateStore, StoredState

__all__ = ["RedisStateStore"]

_NEVER_MS = str(int(_FOREVER * 1000))

# KEYS: the state's hash, then the store's expiry index, size index and byte total.
# ARGV: expected version ('' = any), state JSON, expiry in ms ('' = none), the store key, the
# most bytes the store may hold ('' = no bound), the index score of a state without expiry
# (ms from now). Returns the new version, -1 when the stored version is not the expected one
# (absent counts as 0), -2 when the budget cannot take the state (it alone is larger).
_WRITE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local function forget(gone)
  local sizes = redis.call('HMGET', KEYS[3], unpack(gone))
  local freed = 0
  for i = 1, #gone do freed = freed + tonumber(sizes[i] or '0') end
  redis.call('ZREM', KEYS[2], unpack(gone))
  redis.call('HDEL', KEYS[3], unpack(gone))
  redis.call('DECRBY', KEYS[4], freed)
  return freed
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
if #gone > 0 then forget(gone) end
local held = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] ~= '' and (held or '0') ~= ARGV[1] then return -1 end
local size = #ARGV[4] + #ARGV[2]
local old = tonumber(redis.call('HGET', KEYS[3], ARGV[4]) or '0')
if ARGV[5] ~= '' and size > old then
  local limit = tonumber(ARGV[5])
  if size > limit then return -2 end
  local excess = tonumber(redis.call('GET', KEYS[4]) or '0') - old + size - limit
  -- Evict the states nearest to expiry (written longest ago), never the one being written.
  local prefix = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[4])
  while excess > 0 do
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 64)
    local doomed, hashes = {}, {}
    for i = 1, #oldest do
      if oldest[i] ~= ARGV[4] then
        doomed[#doomed + 1] = oldest[i]
        hashes[#hashes + 1] = prefix .. oldest[i]
        excess = excess - tonumber(redis.call('HGET', KEYS[3], oldest[i]) or '0')
        if excess <= 0 then break end
      end
    end
    if #doomed == 0 then return -2 end
    redis.call('DEL', unpack(hashes))
    forget(doomed)
  end
end
local version = tonumber(held or '0') + 1
redis.call('HSET', KEYS[1], 'v', version, 's', ARGV[2])
if ARGV[3] == '' then
  redis.call('PERSIST', KEYS[1])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[4])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
end
redis.call('HSET', KEYS[3], ARGV[4], size)
redis.call('INCRBY', KEYS[4], size - old)
return version
"""

# KEYS as for _WRITE; ARGV: the store key.
_DELETE = """
redis.call('DEL', KEYS[1])
local old = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('DECRBY', KEYS[4], old)
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
        max_bytes: Most bytes of state kept (256 MiB; ``None``: no bound); beyond, the
            states written longest ago are evicted. Keep it well
            below the server's ``maxmemory``: Redis needs room for its own bookkeeping.
        prefix: Put before every store key to make its Redis key.

    Raises:
        ConfigurationError: The ``redis`` package is not installed.
    """

    def __init__(
        self,
        url: str,
        *,
        ttl: float | None = DEFAULT_TTL,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        prefix: str = "cf:state:",
    ) -> None:
        try:
            import redis
        except ImportError:
            raise _missing() from None
        self._errors = redis.exceptions
        self.url = url
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.prefix = prefix
        self._index = (prefix + "~expiry", prefix + "~size", prefix + "~bytes")
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

    def _write_call(self, key: str, state: dict[str, Any], expected: int | None) -> tuple[Any, ...]:
        # The arguments of one EVAL of _WRITE.
        expiry = "" if self.ttl is None else str(max(1, int(self.ttl * 1000)))
        return (
            _WRITE,
            4,
            self.prefix + key,
            *self._index,
            "" if expected is None else str(expected),
            stored_json(state),
            expiry,
            key,
            "" if self.max_bytes is None else str(self.max_bytes),
            _NEVER_MS,
        )

    @staticmethod
    def _stored(reply: list[Any]) -> StoredState | None:
        text, version = reply
        if text is None or version is None:
            return None
        return StoredState(json.loads(text), int(version))

    def _written(self, key: str, state: dict[str, Any], expected: int | None, version: Any) -> int:
        if int(version) == -2:
            raise self._full(len(key) + len(stored_json(state).encode()))
        if int(version) < 0:
            raise self._conflict(key, expected)
        return int(version)

    def used_bytes(self) -> int:
        """The bytes of state held (keys and JSON), as the budget counts them."""
        return int(self._client.get(self._index[2]) or 0)

    # ---------- Sync: the worker thread of a sync component ----------

    def load_versioned(self, key: str) -> StoredState | None:
        return self._stored(self._client.hmget(self.prefix + key, "s", "v"))

    def save_versioned(self, key: str, state: dict[str, Any], expected_version: int | None) -> int:
        # EVAL, not EVALSHA: always one round trip (the server caches the compiled script).
        try:
            version = self._client.eval(*self._write_call(key, state, expected_version))
        except self._errors.OutOfMemoryError:
            raise self._full() from None
        return self._written(key, state, expected_version, version)

    def delete(self, key: str) -> None:
        self._client.eval(_DELETE, 4, self.prefix + key, *self._index, key)

    # ---------- Async: on the event loop, through redis.asyncio ----------

    async def aload_versioned(self, key: str) -> StoredState | None:
        reply = await self._aclient().hmget(self.prefix + key, "s", "v")
        return self._stored(reply)

    async def asave_versioned(
        self, key: str, state: dict[str, Any], expected_version: int | None
    ) -> int:
        try:
            version = await self._aclient().eval(*self._write_call(key, state, expected_version))
        except self._errors.OutOfMemoryError:
            raise self._full() from None
        return self._written(key, state, expected_version, version)

    async def adelete(self, key: str) -> None:
        await self._aclient().eval(_DELETE, 4, self.prefix + key, *self._index, key)

    def close(self) -> None:
        """Close the sync client's connections."""
        self._client.close()

    async def aclose(self) -> None:
        """Close the async client of the running event loop (and the sync client)."""
        client = self._async.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
        self.close()
