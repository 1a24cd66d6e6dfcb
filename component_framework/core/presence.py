"""Presence: who is on a topic (a room, a document), delivered to its components as diffs.

A live component declares where its page is present with ``track_presence`` (server code:
the topic and key come from its state and request, never from the client). When the page's
socket subscribes to it, it joins; when the page unsubscribes, closes, or its worker dies,
it leaves. Every change is published through the broker as a diff, and every process runs
the component's ``presence_event`` (``"presence"``: ``on_presence``) for its own pages on
that topic, through the path of ``push_event`` (each page's own state, permissions, signing):

- ``{"joins": {key: [meta, ...]}, "leaves": {key: [meta, ...]}}`` for each change; each meta
  carries its entry's ``"ref"``; a meta update is a leave and a join of the same ref;
- ``{"joins": <everyone present>, "leaves": {}, "reset": True}`` to the page that just joined
  (its first sync, and after a reconnect): it replaces what the page held.

``apply_diff`` folds either into a ``{key: [meta, ...]}`` dict held in state; ``list`` gives
the same dict for a first render. Entries live in a ``PresenceRegistry``: this process's memory
without a broker, Redis with a Redis broker, where a dead worker's entries expire after
``ttl`` and a surviving worker announces their leaves (within ``bound`` seconds).

Example:

    class Room(Component):
        live = True

        def track_presence(self) -> Track:
            return Track(f"room:{self.state['room']}", self.state["user"], {"typing": False})

        def on_presence(self, joins: dict, leaves: dict, reset: bool = False) -> None:
            self.state["online"] = apply_diff(self.state["online"], joins, leaves, reset)
"""

from __future__ import annotations

import builtins
import logging
import secrets
from typing import TYPE_CHECKING, Any

from ._presence_model import Entry, Metas, Track, apply_diff, check_meta, track_of
from ._push import Subscription
from .presence_registry import InMemoryPresenceRegistry, PresenceRegistry

if TYPE_CHECKING:
    import asyncio

    from .component import Component
    from .websocket import ComponentWebSocketManager

__all__ = ["Metas", "Presence", "Track", "apply_diff"]

logger = logging.getLogger("component_framework")


class Presence:
    """The presence of one manager's pages (``ws_manager.presence``).

    Args:
        registry: Where entries live; by default Redis when the manager's broker is Redis
            (same server), else this process's memory.
        heartbeat: Seconds between a worker's heartbeats; a worker silent for ``ttl``
            (2 heartbeats) is dead, and its pages leave within ``bound`` (3 heartbeats).
        updates_per_second: Meta updates one page's entry publishes per second; more are
            coalesced (the latest meta goes out when the interval ends).
        max_meta_bytes: The largest meta (as JSON) an entry may carry.
    """

    def __init__(
        self,
        *,
        registry: PresenceRegistry | None = None,
        heartbeat: float = 5.0,
        updates_per_second: float = 5.0,
        max_meta_bytes: int = 2048,
    ) -> None:
        self._registry = registry
        self._chosen = registry is None  # follows the manager's broker
        self.heartbeat = heartbeat
        self.updates_per_second = updates_per_second
        self.max_meta_bytes = max_meta_bytes
        self.worker = secrets.token_hex(8)
        self._manager: ComponentWebSocketManager | None = None
        self._entries: dict[tuple[str, str], Entry] = {}
        self._by_topic: dict[str, set[tuple[str, str]]] = {}
        self._by_id: dict[str, set[tuple[str, str]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._beat: asyncio.Task[None] | None = None
        self._beating = False
        self._registry_down = False
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"<Presence entries={len(self._entries)} topics={len(self._by_topic)}>"

    @property
    def ttl(self) -> float:
        """Seconds without a heartbeat after which a worker's entries are dropped."""
        return 2 * self.heartbeat

    @property
    def bound(self) -> float:
        """Seconds within which a dead worker's pages leave (``ttl`` plus one heartbeat)."""
        return 3 * self.heartbeat

    @property
    def registry(self) -> PresenceRegistry:
        """Where entries live (chosen on first use from the manager's broker)."""
        if self._registry is None:
            from .redis_broker import RedisBroker  # here: only with a Redis broker

            broker = self._manager.broker if self._manager is not None else None
            if isinstance(broker, RedisBroker):
                from .redis_presence import RedisPresenceRegistry

                self._registry = RedisPresenceRegistry(broker.url)
            else:
                self._registry = InMemoryPresenceRegistry()
        return self._registry

    def _bind(self, manager: ComponentWebSocketManager) -> None:
        self._manager = manager

    def _broker_changed(self) -> None:
        if self._chosen:
            self._registry = None

    # ---------- Reading ----------

    def list(self, topic: str) -> Metas:
        """Everyone present on *topic*: ``{key: [meta, ...]}`` (each meta with its ``ref``),
        for a first render. Sync (a blocking read with Redis): call it from ``mount``,
        ``render`` or a ``def`` handler."""
        present: Metas = {}
        for ref, key, meta in sorted(self.registry.entries(topic, self.ttl)):
            present.setdefault(key, []).append({**meta, "ref": ref})
        return present

    def topics(self) -> dict[str, int]:
        """Topic -> how many of this process's pages are on it."""
        return {topic: len(keys) for topic, keys in self._by_topic.items()}

    # ---------- Updating metas ----------

    def update(self, component: Component, **meta: Any) -> None:
        """Merge *meta* into the entry of *component*'s page (``typing=True``) and announce
        it; callable from any handler, sync or async. At most ``updates_per_second`` per
        entry are published; more are coalesced, the latest kept. Nothing happens when the
        page is on no topic.

        Raises:
            ValueError: *meta* is not JSON or is larger than ``max_meta_bytes``.
        """
        check_meta(meta, self.max_meta_bytes)
        loop, manager = self._loop, self._manager
        if manager is None or loop is None or loop.is_closed():
            return
        import asyncio

        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._update_now(component.id, meta)
        else:
            loop.call_soon_threadsafe(self._update_now, component.id, meta)

    def _update_now(self, component_id: str, meta: dict[str, Any]) -> None:
        loop = self._loop
        assert loop is not None
        for pair in list(self._by_id.get(component_id, ())):
            entry = self._entries[pair]
            merged = {**(entry.pending or entry.meta), **meta}
            if entry.flush is not None:
                entry.pending = merged  # coalesced: the latest goes out with the flush
                continue
            wait = entry.last_sent + 1 / self.updates_per_second - loop.time()
            if wait > 0:
                entry.pending = merged
                entry.flush = loop.call_later(wait, self._flush, pair)
            elif merged != entry.meta:
                self._change(entry, merged)

    def _flush(self, pair: tuple[str, str]) -> None:
        entry = self._entries.get(pair)
        if entry is None:
            return
        entry.flush, pending, entry.pending = None, entry.pending, None
        if pending is not None and pending != entry.meta:
            self._change(entry, pending)

    def _change(self, entry: Entry, meta: dict[str, Any]) -> None:
        assert self._loop is not None
        old = entry.metas()
        entry.meta, entry.last_sent = meta, self._loop.time()
        self._loop.create_task(self._store(entry))
        self._publish(entry.topic, entry.metas(), old)

    # ---------- Joining and leaving (the manager calls these) ----------

    async def join(self, sub: Subscription) -> None:
        """Put *sub*'s page on the topic its component tracks (a trusted call: the page
        subscribed with the server's token), then sync it and announce it."""
        from .threads import run_sync

        manager = self._manager
        cls = sub.config.registry.get(sub.component) if sub.component else None
        if manager is None or cls is None or not callable(getattr(cls, "track_presence", None)):
            return
        known = manager._connections.known(sub)
        if known is None:
            return  # a state this server did not sign: it renders again and re-subscribes
        try:
            track = await run_sync(track_of, cls, sub, known[0], self.max_meta_bytes)
        except Exception:
            logger.exception("track_presence of %r failed; the page is on no topic.", cls)
            return
        pair = (sub.connection_id, sub.component_id)
        old = self._entries.get(pair)
        if (
            old is not None
            and track is not None
            and (old.topic, old.key) == (track.topic, track.key)
        ):
            await self._sync(old)  # subscribed again on the same socket
            return
        if old is not None:
            await self._leave(pair)
        if track is None:
            return
        self._start()
        ref = f"{self.worker}.{secrets.token_hex(6)}"
        entry = Entry(sub, track.topic, track.key, ref, dict(track.meta))
        self._entries[pair] = entry
        self._by_topic.setdefault(entry.topic, set()).add(pair)
        self._by_id.setdefault(sub.component_id, set()).add(pair)
        if not self._beating:
            self._beating = True  # beat before the first entry: others list only the living
            await self._beat_once()
        await self._store(entry)
        await self._sync(entry)
        self._publish(entry.topic, entry.metas(), {})

    async def leave(self, connection_id: str, component_id: str | None = None) -> None:
        """Take the pages of *connection_id* (only *component_id*'s, when given) off their
        topics and announce it."""
        for pair in [p for p in self._entries if p[0] == connection_id]:
            if component_id is None or pair[1] == component_id:
                await self._leave(pair)

    async def _leave(self, pair: tuple[str, str]) -> None:
        entry = self._entries.pop(pair)
        if entry.flush is not None:
            entry.flush.cancel()
        for index, name in ((self._by_topic, entry.topic), (self._by_id, pair[1])):
            index[name].discard(pair)
            if not index[name]:
                del index[name]
        async with self._writes():
            try:
                await self.registry.remove(entry.topic, entry.ref)
            except Exception as exc:
                self._down(exc)
        self._publish(entry.topic, {}, entry.metas())

    async def _sync(self, entry: Entry) -> None:
        from .threads import run_sync

        try:
            present = await run_sync(self.list, entry.topic)
        except Exception as exc:
            self._down(exc)
            present = {}
        if entry.ref not in {meta["ref"] for meta in present.get(entry.key, [])}:
            present = apply_diff(present, entry.metas(), {})  # the registry was unreachable
        payload = {"joins": present, "leaves": {}, "reset": True}
        await self._deliver_to([entry.sub], payload)

    # ---------- Diffs ----------

    def _publish(self, topic: str, joins: Metas, leaves: Metas) -> None:
        assert self._manager is not None
        self._manager._publish("presence", t=topic, j=joins, l=leaves)

    async def deliver(self, push: dict[str, Any]) -> None:
        """Deliver a published diff to this process's pages on its topic."""
        pairs = self._by_topic.get(push.get("t", ""), ())
        subs = [self._entries[pair].sub for pair in pairs]
        if subs:
            await self._deliver_to(subs, {"joins": push["j"], "leaves": push["l"]})

    async def _deliver_to(self, subs: builtins.list[Subscription], payload: dict[str, Any]) -> None:
        assert self._manager is not None
        groups: dict[tuple[str, str], builtins.list[Subscription]] = {}
        for sub in subs:
            cls = sub.config.registry.get(sub.component) if sub.component else None
            if cls is not None and sub.component is not None:
                event = getattr(cls, "presence_event", "presence")
                groups.setdefault((sub.component, event), []).append(sub)
        for (name, event), group in groups.items():
            await self._manager._delivery.deliver_event(name, event, payload, group)

    # ---------- Heartbeats ----------

    def _start(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._beat, self._beating = loop, None, False
        if self._beat is None:
            self._beat = loop.create_task(self._beat_forever())

    async def _beat_once(self) -> None:
        try:
            if await self.registry.heartbeat(self.worker) and self._entries:
                # This worker was taken for dead (a long Redis outage) and its entries
                # reaped, their leaves announced: put the live ones back and announce them.
                for entry in list(self._entries.values()):
                    await self._store(entry)  # (skips one that left meanwhile)
                    if self._live(entry):
                        self._publish(entry.topic, entry.metas(), {})
            left: dict[str, Metas] = {}
            for topic, ref, key, meta in await self.registry.reap(self.ttl):
                left.setdefault(topic, {}).setdefault(key, []).append({**meta, "ref": ref})
            for topic, leaves in left.items():
                self._publish(topic, {}, leaves)  # one diff per topic for a dead worker
            self._up()
        except Exception as exc:
            self._down(exc)

    async def _beat_forever(self) -> None:
        import asyncio

        while True:
            await asyncio.sleep(self.heartbeat)
            await self._beat_once()

    def _live(self, entry: Entry) -> bool:
        return self._entries.get((entry.sub.connection_id, entry.sub.component_id)) is entry

    def _writes(self) -> asyncio.Lock:
        # Writes reach the registry in the order they were made: a leave never overtakes
        # the store of a meta made just before it (which would put a ghost entry back).
        import asyncio

        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def _store(self, entry: Entry) -> None:
        async with self._writes():
            if not self._live(entry):
                return  # it left meanwhile
            try:
                await self.registry.put(entry.topic, entry.ref, entry.key, entry.meta)
            except Exception as exc:
                self._down(exc)

    def _down(self, exc: BaseException) -> None:
        if not self._registry_down:
            self._registry_down = True
            logger.warning("Presence registry unavailable: %s; retrying each heartbeat.", exc)

    def _up(self) -> None:
        if self._registry_down:
            self._registry_down = False
            logger.warning("Presence registry reachable again.")

    async def close(self) -> None:
        """Stop the heartbeat and close the registry (this worker's entries then expire)."""
        if self._beat is not None:
            self._beat.cancel()
            self._beat = None
        if self._registry is not None:
            await self._registry.close()
