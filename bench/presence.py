"""Presence: 1,000 pages join one room over two processes sharing a real Redis.

This process (worker A) and a subprocess (worker B) each run a ComponentWebSocketManager on
the Redis broker, with the Redis presence registry. A's half of the pages join first; then B's
half join, paced at ``--rate`` joins a second, and the time from each join call (in B) to its
diff reaching each of A's pages is measured (both processes read one system-wide monotonic
clock). B is then killed (-9): A's heartbeat reaps B's entries and announces their leaves; the
time from the kill to the last of A's pages having every leave is compared with the
documented bound (3 heartbeats). The floor: the same number of diffs pushed by A with
``push_event`` (the path presence delivers through) to the same pages, at the same pace.
CPU per delivery is A's process CPU over the phase divided by (diffs x A's pages).

Pages are in-process connections that record when each message arrives (no sockets: the
server side's work only). The room component keeps in its state only the last diff's keys,
so its pages share one run of ``on_presence`` per diff (docs/presence.md says why).

Run:  python bench/presence.py [--pages 1000] [--rate 20] [--heartbeat 2.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core._execution import current_request
from component_framework.core.presence import Presence, Track
from component_framework.core.redis_broker import RedisBroker
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer
from component_framework.core.websocket import WebSocketConnection

SIGNER = Signer(["bench-secret-key-0123456789abcdef"], release="1")
STATE = '{"last":{}}'


class Last(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{len(context['state']['last'])}</p>"


class Request:
    def __init__(self, user: str) -> None:
        self.user = user


class Page(WebSocketConnection):
    """Records when each user first arrived in a diff's joins and in its leaves."""

    def __init__(self, user: str) -> None:
        self.got: dict[tuple[str, str], float] = {}
        self._request = Request(user)

    async def send(self, data: dict[str, Any]) -> None:
        payload = data.get("payload") if data.get("type") == "push_event" else None
        if payload is None or payload.get("reset"):
            return
        now = time.monotonic()
        for field in ("joins", "leaves"):
            for user in payload.get(field, {}):
                self.got.setdefault((field, user), now)

    async def receive(self) -> dict[str, Any]:
        raise NotImplementedError

    async def close(self) -> None:
        pass

    @property
    def request(self) -> Any:
        return self._request


registry = ComponentRegistry()


@registry.register("room")
class Room(Component):
    template_name = "room.html"
    renderer = Last()
    live = True

    def track_presence(self) -> Track:
        return Track("room:bench", current_request().user, {"typing": False})

    def on_presence(self, joins: dict, leaves: dict, reset: bool = False) -> None:
        self.state["last"] = {"joins": len(joins), "leaves": len(leaves), "reset": reset}


def make_manager(url: str, heartbeat: float) -> ComponentWebSocketManager:
    manager = ComponentWebSocketManager(registry=registry, signer=SIGNER, broker=RedisBroker(url))
    manager.presence = Presence(heartbeat=heartbeat)
    return manager


async def join(manager: ComponentWebSocketManager, user: str) -> Page:
    page, cid = Page(user), f"room-{user}"
    await manager.connect(page, f"conn-{user}")
    message = {
        "type": "subscribe",
        "component_id": cid,
        "token": SIGNER.subscription_token("room", cid),
        "state": STATE,
        "checksum": SIGNER.sign("room", cid, STATE),
    }
    await manager.handle_message(page, f"conn-{user}", message)
    return page


async def worker(url: str, count: int, rate: float, heartbeat: float) -> None:
    """Worker B: join *count* pages at *rate* a second, print each join's start, then wait."""
    manager = make_manager(url, heartbeat)
    started = {}
    for n in range(count):
        user = f"b{n}"
        started[user] = time.monotonic()
        await join(manager, user)
        await asyncio.sleep(max(0.0, started[user] + 1 / rate - time.monotonic()))
    await manager.flush()
    print(json.dumps(started), flush=True)
    await asyncio.sleep(3600)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def until(condition: Any, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for deliveries")
        await asyncio.sleep(0.2)  # the check reads every page: not too often


def arrivals(pages: list[Page], field: str, prefix: str) -> dict[tuple[int, str], float]:
    """(page, user) -> when that page first got *user* in a diff's *field*."""
    return {
        (n, user): at
        for n, page in enumerate(pages)
        for (f, user), at in page.got.items()
        if f == field and user.startswith(prefix)
    }


def count(pages: list[Page], field: str, prefix: str) -> int:
    return sum(1 for page in pages for f, user in page.got if f == field and user[0] == prefix)


def report(name: str, latencies: list[float], spent: float, deliveries: int) -> float:
    per = spent / deliveries * 1e6
    print(
        f"{name:16} {deliveries:7} deliveries: p50 {pct(latencies, 0.5) * 1000:8.1f} ms  "
        f"p99 {pct(latencies, 0.99) * 1000:8.1f} ms  CPU {per:6.1f} us/delivery"
    )
    return per


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--heartbeat", type=float, default=2.0)
    parser.add_argument("--worker", nargs=2, metavar=("URL", "COUNT"))
    args = parser.parse_args()
    if args.worker:
        await worker(args.worker[0], int(args.worker[1]), args.rate, args.heartbeat)
        return
    half = args.pages // 2
    folder = tempfile.mkdtemp()
    port = _free_port()
    redis_cmd = [shutil.which("redis-server") or "redis-server", "--port", str(port)]
    redis_proc = subprocess.Popen(
        [*redis_cmd, "--save", "", "--dir", folder], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    other = None
    try:
        await _wait_port(port)
        manager = make_manager(url, args.heartbeat)
        pages = [await join(manager, f"a{n}") for n in range(half)]
        await manager.flush()
        for page in pages:
            page.got.clear()
        print(f"load average {os.getloadavg()[0]:.1f}; {half} pages on each of 2 workers")

        before = cpu()
        command = [sys.executable, __file__, "--worker", url, str(half)]
        command += ["--rate", str(args.rate), "--heartbeat", str(args.heartbeat)]
        other = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert other.stdout is not None
        line = await asyncio.get_running_loop().run_in_executor(None, other.stdout.readline)
        started: dict[str, float] = json.loads(line)
        await until(lambda: count(pages, "joins", "b") == half * half)
        spent = cpu() - before
        joined = arrivals(pages, "joins", "b")
        join_latency = [at - started[user] for (_, user), at in joined.items()]
        per_join = report("presence joins", join_latency, spent, half * half)

        killed = time.monotonic()
        other.send_signal(signal.SIGKILL)
        other.wait()
        await until(lambda: count(pages, "leaves", "b") == half * half)
        left = arrivals(pages, "leaves", "b").values()
        first_leave, last_leave = min(left) - killed, max(left) - killed
        bound = manager.presence.bound
        print(
            f"killed worker: its {half} pages left every page of the other within "
            f"{last_leave:.2f} s, the first after {first_leave:.2f} s "
            f"(bound {bound:.1f} s: 3 heartbeats of {args.heartbeat} s)"
        )

        for page in pages:
            page.got.clear()
        before = cpu()
        pushed = {}
        for n in range(half):
            user = f"f{n}"
            pushed[user] = time.monotonic()
            meta = {"typing": False, "ref": f"floor.{n}"}
            await manager.push_event("room", "presence", {"joins": {user: [meta]}, "leaves": {}})
            await asyncio.sleep(max(0.0, pushed[user] + 1 / args.rate - time.monotonic()))
        await until(lambda: count(pages, "joins", "f") == half * half)
        spent = cpu() - before
        floor = [at - pushed[user] for (_, user), at in arrivals(pages, "joins", "f").items()]
        per_floor = report("push_event floor", floor, spent, half * half)
        print(
            f"presence/floor: p99 {pct(join_latency, 0.99) / pct(floor, 0.99):.2f}x  "
            f"CPU per delivery {per_join / per_floor:.2f}x"
        )
        await manager.close()
    finally:
        if other is not None and other.poll() is None:
            other.kill()
            other.wait()
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_port(port: int) -> None:
    for _ in range(400):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    asyncio.run(main())
