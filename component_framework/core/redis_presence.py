"""The Redis presence registry: who is on a topic, for every process of the app.

Keys (under *prefix*, ``cf:presence:`` by default):

- ``t:<topic>``: a hash, entry ref -> ``{"k": key, "m": meta}``;
- ``w:<worker>``: a set of ``"<ref> <topic>"``, the entries a worker tracks;
- ``workers``: a sorted set, worker -> its last heartbeat (Redis's clock, so hosts' clocks
  need not agree).

Heartbeats, listing and reaping are Lua scripts: a reap is atomic, so one surviving worker
alone removes (and announces) a dead worker's entries, and a worker coming back after an outage
cannot have its entries put back half-reaped. Needs ``pip install cf-components[redis]``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from .presence_registry import Entry, PresenceRegistry
from .redis_broker import _redis

__all__ = ["RedisPresenceRegistry"]

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 "

_HEARTBEAT = _NOW + "return redis.call('ZADD', KEYS[1], string.format('%.6f', now), ARGV[1])"

_LIST = (
    _NOW
    + """
local cutoff = now - tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local worker = string.match(all[i], '^([^.]+)%.')
  local beat = worker and redis.call('ZSCORE', KEYS[2], worker)
  if beat and tonumber(beat) >= cutoff then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  end
end
return out
"""
)

_REAP = (
    _NOW
    + """
local cutoff = string.format('%.6f', now - tonumber(ARGV[1]))
local out = {}
for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)) do
  redis.call('ZREM', KEYS[1], worker)
  local set = ARGV[2] .. 'w:' .. worker
  for _, member in ipairs(redis.call('SMEMBERS', set)) do
    local space = string.find(member, ' ', 1, true)
    local ref, topic = string.sub(member, 1, space - 1), string.sub(member, space + 1)
    local hash = ARGV[2] .. 't:' .. topic
    local value = redis.call('HGET', hash, ref)
    if value then
      redis.call('HDEL', hash, ref)
      out[#out + 1] = topic
      out[#out + 1] = ref
      out[#out + 1] = value
    end
  end
  redis.call('DEL', set)
end
return out
"""
)


class RedisPresenceRegistry(PresenceRegistry):
    """Presence entries in Redis, shared by every process (the default with a Redis broker).

    Args:
        url: ``redis://[user:password@]host:port/db``.
        prefix: Prefix of every key; apps sharing a Redis need different ones.
    """

    def __init__(self, url: str, *, prefix: str = "cf:presence:") -> None:
        self._module = _redis()
        self.url = url
        self.prefix = prefix
        self._client: Any = None
        self._client_loop: Any = None
        self._sync: Any = None

    def __repr__(self) -> str:
        return f"<RedisPresenceRegistry prefix={self.prefix!r}>"

    def _async(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            client = self._module.Redis.from_url(self.url, decode_responses=True)
            self._client, self._client_loop = client, loop
        return self._client

    def _worker_of(self, ref: str) -> str:
        return ref.partition(".")[0]

    async def put(self, topic: str, ref: str, key: str, meta: dict[str, Any]) -> None:
        """Add or replace the entry, and note it among its worker's."""
        value = json.dumps({"k": key, "m": meta}, separators=(",", ":"))
        async with self._async().pipeline(transaction=True) as pipe:
            pipe.hset(f"{self.prefix}t:{topic}", ref, value)
            pipe.sadd(f"{self.prefix}w:{self._worker_of(ref)}", f"{ref} {topic}")
            await pipe.execute()

    async def remove(self, topic: str, ref: str) -> None:
        """Remove the entry."""
        async with self._async().pipeline(transaction=True) as pipe:
            pipe.hdel(f"{self.prefix}t:{topic}", ref)
            pipe.srem(f"{self.prefix}w:{self._worker_of(ref)}", f"{ref} {topic}")
            await pipe.execute()

    def entries(self, topic: str, ttl: float) -> list[tuple[str, str, dict[str, Any]]]:
        """The entries of *topic* whose worker is alive (a blocking read: sync code)."""
        if self._sync is None:
            import redis

            self._sync = redis.Redis.from_url(self.url, decode_responses=True)
        keys = [f"{self.prefix}t:{topic}", f"{self.prefix}workers"]
        flat = self._sync.eval(_LIST, 2, *keys, ttl)
        entries = []
        for ref, text in zip(flat[::2], flat[1::2], strict=True):
            value = json.loads(text)
            entries.append((ref, value["k"], value["m"]))
        return entries

    async def heartbeat(self, worker: str) -> bool:
        """Renew *worker*'s heartbeat (Redis's clock)."""
        added = await self._async().eval(_HEARTBEAT, 1, f"{self.prefix}workers", worker)
        return bool(added)

    async def reap(self, ttl: float) -> list[Entry]:
        """Remove and return the entries of workers silent for more than *ttl* seconds."""
        flat = await self._async().eval(_REAP, 1, f"{self.prefix}workers", ttl, self.prefix)
        entries: list[Entry] = []
        for n in range(0, len(flat), 3):
            value = json.loads(flat[n + 2])
            entries.append((flat[n], flat[n + 1], value["k"], value["m"]))
        return entries

    async def close(self) -> None:
        """Close the connections."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.close()
