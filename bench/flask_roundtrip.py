"""The counter event served by Flask under gunicorn, against a plain Flask view.

One gunicorn worker (threaded, ``-k gthread``) serves one Flask app with both endpoints; the
load generator of ``http_roundtrip.py`` (``wrk`` when installed) hits them alternately, several
rounds each:

* ``floor``: a plain Flask view doing the same work inline -- ``json.loads`` the message and
  the state, add 1, render the same Jinja template (a counter with a 50-item list), reply JSON.
* ``component``: ``POST /cf/event`` of ``component_framework.flask`` (``Components(app)``) with
  the same counter (a ``def`` handler: it runs in the server's own thread): content-type and
  header checks, core's message path (validation, HMAC verify, payload check, render,
  canonical dump, sign), JSON reply.

Reported: requests/s, p50/p99 latency and the worker's CPU per request (medians over rounds),
and the ratio component/floor of requests/s (target: >= 0.8x).

Run:  python bench/flask_roundtrip.py [--duration 5] [--rounds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask, Response, request
from http_roundtrip import counter_message, ensure_wrk, floor_work, load, measure

from _counter import KEY, bench_registry, renderer  # isort: skip (bench/ on sys.path)
from component_framework.core.signing import Signer
from component_framework.flask import Components

from _servers import free_port, start, stop  # isort: skip (bench/ on sys.path)

app = Flask(__name__)
Components(app, registry=bench_registry, signer=Signer([KEY]), sockets=False)
_template = renderer.environment.get_template("counter.html")


@app.post("/floor")
def floor() -> Response:
    """The same work as the component endpoint, inline: parse, add, render, reply."""
    reply = floor_work(request.get_data(), _template)
    return Response(json.dumps(reply), mimetype="application/json")


def start_server(port: int) -> tuple[subprocess.Popen[bytes], Any]:
    """gunicorn with one threaded worker; returns it and its worker (whose CPU is measured)."""
    command = [
        sys.executable, "-m", "gunicorn", "flask_roundtrip:app", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--threads", "8", "--workers", "1", "--log-level", "warning",
    ]  # fmt: skip
    server = start(command, port, cwd=Path(__file__).parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the master listens before its worker is forked
        try:
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
            return server, SimpleNamespace(pid=int(children.split()[0]))
        except (OSError, IndexError, ValueError):
            time.sleep(0.05)
    stop(server)
    raise RuntimeError("gunicorn started no worker")


def main() -> None:
    parser = argparse.ArgumentParser(description="Flask counter event vs a plain Flask view")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--duration", type=int, default=5, help="seconds per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    tool = ensure_wrk()
    port = args.port or free_port()
    server, worker = start_server(port)
    body = json.dumps(counter_message())
    base = f"http://127.0.0.1:{port}"
    sides = {"floor": "/floor", "component": "/cf/event"}
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    try:
        for path in sides.values():  # warm up, and check every side answers 200
            load(base + path, body, 1, args.connections, tool)
        for _ in range(args.rounds):
            for side, path in sides.items():
                results[side].append(measure(worker, base + path, body, args, tool))
    finally:
        server.terminate()
        server.wait()
    print(f"load: {tool}, {args.connections} connections, {args.rounds} x {args.duration}s")
    print(f"{'side':<12}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'cpu us/req':>12}")
    for side, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99", "cpu")}
        print(
            f"{side:<12}{med['rps']:>10.0f}{med['p50']:>9.2f}{med['p99']:>9.2f}{med['cpu']:>12.0f}"
        )
    ratios = [
        c["rps"] / f["rps"] for c, f in zip(results["component"], results["floor"], strict=True)
    ]
    print(
        f"component/floor req/s: {statistics.median(ratios):.2f}x "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )


if __name__ == "__main__":
    main()
