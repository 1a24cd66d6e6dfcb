"""HTTP event round trip under uvicorn on loopback: the component endpoint against raw floors.

One uvicorn process serves every endpoint; ``wrk`` (installed through apt-get when missing, else
an asyncio client in this process) hits them in turn, several rounds each, so machine noise
lands on all alike. Two pairs, each a component against the raw Starlette endpoint a user
would otherwise write:

* ``floor, async def``: a raw Starlette ``async def`` endpoint doing the same work inline --
  read the JSON body, ``json.loads`` the message and the state, add 1, render the same Jinja
  template (a counter with a 50-item list), ``json.dumps`` the reply -- against
  ``component, async def``: ``POST /cf/event`` with the handler declared ``async def`` (the
  whole message on the event loop).
* ``floor, def``: the same work in Starlette's threadpool (``run_in_threadpool``, what
  Starlette does for a ``def`` endpoint) against ``component, def``: the handler declared
  ``def`` (the whole message in one worker-thread hop).

The component side also does what the floor does not: header checks, message validation, HMAC
verify, payload validation, canonical dump and signing. Reported: requests/s, p50/p99 latency
and the server's CPU time per request (medians over rounds), and each pair's ratio of
requests/s (target: >= 0.8x).

``--before DIR`` also serves the component sides from another checkout of the package (a
second uvicorn process importing it from DIR), interleaved with the rest: before and after in
one run, against the same floors.

Run:  python bench/http_roundtrip.py [--duration 5] [--rounds 3] [--connections 8] [--before DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from component_framework.core.protocol import signed_message
from component_framework.core.signing import Signer
from component_framework.web import ComponentApp

from _counter import KEY, bench_registry, renderer  # isort: skip (bench/ on sys.path)
from _servers import free_port, start  # isort: skip (bench/ on sys.path)


def floor_work(body: bytes | str, template: jinja2.Template) -> dict[str, Any]:
    """The same work as the component endpoint, inline: parse, add, render, reply."""
    message = json.loads(body)
    state = json.loads(message["state"])
    state["count"] += message["payload"].get("amount", 1)
    context = {"state": state, "errors": {}, "component_id": message["component_id"], "slots": {}}
    html = template.render(context)
    return {"type": "component_update", "html": html, "state": json.dumps(state)}


def build_app() -> tuple[Starlette, ComponentApp]:
    """The bench server: floors (``/floor*``), ``/push`` and the component app at ``/cf``."""
    components = ComponentApp(registry=bench_registry, signer=Signer([KEY]))
    template = renderer.environment.get_template("counter.html")

    async def floor(request: Request) -> Response:
        return JSONResponse(floor_work(await request.body(), template))

    async def floor_threaded(request: Request) -> Response:
        # What Starlette does for a `def` endpoint: the work in its threadpool (anyio).
        body = await request.body()
        return JSONResponse(await run_in_threadpool(floor_work, body, template))

    async def floor_ws(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                text = await websocket.receive_text()
                await websocket.send_text(json.dumps(floor_work(text, template)))
        except WebSocketDisconnect:
            pass

    fan_sockets: list[WebSocket] = []

    async def floor_fan(websocket: WebSocket) -> None:
        await websocket.accept()
        fan_sockets.append(websocket)
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            fan_sockets.remove(websocket)

    async def floor_push(request: Request) -> Response:
        spec = await request.json()
        started = time.perf_counter()
        text = json.dumps({"type": "component_update", **spec})
        await asyncio.gather(*(ws.send_text(text) for ws in fan_sockets))
        return JSONResponse(
            {"sent": len(fan_sockets), "server_seconds": time.perf_counter() - started}
        )

    async def push(request: Request) -> Response:
        spec = await request.json()
        started = time.perf_counter()
        sent = len(components.manager.subscriptions_of(spec["component_id"]))
        await components.push_update(spec["component_id"], spec["html"], spec["state"])
        return JSONResponse({"sent": sent, "server_seconds": time.perf_counter() - started})

    app = Starlette(
        routes=[
            Route("/floor", floor, methods=["POST"]),
            Route("/floor-threaded", floor_threaded, methods=["POST"]),
            WebSocketRoute("/floor-ws", floor_ws),
            Route("/push", push, methods=["POST"]),
            WebSocketRoute("/floor-fan", floor_fan),
            Route("/floor-push", floor_push, methods=["POST"]),
            components.mount(),
        ]
    )
    return app, components


def counter_message(event: str = "increment") -> dict[str, Any]:
    """A signed increment message for a counter, as a page would send it."""
    state = {"count": 0, "items": [f"item {i}" for i in range(50)]}
    return signed_message(
        "counter",
        event,
        {"amount": 1},
        state,
        component_id="component-bench",
        signer=Signer([KEY]),
    )


# ---------- Server process ----------


def start_server(port: int, tree: Path | None = None) -> subprocess.Popen[bytes]:
    """Start this file's ``serve`` command under uvicorn (importing the package from *tree*,
    else from where it is installed); return once it listens."""
    env = {"PYTHONPATH": str(tree)} if tree is not None else None
    command = [sys.executable, __file__, "serve", "--port", str(port)]
    return start(command, port, cwd=Path(__file__).parent, env=env, timeout=20)


def serve(port: int) -> None:
    import uvicorn

    app, _ = build_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ---------- Load generators ----------

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}


def run_wrk(url: str, body: str, duration: int, connections: int) -> dict[str, float]:
    script = "wrk.method = 'POST'\nwrk.body = " + json.dumps(body) + "\n"
    script += "".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in HEADERS.items()
    )
    script += (
        "function response(status, headers, body)\n"
        "  if status ~= 200 then error('HTTP ' .. status) end\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    if "Non-2xx" in out:
        raise RuntimeError(f"non-200 replies from {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": _percentile(out, "50"), "p99": _percentile(out, "99")}


def _percentile(out: str, which: str) -> float:
    match = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not match:
        raise RuntimeError(f"no {which}% latency in wrk output:\n{out}")
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[match.group(2)]
    return float(match.group(1)) * scale  # milliseconds


async def _python_load(url: str, body: str, duration: int, connections: int) -> dict[str, float]:
    host, port, path = re.match(r"http://([^:/]+):(\d+)(/.*)", url).groups()  # type: ignore[union-attr]
    data = body.encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"X-CF-Request: 1\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode() + data
    latencies: list[float] = []
    stop = time.perf_counter() + duration

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.perf_counter() < stop:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))
            length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[int(len(latencies) * 0.99)],
    }


def load(url: str, body: str, duration: int, connections: int, tool: str) -> dict[str, float]:
    if tool == "wrk":
        return run_wrk(url, body, duration, connections)
    return asyncio.run(_python_load(url, body, duration, connections))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process *pid* (Linux), 0.0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    server: subprocess.Popen[bytes], url: str, body: str, args: argparse.Namespace, tool: str
) -> dict[str, float]:
    """One load run; adds the server's CPU time per request in microseconds (``cpu``)."""
    before = cpu_seconds(server.pid)
    result = load(url, body, args.duration, args.connections, tool)
    used = cpu_seconds(server.pid) - before
    result["cpu"] = used / (result["rps"] * args.duration) * 1e6
    return result


def ensure_wrk() -> str:
    """Use wrk; install Debian's package when missing and apt is there; else the Python client."""
    if shutil.which("wrk"):
        return "wrk"
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True)
        if shutil.which("wrk"):
            return "wrk"
    print("wrk not available: using the asyncio load generator (it shares the CPU).")
    return "python"


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP event round trip vs a raw Starlette floor")
    parser.add_argument("command", nargs="?", default="bench", choices=["bench", "serve"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--duration", type=int, default=5, help="seconds per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port)
        return
    tool = ensure_wrk()
    port = args.port or free_port()
    servers = {"": start_server(port)}
    sync_body = json.dumps(counter_message())
    async_body = json.dumps(counter_message("increment_async"))
    base = f"http://127.0.0.1:{port}"
    pairs = [("component, async def", "floor, async def"), ("component, def", "floor, def")]
    sides = {
        "floor, async def": ("", base + "/floor", sync_body),
        "component, async def": ("", base + "/cf/event", async_body),
        "floor, def": ("", base + "/floor-threaded", sync_body),
        "component, def": ("", base + "/cf/event", sync_body),
    }
    if args.before:
        before_port = free_port()
        servers["before"] = start_server(before_port, args.before.resolve())
        before = f"http://127.0.0.1:{before_port}/cf/event"
        sides["before: component, async def"] = ("before", before, async_body)
        sides["before: component, def"] = ("before", before, sync_body)
        pairs += [
            ("before: component, async def", "floor, async def"),
            ("before: component, def", "floor, def"),
            ("component, async def", "before: component, async def"),
            ("component, def", "before: component, def"),
        ]
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    try:
        for _, url, body in sides.values():  # warm up, and check every side answers 200
            load(url, body, 1, args.connections, tool)
        for _ in range(args.rounds):  # interleaved, so noise lands on every side alike
            for side, (server, url, body) in sides.items():
                results[side].append(measure(servers[server], url, body, args, tool))
    finally:
        for process in servers.values():
            process.terminate()
            process.wait()
    print(
        f"load generator: {tool}, {args.connections} connections, {args.rounds} x {args.duration}s"
    )
    print(f"{'side':<30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU/req us':>11}")
    medians = {}
    for side, rows in results.items():
        medians[side] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        m = medians[side]
        print(f"{side:<30} {m['rps']:>9.0f} {m['p50']:>8.2f} {m['p99']:>8.2f} {m['cpu']:>11.0f}")
    for side, floor in pairs:
        ratio = medians[side]["rps"] / medians[floor]["rps"]
        # Each round pairs the sides under the same machine load: the spread of these ratios
        # shows how far the noise moves the medians.
        rounds = sorted(
            c["rps"] / f["rps"] for c, f in zip(results[side], results[floor], strict=True)
        )
        cpu = medians[floor]["cpu"] / medians[side]["cpu"]
        print(
            f"{side} / {floor}: {ratio:.2f}x requests/s ({cpu:.2f}x by CPU time); per round: "
            + ", ".join(f"{r:.2f}" for r in rounds)
        )


if __name__ == "__main__":
    main()
