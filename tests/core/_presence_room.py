"""A room whose pages track presence, for the tests across processes; run as a script it is
the second worker: ``python -m tests.core._presence_room REDIS_URL USER`` joins *USER* to room
"a" on its own manager, says ``joined``, then sets typing on each line read ("typing")."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core._json import canonical_dumps
from component_framework.core.presence import Presence, Track, apply_diff
from component_framework.core.redis_broker import RedisBroker
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer

from ._support import FakeConnection

HEARTBEAT = 0.2
SIGNER = Signer(["test-secret-key-0123456789abcdef"], release="1")


class Names(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return ", ".join(sorted(context["state"].get("online", {})))


def room_manager(url: str, heartbeat: float = HEARTBEAT) -> ComponentWebSocketManager:
    """A manager on the Redis broker *url* with a registry holding ``room``."""
    registry = ComponentRegistry()

    @registry.register("room")
    class Room(Component):
        template_name = "room.html"
        renderer = Names()
        live = True

        def track_presence(self) -> Track:
            return Track(f"room:{self.state['room']}", self.state["user"], {"typing": False})

        def on_presence(self, joins: dict, leaves: dict, reset: bool = False) -> None:
            self.state["online"] = apply_diff(self.state["online"], joins, leaves, reset)

    manager = ComponentWebSocketManager(registry=registry, signer=SIGNER, broker=RedisBroker(url))
    manager.presence = Presence(heartbeat=heartbeat)
    return manager


async def join(manager: ComponentWebSocketManager, n: int, user: str) -> FakeConnection:
    """Connect page *n* and subscribe it to its room component (user *user*, room a)."""
    page, cid = FakeConnection(), f"room-{user}-{n}"
    await manager.connect(page, f"conn-{user}-{n}")
    state = canonical_dumps({"room": "a", "user": user, "online": {}})
    await manager.handle_message(
        page,
        f"conn-{user}-{n}",
        {
            "type": "subscribe",
            "component_id": cid,
            "token": SIGNER.subscription_token("room", cid),
            "state": state,
            "checksum": SIGNER.sign("room", cid, state),
        },
    )
    return page


async def _main(url: str, user: str) -> None:
    manager = room_manager(url)
    await join(manager, 0, user)
    await manager.flush()
    print("joined", flush=True)
    loop = asyncio.get_running_loop()
    room = manager.config.registry.resolve("room")(component_id=f"room-{user}-0")
    while await loop.run_in_executor(None, sys.stdin.readline):
        manager.presence.update(room, typing=True)
        await manager.flush()
        print("typed", flush=True)


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], sys.argv[2]))
