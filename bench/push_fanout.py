"""Fan-out of one push to many WebSocket pages over two server processes sharing Redis.

Four uvicorn processes run from ``_push_server.py`` on loopback, all on one real Redis: two
``cf`` servers (a ComponentApp; pushes through the Redis broker) and two ``floor`` servers (raw
redis-py subscription + the same WebSocket sends written inline). Half the pages connect to
each server of a pair. This process pushes (``ComponentWebSocketManager.push_event`` on the
Redis broker, as a background job would; the floor: a raw ``redis.publish``) and times from
the call until the last page has the push, and reads the CPU time the pair of servers spent
(``/proc/<pid>/stat``, so Linux) per push. Rounds alternate between cf and floor.

With ``--permissions`` both groups are ``cf`` servers and the cost of checking permission
classes at each push delivery is measured instead: ``checked`` pages watch a component whose
permission class runs for every page at every push (the default), ``subscribe-only`` pages the
same component with ``check_permissions_on_push = False`` (the floor). ``--kind state`` pushes
with ``push_state`` (a render for all pages) instead of ``push_event``; ``--kind stream`` inserts
one item into a stream of every page (``ws_manager.stream(...).insert``: rendered once), the
floor publishing the same message text.

Run:  python bench/push_fanout.py [--connections 1000] [--pushes 30] [--rounds 2]
                                  [--permissions] [--kind event|state|stream]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio
from websockets.asyncio.client import ClientConnection, connect

from component_framework.core import ComponentWebSocketManager

from _servers import free_port, stop_all, wait_port  # isort: skip (bench/ on sys.path)

HERE = Path(__file__).resolve().parent
KEY = "bench-secret-key-0123456789abcdef"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes *pids* have used so far (Linux)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


class Pages:
    """*n* connected pages; ``arrived(n)`` resolves when all of them have push number *n*."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.counts: dict[int, int] = {}
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []

    def expect(self, n: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[n] = future
        return future

    async def read(self, ws: ClientConnection) -> None:
        async for text in ws:
            message = json.loads(text)
            if message.get("type") == "push_event":
                n = message["payload"]["n"]
            elif message.get("effects"):  # a stream insert: <li id="items-n">
                n = int(message["effects"][0]["id"][6:])
            elif message.get("type") == "component_update":
                n = int(message["html"][3:-4])  # <p>n</p>
            else:
                continue
            count = self.counts[n] = self.counts.get(n, 0) + 1
            if count == self.total:
                self.waiting.pop(n).set_result(time.perf_counter())

    async def open(self, url: str, subscribe: dict[str, Any] | None) -> None:
        ws = await connect(url, ping_interval=None, max_size=None)
        if subscribe is not None:
            await ws.send(json.dumps(subscribe))
            reply = json.loads(await ws.recv())
            if reply["type"] != "subscribed":
                raise RuntimeError(f"subscribe refused: {reply}")
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self.read(ws)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--pushes", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--permissions", action="store_true")
    parser.add_argument("--kind", choices=("event", "state", "stream"), default="event")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    # group -> (its servers' BENCH_MODE, the component its pages watch; None: the raw floor)
    if args.permissions:
        groups = {
            "checked": ("cf", "ticker_checked"),
            "subscribe-only": ("cf", "ticker_subscribe_only"),
        }
    else:
        groups = {"cf": ("cf", "ticker"), "floor": ("floor", None)}
    measured, floor = list(groups)
    folder = tempfile.mkdtemp()
    redis_port = free_port()
    redis_cmd = [shutil.which("redis-server") or "redis-server", "--port", str(redis_port)]
    redis_cmd += ["--save", "", "--appendonly", "no", "--dir", folder]
    redis_proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{redis_port}/0"
    os.environ["CF_BROKER_URL"] = url
    procs = []
    pids: dict[str, list[int]] = {group: [] for group in groups}
    ports = {group: [free_port(), free_port()] for group in groups}
    try:
        await wait_port(redis_port)
        for group, pair in ports.items():
            for port in pair:
                env = {**os.environ, "CF_SECRET_KEY": KEY, "BENCH_MODE": groups[group][0]}
                env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(HERE.parent)])
                cmd = [sys.executable, "-m", "uvicorn", "_push_server:app", "--port", str(port)]
                cmd += ["--log-level", "warning", "--ws-ping-interval", "0"]
                procs.append(subprocess.Popen(cmd, cwd=HERE, env=env))
                pids[group].append(procs[-1].pid)
        for pair in ports.values():
            for port in pair:
                await wait_port(port)

        subscribes: dict[str, dict[str, Any] | None] = {}
        mounted_ids: dict[str, str] = {}
        async with httpx.AsyncClient() as http:
            for group, (_, name) in groups.items():
                if name is None:
                    subscribes[group] = None
                    continue
                base = f"http://127.0.0.1:{ports[group][0]}"
                mounted = (
                    await http.post(
                        f"{base}/cf/event", json={"component": name}, headers={"X-CF-Request": "1"}
                    )
                ).json()
                mounted_ids[group] = mounted["component_id"]
                subscribes[group] = {
                    "type": "subscribe",
                    "component_id": mounted["component_id"],
                    "token": mounted["subscribe_token"],
                }
        pages = {group: Pages(args.connections) for group in groups}
        # Both groups open at once when the file limit allows (rounds then alternate);
        # otherwise (10,000 pages each) one group after the other.
        phased = 4 * args.connections + 1000 > resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        os.environ.setdefault("CF_SECRET_KEY", KEY)  # the servers' app, imported for its registry
        from _push_server import registry as server_registry

        manager = ComponentWebSocketManager(broker=url, registry=server_registry)
        raw = redis.asyncio.Redis.from_url(url)
        times: dict[str, list[float]] = {group: [] for group in groups}
        cpu: dict[str, float] = {group: 0.0 for group in groups}  # servers' CPU seconds
        counter = [0]

        async def connect_all(group: str) -> None:
            started = time.perf_counter()
            for i in range(args.connections):
                port = ports[group][i % 2]
                sub = subscribes[group]
                path = "/cf/ws" if sub is not None else "/floor"
                await pages[group].open(f"ws://127.0.0.1:{port}{path}", sub)
            elapsed = time.perf_counter() - started
            print(f"{group}: {args.connections} pages connected in {elapsed:.1f}s")

        async def measure(group: str, pushes: int, *, record: bool = True) -> None:
            name = groups[group][1]
            cpu_before = cpu_seconds(pids[group])
            for _ in range(pushes):
                counter[0] += 1
                n = counter[0]
                arrived = pages[group].expect(n)
                t0 = time.perf_counter()
                item = {"id": n, "text": f"message {n} from the bench"}
                if name is not None and args.kind == "state":
                    await manager.push_state(name, {"n": n})
                elif name is not None and args.kind == "stream":
                    manager.stream(name, "items").insert(item)
                elif name is not None:
                    await manager.push_event(name, "tick", {"n": n})
                elif args.kind == "stream":
                    effect = {"type": "stream", "stream": "items", "op": "insert"}
                    effect.update(id=f"items-{n}", html=f'<li id="items-{n}">{item["text"]}</li>')
                    text = json.dumps(
                        {
                            "type": "component_update",
                            "component_id": mounted_ids["cf"],
                            "effects": [{**effect, "at": -1}],
                        }
                    )
                    await raw.publish("floor", text)
                else:
                    text = json.dumps(
                        {
                            "type": "push_event",
                            "component_id": mounted_ids["cf"],
                            "event": "tick",
                            "payload": {"n": n},
                        }
                    )
                    await raw.publish("floor", text)
                last = await asyncio.wait_for(arrived, 300)
                if record:
                    times[group].append((last - t0) * 1000)
                await asyncio.sleep(0.02)
            if record:
                cpu[group] += cpu_seconds(pids[group]) - cpu_before

        async def close_all(group: str) -> None:
            for ws in pages[group].sockets:
                await ws.close()

        # One push per group first, not counted: the first push of a process connects its
        # Redis clients and fills lazy caches (about 100 ms more, once).
        if phased:
            for group in groups:
                await connect_all(group)
                await measure(group, 1, record=False)
                for _ in range(args.rounds):
                    await measure(group, args.pushes)
                await close_all(group)
        else:
            for group in groups:
                await connect_all(group)
                await measure(group, 1, record=False)
            for _ in range(args.rounds):
                for group in groups:
                    await measure(group, args.pushes)
            for group in groups:
                await close_all(group)
        await manager.close()
        await raw.aclose()
        per_push = {group: cpu[group] * 1000 / len(times[group]) for group in groups}
        for group in groups:
            t = times[group]
            print(
                f"{group:14} {args.connections} pages: p50 {pct(t, 0.5):7.1f} ms  "
                f"p99 {pct(t, 0.99):7.1f} ms  mean {statistics.mean(t):7.1f} ms  "
                f"server CPU {per_push[group]:6.1f} ms/push"
            )
        ratio50 = pct(times[measured], 0.5) / pct(times[floor], 0.5)
        ratio99 = pct(times[measured], 0.99) / pct(times[floor], 0.99)
        # CPU time comes in clock ticks (10 ms): a short run may show none for the floor.
        ratio_cpu = per_push[measured] / per_push[floor] if per_push[floor] else float("nan")
        target = "" if args.permissions else "  (target <= 1.5x)"
        print(
            f"{measured}/{floor}: p50 {ratio50:.2f}x  p99 {ratio99:.2f}x  "
            f"CPU {ratio_cpu:.2f}x{target}"
        )
    finally:
        stop_all([*procs, redis_proc])
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
