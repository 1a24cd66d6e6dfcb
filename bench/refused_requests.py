"""What refused requests cost a server: memory held afterwards, and the stall a second client sees.

One uvicorn process serves the bench counter through ``ComponentApp``. The attacker sends
requests a server must refuse, each about 0.9 MB (a checksum whose release part is 0.9 MB, the
shape that used to be cached before its signature was checked; an unknown 0.9 MB component
name). Reported:

* ``held``: the server's resident memory after 20 refused requests, minus before (MiB).
* ``stall``: the latency of a second client's small events, alone and while the attacker sends
  refused requests back to back (p50, p99, max, in ms).

Run:  python bench/refused_requests.py [--seconds 5]

Figures (2-core machine shared with other jobs, Python 3.11.7, 5 s per side), before the
hardening of issue 11 -> after:

* held: 35.6-37.3 MiB -> -0.7 MiB (nothing).
* second client under attack: p50 10.0 -> 9.5 ms, p99 797.7 -> 35.8 ms, max 797.7 -> 37.9 ms
  (before, each unknown 0.9 MB component name ran difflib on the loop for about 0.6 s).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _counter import KEY, bench_registry

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
BIG = 900_000


def serve(port: int) -> None:
    import logging

    import uvicorn
    from starlette.applications import Starlette

    from component_framework.web import ComponentApp

    # Every refusal logs a warning; a thousand of them would bury the figures.
    logging.getLogger("component_framework").setLevel(logging.ERROR)
    components = ComponentApp(registry=bench_registry, secret_key=KEY)
    app = Starlette(routes=[components.mount()])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")


def post(port: int, body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/cf/event", body, HEADERS)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def hostile_bodies(reply: dict[str, object]) -> list[bytes]:
    base = {
        "type": "component_event",
        "component": "counter",
        "component_id": reply["component_id"],
        "event": "increment",
        "payload": {},
        "state": reply["state"],
    }
    forged = [
        json.dumps({**base, "checksum": f"{i:04d}" + "r" * BIG + ":" + "0" * 64}).encode()
        for i in range(20)
    ]
    unknown = [json.dumps({"component": f"{i:04d}" + "c" * BIG}).encode() for i in range(20)]
    return forged + unknown


def latencies(port: int, body: bytes, seconds: float, stop: threading.Event) -> list[float]:
    found = []
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stop.is_set():
        started = time.perf_counter()
        status, _ = post(port, body)
        assert status == 200, status
        found.append((time.perf_counter() - started) * 1000)
    return found


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "CF_SECRET_KEY": KEY}
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env)
    try:
        while True:
            try:
                status, raw = post(port, b'{"component": "counter"}')
                break
            except OSError:
                time.sleep(0.05)
        reply = json.loads(raw)
        event = json.dumps(
            {**reply, "type": "component_event", "component": "counter", "event": "increment"}
        ).encode()
        bodies = hostile_bodies(reply)
        post(port, bodies[0])  # whatever a first refused request allocates once
        before = rss_mib(server.pid)
        for body in bodies[1:21]:
            status, _ = post(port, body)
            assert status in (403, 404), status
        held = rss_mib(server.pid) - before
        print(f"held after 20 refused 0.9 MB requests: {held:.1f} MiB (RSS)")

        alone = latencies(port, event, args.seconds, threading.Event())
        stop = threading.Event()

        def attack() -> None:
            while not stop.is_set():
                for body in bodies:
                    post(port, body)

        attacker = threading.Thread(target=attack, daemon=True)
        attacker.start()
        attacked = latencies(port, event, args.seconds, threading.Event())
        stop.set()
        attacker.join()
        print(f"second client alone:        {summary(alone)}")
        print(f"second client under attack: {summary(attacked)}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
