"""Event-loop time a hostile 1 MB message costs before it is refused, or before its worker hop.

A message near the 1 MB limit whose payload is many small objects (the costliest to walk) is
sent for an unknown component, an unknown event, and an event of a known ``def`` handler.
Cheap checks run first (size, JSON, shape, names), so the unknown ones are refused after the
JSON decode alone; for the known sync event, the loop does only that decode and the names
(``read_message``): the payload walk, state check and validation run in the worker thread.

Run:  python bench/message_checks.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time

from _counter import KEY, bench_registry

from component_framework.core import protocol
from component_framework.core.signing import Signer


def hostile(component: str, event: str) -> bytes:
    items = [{"a": i, "b": "x"} for i in range(46_000)]
    message = {"type": "component_event", "component": component, "event": event}
    message["payload"] = {"items": items}
    raw = json.dumps(message, separators=(",", ":")).encode()
    assert len(raw) < 1024 * 1024, len(raw)
    return raw


async def main(rounds: int) -> int:
    signer = Signer([KEY])
    cases = {
        "unknown component": hostile("nobody", "increment"),
        "unknown event": hostile("counter", "nothing"),
    }
    size = len(cases["unknown event"])
    print(f"python {sys.version.split()[0]}, {rounds} rounds, message of {size:,} bytes")
    for name, raw in cases.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            reply = await protocol.handle_message(raw, registry=bench_registry, signer=signer)
            times.append((time.perf_counter() - started) * 1000)
            assert reply["code"] in ("unknown_component", "unknown_event"), reply
        print(f"{name:<34} {statistics.median(times):7.1f} ms of event-loop time")
    # The cheap part alone where it exists; the old all-on-the-loop parse otherwise.
    read = getattr(protocol, "read_message", None) or protocol.parse_message
    raw = hostile("counter", "increment")
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        # The old all-on-the-loop parse may refuse the payload (its depth, its types).
        with contextlib.suppress(Exception):
            read(raw, registry=bench_registry)
        times.append((time.perf_counter() - started) * 1000)
    label = "def handler, loop part of the check"
    print(f"{label:<34} {statistics.median(times):7.1f} ms of event-loop time")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    sys.exit(asyncio.run(main(parser.parse_args().rounds)))
