"""Soak: 1,000 live pages on one process through a broker outage (Redis stopped, restarted).

A real ``redis-server`` and one uvicorn process (``_outage_server.py``) with a live ``board``;
this process opens N ``websockets`` pages, each mounted by its own render and subscribed with
its token, and behaving as cf.js does: a pushed update replaces its HTML and state; a
``resync`` is answered with the component's resync event after a random part of the message's
``jitter``, and one told while another waits adds nothing (the floor: every resync answered
at once). Then, for each phase, Redis is stopped for
``--outage`` seconds while the board is bumped every second and pushes nobody watches fill the
backlog (``--noise-size`` bytes, ``--noise-rate`` a second), and started again.

Reported per phase: the server's resident memory before, at its peak and after; when the
resync events reached the server (counted from Redis back: the first, the spread from first to
last, the busiest second); each page's resync round trip (send to reply); the time from Redis
back until every page shows the server's counter ("in step", checked for every page). Pushes
kept past the backlog bound (16 MiB) mean a second resync wave: each page is told twice.

Phases: ``spread`` (pages wait their jitter, as cf.js does) and ``at once`` (the floor: every
page answers as soon as it is told).

Run:  python bench/broker_outage.py [--pages 1000] [--outage 30] [--noise-size 20000]
                                    [--noise-rate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
from websockets.asyncio.client import ClientConnection, connect

from _servers import free_port, wait_port  # isort: skip (bench/ on sys.path)

HERE = Path(__file__).resolve().parent
KEY = "bench-secret-key-0123456789abcdef"
HEADERS = {"X-CF-Request": "1"}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


class Page:
    """One page: its socket, its component's HTML, state and checksum, as cf.js keeps them."""

    honour_jitter = True
    latencies: list[float] = []

    def __init__(self, ws: ClientConnection, render: dict[str, Any]) -> None:
        self.ws = ws
        self.render = render
        self.ref = 0
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.resync_waiting = False

    @property
    def html(self) -> str:
        return str(self.render["html"])

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        self.ref += 1
        ref = str(self.ref)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[ref] = future
        await self.ws.send(json.dumps({**message, "ref": ref}))
        return await future

    async def read(self) -> None:
        async for text in self.ws:
            message = json.loads(text)
            future = self.waiting.pop(str(message.get("ref")), None)
            if future is not None:
                future.set_result(message)
            elif message.get("type") == "component_update":
                self.render = {**self.render, **message}
            elif message.get("type") == "resync":
                task = asyncio.create_task(self.resync(message))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def resync(self, message: dict[str, Any]) -> None:
        if self.honour_jitter:
            if self.resync_waiting:
                return  # as cf.js: the waiting answer covers this one
            self.resync_waiting = True
            await asyncio.sleep(random.random() * message.get("jitter", 0) / 1000)
            self.resync_waiting = False
        event = {
            "type": "component_event",
            "component": "board",
            "component_id": self.render["component_id"],
            "event": message.get("event"),
            "payload": {},
            "state": self.render["state"],
            "checksum": self.render["checksum"],
        }
        started = time.perf_counter()
        reply = await self.request(event)
        Page.latencies.append((time.perf_counter() - started) * 1000)
        if reply.get("type") == "component_update":
            self.render = {**self.render, **reply}


async def open_page(
    http: httpx.AsyncClient, base: str, ws_url: str
) -> tuple[Page, asyncio.Task[None]]:
    render = (
        await http.post(f"{base}/cf/event", json={"component": "board"}, headers=HEADERS)
    ).json()
    ws = await connect(ws_url, ping_interval=None, max_size=None)
    page = Page(ws, render)
    reader = asyncio.create_task(page.read())
    token = render["subscribe_token"]
    reply = await page.request(
        {"type": "subscribe", "component_id": render["component_id"], "token": token}
    )
    if reply["type"] != "subscribed":
        raise RuntimeError(f"subscribe refused: {reply}")
    return page, reader


async def in_step(http: httpx.AsyncClient, base: str, pages: list[Page], timeout: float) -> float:
    """Seconds until every page shows the server's counter."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        n = (await http.get(f"{base}/stats")).json()["n"]
        if all(page.html == f"<p>{n}</p>" for page in pages):
            return time.perf_counter() - started
        await asyncio.sleep(0.05)
    behind = sum(1 for page in pages if page.html != f"<p>{n}</p>")
    raise RuntimeError(f"{behind} of {len(pages)} pages not in step after {timeout}s")


async def settled(http: httpx.AsyncClient, base: str) -> dict[str, Any]:
    """The server's stats once no resync arrived for six seconds (a page waits at most five)."""
    stats = (await http.get(f"{base}/stats")).json()
    quiet_since = time.perf_counter()
    while time.perf_counter() - quiet_since < 6:
        await asyncio.sleep(0.5)
        now = (await http.get(f"{base}/stats")).json()
        if len(now["resyncs"]) != len(stats["resyncs"]):
            quiet_since = time.perf_counter()
        stats = now
    return dict(stats)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--outage", type=float, default=30.0)
    parser.add_argument("--noise-size", type=int, default=20_000)
    parser.add_argument("--noise-rate", type=float, default=20.0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    folder = tempfile.mkdtemp()
    redis_port, port = free_port(), free_port()
    redis_cmd = [shutil.which("redis-server") or "redis-server", "--port", str(redis_port)]
    redis_cmd += ["--save", "", "--appendonly", "no", "--dir", folder]
    url = f"redis://127.0.0.1:{redis_port}/0"
    env = {**os.environ, "CF_SECRET_KEY": KEY, "CF_BROKER_URL": url}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(HERE.parent)])
    cmd = [sys.executable, "-m", "uvicorn", "_outage_server:app", "--port", str(port)]
    cmd += ["--log-level", "error", "--ws-ping-interval", "0", "--ws-max-size", "4194304"]
    redis_proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(cmd, cwd=HERE, env=env)
    base, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/cf/ws"
    try:
        await wait_port(redis_port)
        await wait_port(port)
        async with httpx.AsyncClient(timeout=60) as http:
            started = time.perf_counter()
            opened = [await open_page(http, base, ws_url) for _ in range(args.pages)]
            pages = [page for page, _ in opened]
            elapsed = time.perf_counter() - started
            print(f"{args.pages} pages rendered and subscribed in {elapsed:.1f}s")
            await http.post(f"{base}/bump")
            await in_step(http, base, pages, 60)
            results = []
            for phase, honour in (("spread", True), ("at once", False)):
                Page.honour_jitter = honour
                Page.latencies = []
                rss_before = (await http.get(f"{base}/stats?clear=1")).json()["rss"]
                redis_proc.terminate()
                redis_proc.wait(10)
                peak = rss_before
                outage_end = time.perf_counter() + args.outage
                next_bump = time.perf_counter()
                while time.perf_counter() < outage_end:
                    if time.perf_counter() >= next_bump:
                        await http.post(f"{base}/bump")
                        peak = max(peak, (await http.get(f"{base}/stats")).json()["rss"])
                        next_bump += 1.0
                    await http.post(f"{base}/noise?size={args.noise_size}")
                    await asyncio.sleep(1 / args.noise_rate)
                redis_proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
                await wait_port(redis_port)
                back = (await http.get(f"{base}/stats")).json()["now"]
                seconds = await in_step(http, base, pages, 300)
                stats = await settled(http, base)
                await in_step(http, base, pages, 300)
                peak = max(peak, stats["rss"])
                arrivals = [t - back for t in stats["resyncs"]]
                per_second: dict[int, int] = {}
                for t in arrivals:
                    per_second[int(t)] = per_second.get(int(t), 0) + 1
                results.append(
                    {
                        "phase": phase,
                        "rss": (rss_before, peak, stats["rss"]),
                        "resyncs": len(arrivals),
                        "first": min(arrivals, default=float("nan")),
                        "spread": (max(arrivals) - min(arrivals)) if arrivals else float("nan"),
                        "busiest": max(per_second.values(), default=0),
                        "latency": (pct(Page.latencies, 0.5), pct(Page.latencies, 0.99)),
                        "mean": statistics.mean(Page.latencies) if Page.latencies else 0.0,
                        "in_step": seconds,
                    }
                )
            for page, reader in opened:
                await page.ws.close()
                reader.cancel()
        mib = 1024 * 1024
        for r in results:
            before, peak, after = (value / mib for value in r["rss"])
            print(
                f"{r['phase']:8} RSS {before:.0f} -> peak {peak:.0f} -> {after:.0f} MiB | "
                f"{r['resyncs']} resyncs, first {r['first']:.2f}s after Redis was back, spread "
                f"{r['spread']:.2f}s, busiest second {r['busiest']} | resync round trip p50 "
                f"{r['latency'][0]:.1f} ms p99 {r['latency'][1]:.1f} ms mean {r['mean']:.1f} ms | "
                f"all {args.pages} pages in step {r['in_step']:.2f}s after"
            )
    finally:
        server.terminate()
        server.wait(10)
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
