"""A push to a server-held component while one client holds many subscribed ids (SQLite).

One socket holds ``--ids`` subscriptions of a server-held ``board`` (ids an anonymous client
collected, each with its render's token); a victim page holds one. Each round pushes a state
(``push_state``) and times until the victim's page has it (``manager.flush``), and counts the
rows the push added to the SQLite store. The floor is the same push with no attacker.

Run:  python bench/push_held.py [--ids 1000] [--pushes 20]
      PYTHONPATH=/path/to/other/checkout python bench/push_held.py   # another tree
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from component_framework.core import (
    Component,
    ComponentRegistry,
    ComponentWebSocketManager,
    WebSocketConnection,
)
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer
from component_framework.core.sqlite_store import SQLiteStateStore


class Page(WebSocketConnection):
    def __init__(self) -> None:
        self.received = 0

    async def send(self, data: dict[str, Any]) -> None:
        self.received += 1

    async def receive(self) -> dict[str, Any]:
        raise NotImplementedError

    async def close(self) -> None:
        pass


class Plain(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('n', 0)}</p>"


async def run(ids: int, pushes: int, folder: Path) -> tuple[list[float], float]:
    path = folder / f"state-{ids}.db"
    store = SQLiteStateStore(path)
    registry = ComponentRegistry()

    @registry.register("board")
    class Board(Component):
        template_name = "board.html"
        renderer = Plain()
        state_store = store

    signer = Signer(["bench-secret-key-0123456789abcdef"])
    manager = ComponentWebSocketManager(registry=registry, signer=signer)
    attacker, victim = Page(), Page()
    await manager.connect(attacker, "attacker")
    await manager.connect(victim, "victim")
    for n in range(ids):
        cid = f"component-{n:032x}"
        token = signer.subscription_token("board", cid)
        message = {"type": "subscribe", "component_id": cid, "token": token}
        await manager.handle_message(attacker, "attacker", message)
    token = signer.subscription_token("board", "victim-page")
    subscribe = {"type": "subscribe", "component_id": "victim-page", "token": token}
    await manager.handle_message(victim, "victim", subscribe)
    times = []
    with contextlib.closing(sqlite3.connect(path)) as db:
        before = db.execute("SELECT count(*) FROM cf_state").fetchone()[0]
    for n in range(pushes):
        started = time.perf_counter()
        await manager.push_state("board", {"n": n})
        await manager.flush()
        times.append((time.perf_counter() - started) * 1000)
    with contextlib.closing(sqlite3.connect(path)) as db:
        after = db.execute("SELECT count(*) FROM cf_state").fetchone()[0]
    await manager.close()
    store.close()
    return times, (after - before) / pushes


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--pushes", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    for label, ids in (("floor (victim alone)", 0), (f"{args.ids} attacker ids", args.ids)):
        times, rows = await run(ids, args.pushes, folder)
        print(
            f"{label:22} push to the victim: median {statistics.median(times):7.1f} ms, "
            f"max {max(times):7.1f} ms; rows stored per push {rows:.0f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
