"""``push_event`` to N pages in K distinct states over two processes and Redis, against a floor.

Three groups of two uvicorn processes each (``_push_server.py``), all on one real Redis:
``cf`` (this tree), ``before`` (the tree given with ``--before``, optional) and ``floor`` (a
raw redis-py subscription sending each published text to every socket). Every cf page mounts
the live ``board`` (a 20-item list; its events go over the socket), sets its own filter with an
event (pages spread over K states) and then behaves as cf.js does: a push the server ran for
the state it holds is applied; any other ``push_event`` is answered with the page's own event
and state, and its reply applied. The floor sends each page a text of the size a cf page gets.

Measured per push: the time until every page holds the new HTML (p50/p99) and the CPU time
the group's two server processes used (``/proc``), divided by the pushes (and by the pages).
``--kind state`` pushes with ``push_state`` (one state for every page) instead. ``--groups``
runs some of the groups only: at 10,000 pages the client's file limit holds one group a run.

Run:  python bench/push_event_states.py [--pages 1000] [--states 3] [--pushes 20]
                                        [--before DIR] [--kind event|state]
                                        [--groups cf,before,floor]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
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
from push_fanout import KEY, pct
from websockets.asyncio.client import ClientConnection, connect

from component_framework.core import ComponentWebSocketManager

from _servers import free_port, stop_all, wait_port  # isort: skip (bench/ on sys.path)

HERE = Path(__file__).resolve().parent
OPENING = 50  # pages opened at once
_N = re.compile(r'data-n="(\d+)"')


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of *pids* so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Page:
    """One page: holds the board's HTML, state and checksum, and answers pushes as cf.js."""

    def __init__(self, group: Group, ws: ClientConnection, mounted: dict[str, Any]) -> None:
        self.group, self.ws = group, ws
        self.cid = mounted["component_id"]
        self.state, self.checksum = mounted["state"], mounted["checksum"]
        self.n = 0
        self.ref = 0
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        self.ref += 1
        ref = str(self.ref)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[ref] = future
        await self.ws.send(json.dumps({**message, "ref": ref}))
        return await future

    def event(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "component_event",
            "component": "board",
            "component_id": self.cid,
            "event": event,
            "payload": payload,
            "state": self.state,
            "checksum": self.checksum,
        }

    def apply(self, update: dict[str, Any]) -> None:
        self.state, self.checksum = update["state"], update["checksum"]
        found = _N.search(update["html"])
        if found is not None:
            self.group.arrived(int(found.group(1)))

    async def answer(self, message: dict[str, Any]) -> None:
        reply = await self.request(self.event(message["event"], message["payload"]))
        if reply.get("type") == "component_update":
            self.apply(reply)

    async def read(self) -> None:
        async for text in self.ws:
            message = json.loads(text)
            ref = message.get("ref")
            if ref is not None and ref in self.waiting:
                self.waiting.pop(ref).set_result(message)
            elif message.get("type") == "push_event":
                update = message.get("update")
                if update is not None and message.get("base") == self.checksum:
                    self.apply(update)
                else:
                    self.group.answered += 1
                    task = asyncio.create_task(self.answer(message))
                    self.group.tasks.append(task)
            elif message.get("type") == "component_update":  # push_state
                self.apply(message)
            elif message.get("k") == "floor":
                self.group.arrived(message["n"])


class Group:
    """The pages of one group; ``expect(n)`` resolves when all of them show push *n*."""

    def __init__(self, name: str, total: int) -> None:
        self.name, self.total = name, total
        self.counts: dict[int, int] = {}
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.pages: list[Page] = []
        self.sockets: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.pids: list[int] = []
        self.times: list[float] = []
        self.cpu: list[float] = []
        self.answered = 0  # pushes the pages answered with an event of their own

    def expect(self, n: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[n] = future
        return future

    def arrived(self, n: int) -> None:
        count = self.counts[n] = self.counts.get(n, 0) + 1
        if count == self.total and n in self.waiting:
            self.waiting.pop(n).set_result(time.perf_counter())


async def open_cf(group: Group, ports: list[int], states: int, http: httpx.AsyncClient) -> None:
    for start in range(0, group.total, OPENING):
        stop = min(group.total, start + OPENING)
        await asyncio.gather(
            *(open_page(group, ports, states, http, i) for i in range(start, stop))
        )


async def open_page(
    group: Group, ports: list[int], states: int, http: httpx.AsyncClient, i: int
) -> None:
    base = f"127.0.0.1:{ports[i % 2]}"
    mounted = (
        await http.post(
            f"http://{base}/cf/event",
            json={"component": "board"},
            headers={"X-CF-Request": "1"},
        )
    ).json()
    ws = await connect(f"ws://{base}/cf/ws", ping_interval=None, max_size=None)
    page = Page(group, ws, mounted)
    group.pages.append(page)
    group.sockets.append(ws)
    group.tasks.append(asyncio.create_task(page.read()))
    # Its own state (one of K), set by an event over the socket, then the subscription.
    reply = await page.request(page.event("filter", {"text": "", "draft": i % states}))
    page.apply(reply)
    subscribed = await page.request(
        {
            "type": "subscribe",
            "component_id": page.cid,
            "token": mounted["subscribe_token"],
            "state": page.state,
            "checksum": page.checksum,
        }
    )
    assert subscribed["type"] == "subscribed", subscribed


async def open_floor(group: Group, ports: list[int]) -> None:
    for i in range(group.total):
        ws = await connect(f"ws://127.0.0.1:{ports[i % 2]}/floor", ping_interval=None)
        group.sockets.append(ws)
        page = Page(group, ws, {"component_id": "", "state": "", "checksum": ""})
        group.tasks.append(asyncio.create_task(page.read()))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--states", type=int, default=3)
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", type=Path, default=None)
    parser.add_argument("--kind", choices=("event", "state"), default="event")
    parser.add_argument("--groups", default="cf,before,floor")
    args = parser.parse_args()
    chosen = set(args.groups.split(","))
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    trees = {"cf": HERE.parent, "floor": HERE.parent}
    if args.before is not None:
        trees["before"] = args.before.resolve()
    trees = {name: tree for name, tree in trees.items() if name in chosen}
    folder = tempfile.mkdtemp()
    # One redis-server per group: a push for one group's pages must not reach the other's.
    redis_ports = {name: free_port() for name in trees}
    server = shutil.which("redis-server") or "redis-server"
    options = ["--save", "", "--appendonly", "no", "--dir", folder]
    redis_procs = [
        subprocess.Popen([server, "--port", str(port), *options], stdout=subprocess.DEVNULL)
        for port in redis_ports.values()
    ]
    urls = {name: f"redis://127.0.0.1:{port}/0" for name, port in redis_ports.items()}
    groups = {name: Group(name, args.pages) for name in trees}
    ports = {name: [free_port(), free_port()] for name in trees}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for port in redis_ports.values():
            await wait_port(port)
        for name, tree in trees.items():
            for port in ports[name]:
                env = {**os.environ, "CF_SECRET_KEY": KEY, "CF_BROKER_URL": urls[name]}
                env["BENCH_MODE"] = "floor" if name == "floor" else "cf"
                env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(tree)])
                cmd = [sys.executable, "-m", "uvicorn", "_push_server:app", "--port", str(port)]
                cmd += ["--log-level", "warning", "--ws-ping-interval", "0"]
                proc = subprocess.Popen(cmd, cwd=HERE, env=env)
                procs.append(proc)
                groups[name].pids.append(proc.pid)
        for pair in ports.values():
            for port in pair:
                await wait_port(port)
        async with httpx.AsyncClient(timeout=60) as http:
            for name, group in groups.items():
                started = time.perf_counter()
                if name == "floor":
                    await open_floor(group, ports[name])
                else:
                    await open_cf(group, ports[name], args.states, http)
                print(f"{name}: {args.pages} pages open in {time.perf_counter() - started:.1f}s")
        managers = {name: ComponentWebSocketManager(broker=url) for name, url in urls.items()}
        raw = redis.asyncio.Redis.from_url(urls.get("floor", next(iter(urls.values()))))
        # The floor sends each page as many bytes as a cf page gets for one push.
        size = len(json.dumps({"type": "push_event", "update": {"html": "x" * 900}}))
        if "cf" in groups:
            sample = groups["cf"].pages[0]
            size += len(sample.state) + len(sample.checksum) * 2 + 120
        else:
            size += 40 + 44 * 2 + 120  # a page's state (filter, n, draft) and two checksums
        counter = [0]
        for _ in range(args.rounds):
            for group in groups.values():
                cpu0 = cpu_seconds(group.pids)
                for _ in range(args.pushes):
                    counter[0] += 1
                    n = counter[0]
                    arrived = group.expect(n)
                    t0 = time.perf_counter()
                    if group.name == "floor":
                        text = json.dumps({"k": "floor", "n": n, "pad": "x" * size})
                        await raw.publish("floor", text)
                    elif args.kind == "state":
                        state = {"filter": "", "n": n, "draft": 0}
                        await managers[group.name].push_state("board", state)
                    else:
                        await managers[group.name].push_event("board", "refresh", {"n": n})
                    last = await asyncio.wait_for(arrived, 600)
                    group.times.append((last - t0) * 1000)
                    await asyncio.sleep(0.05)
                group.cpu.append((cpu_seconds(group.pids) - cpu0) / args.pushes * 1000)
        for manager in managers.values():
            await manager.close()
        await raw.aclose()
        kind = f"push_{args.kind}"
        pushes = args.pushes * args.rounds
        print(f"{kind}, {args.pages} pages in {args.states} states, {pushes} pushes:")
        for group in groups.values():
            t = group.times
            print(
                f"  {group.name:7} p50 {pct(t, 0.5):8.1f} ms  p99 {pct(t, 0.99):8.1f} ms  "
                f"server CPU per push {statistics.median(group.cpu):7.1f} ms  "
                f"per page {statistics.median(group.cpu) / group.total * 1000:6.1f} us  "
                f"answered by pages {group.answered}"
            )
        cpu = {name: statistics.median(group.cpu) for name, group in groups.items()}
        if "cf" in cpu and "floor" in cpu:
            print(f"  cf / floor CPU: {cpu['cf'] / cpu['floor']:.2f}x (target <= 2x)")
        if "before" in cpu and "cf" in cpu:
            print(f"  before / cf CPU: {cpu['before'] / cpu['cf']:.1f}x (target >= 10x)")
            p50 = pct(groups["cf"].times, 0.5) / pct(groups["before"].times, 0.5)
            print(f"  cf / before p50 time: {p50:.2f}x")
        for group in groups.values():
            for ws in group.sockets:
                await ws.close()
    finally:
        stop_all([*procs, *redis_procs])
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
