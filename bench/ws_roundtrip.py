"""WebSocket: event round trip and ``push_update`` fan-out, against raw Starlette floors.

Uses the server of ``http_roundtrip.py`` (one uvicorn process on loopback) and the
``websockets`` client in this process.

* Event round trip: one connection sends the counter's increment message and waits for the
  reply, one at a time; p50/p99 of ``WS /cf/ws`` against a raw Starlette WebSocket endpoint
  doing the same work inline (``/floor-ws``). Rounds alternate between the two.
* Fan-out: 1,000 connections subscribe to one component (with its signed token); the server's
  ``push_update`` sends one update to all of them. Measured from the trigger until the last
  connection has the update, against a raw Starlette loop sending the same text to 1,000
  sockets (``/floor-push``).

``--before DIR`` also runs the component side on a second server importing the package from
another checkout, interleaved with the rest: before and after in one run.

Run:  python bench/ws_roundtrip.py [--events 2000] [--rounds 3] [--connections 1000] [--before DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from http_roundtrip import KEY, counter_message, start_server
from websockets.asyncio.client import ClientConnection, connect

from component_framework.core.signing import Signer

from _servers import free_port  # isort: skip (bench/ on sys.path)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def round_trips(url: str, message: dict[str, Any], count: int) -> list[float]:
    """Latencies (ms) of *count* sequential request/reply pairs on one connection."""
    latencies = []
    async with connect(url, max_size=None) as ws:
        for i in range(count):
            text = json.dumps({**message, "ref": i})
            started = time.perf_counter()
            await ws.send(text)
            reply = json.loads(await ws.recv())
            latencies.append((time.perf_counter() - started) * 1000)
            if reply.get("type") != "component_update":
                raise RuntimeError(f"unexpected reply: {reply}")
    return latencies


async def fan_out(base: str, ws_path: str, push_path: str, n: int, rounds: int) -> dict[str, Any]:
    """Open *n* sockets, subscribe them, trigger *rounds* pushes; time until all have each."""
    signer = Signer([KEY])
    component_id = "component-bench"
    token = signer.subscription_token("counter", component_id)
    sockets: list[ClientConnection] = []
    for _ in range(n):
        sockets.append(await connect(base.replace("http", "ws") + ws_path, max_size=None))
    if ws_path == "/cf/ws":
        subscribe = json.dumps({"type": "subscribe", "component_id": component_id, "token": token})
        await asyncio.gather(*(ws.send(subscribe) for ws in sockets))
        replies = await asyncio.gather(*(ws.recv() for ws in sockets))
        assert all(json.loads(r)["type"] == "subscribed" for r in replies)
    else:
        await asyncio.sleep(0.2)  # let the floor register every socket
    state = {"count": 1, "items": [f"item {i}" for i in range(50)]}
    html = "<div>" + "".join(f"<li>{item}</li>" for item in state["items"]) + "</div>"
    totals, server = [], []
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(rounds):
            receivers = [asyncio.ensure_future(ws.recv()) for ws in sockets]
            started = time.perf_counter()
            response = await client.post(
                push_path, json={"component_id": component_id, "html": html, "state": state}
            )
            await asyncio.gather(*receivers)
            totals.append((time.perf_counter() - started) * 1000)
            result = response.json()
            if result["sent"] != n:
                raise RuntimeError(f"push reached {result['sent']} of {n} sockets")
            server.append(result["server_seconds"] * 1000)
    await asyncio.gather(*(ws.close() for ws in sockets))
    return {"total_ms": statistics.median(totals), "server_ms": statistics.median(server)}


async def bench(args: argparse.Namespace) -> None:
    port = free_port()
    servers = [start_server(port)]
    base = f"http://127.0.0.1:{port}"
    sides = {"floor": (base, "/floor-ws"), "component": (base, "/cf/ws")}
    if args.before:
        before_port = free_port()
        servers.append(start_server(before_port, args.before.resolve()))
        sides["before: component"] = (f"http://127.0.0.1:{before_port}", "/cf/ws")
    message = counter_message()
    try:
        latencies: dict[str, list[float]] = {side: [] for side in sides}
        for host, path in sides.values():
            await round_trips(host.replace("http", "ws") + path, message, 100)  # warm up
        for _ in range(args.rounds):
            for side, (host, path) in sides.items():
                url = host.replace("http", "ws") + path
                latencies[side] += await round_trips(url, message, args.events)
        print(f"WebSocket event round trip, {args.rounds} x {args.events} sequential events")
        print(f"{'side':<18} {'p50 ms':>8} {'p99 ms':>8}")
        for side, values in latencies.items():
            print(f"{side:<18} {pct(values, 0.5):>8.3f} {pct(values, 0.99):>8.3f}")
        for side in sides:
            if side != "floor":
                ratio = pct(latencies[side], 0.5) / pct(latencies["floor"], 0.5)
                print(f"{side} / floor p50: {ratio:.2f}x")

        print(f"\npush fan-out to {args.connections} subscribed connections, median of {args.fan}")
        fans = {"floor": (base, "/floor-fan", "/floor-push")}
        for side, (host, _) in sides.items():
            if side != "floor":
                fans[side] = (host, "/cf/ws", "/push")
        rows = {}
        for side, (host, ws_path, push_path) in fans.items():
            rows[side] = await fan_out(host, ws_path, push_path, args.connections, args.fan)
        print(f"{'side':<18} {'all have it ms':>15} {'server send ms':>15}")
        for side, row in rows.items():
            print(f"{side:<18} {row['total_ms']:>15.1f} {row['server_ms']:>15.1f}")
        for side, row in rows.items():
            if side != "floor":
                ratio = row["total_ms"] / rows["floor"]["total_ms"]
                print(f"{side} / floor (all have it): {ratio:.2f}x")
    finally:
        for server in servers:
            server.terminate()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--fan", type=int, default=10, help="pushes to time")
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
