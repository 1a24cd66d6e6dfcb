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

Run:  python bench/ws_roundtrip.py [--events 2000] [--rounds 3] [--connections 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import httpx
from http_roundtrip import KEY, counter_message, free_port, start_server
from websockets.asyncio.client import ClientConnection, connect

from component_framework.core.signing import Signer


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
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    message = counter_message()
    try:
        sides = {"floor": "/floor-ws", "component": "/cf/ws"}
        latencies: dict[str, list[float]] = {side: [] for side in sides}
        for path in sides.values():
            await round_trips(base.replace("http", "ws") + path, message, 100)  # warm up
        for _ in range(args.rounds):
            for side, path in sides.items():
                url = base.replace("http", "ws") + path
                latencies[side] += await round_trips(url, message, args.events)
        print(f"WebSocket event round trip, {args.rounds} x {args.events} sequential events")
        print(f"{'side':<10} {'p50 ms':>8} {'p99 ms':>8}")
        for side, values in latencies.items():
            print(f"{side:<10} {pct(values, 0.5):>8.3f} {pct(values, 0.99):>8.3f}")
        ratio = pct(latencies["component"], 0.5) / pct(latencies["floor"], 0.5)
        print(f"component / floor p50: {ratio:.2f}x")

        print(f"\npush fan-out to {args.connections} subscribed connections, median of {args.fan}")
        floor = await fan_out(base, "/floor-fan", "/floor-push", args.connections, args.fan)
        ours = await fan_out(base, "/cf/ws", "/push", args.connections, args.fan)
        print(f"{'side':<10} {'all have it ms':>15} {'server send ms':>15}")
        for side, row in (("floor", floor), ("component", ours)):
            print(f"{side:<10} {row['total_ms']:>15.1f} {row['server_ms']:>15.1f}")
        print(f"component / floor (all have it): {ours['total_ms'] / floor['total_ms']:.2f}x")
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--fan", type=int, default=10, help="pushes to time")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
