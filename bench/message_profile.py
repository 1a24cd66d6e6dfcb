"""Where the time of one message goes: each step of the message path, timed on its own.

The counter of ``core_event.py`` (a 50-item list, Jinja2), one event with a ``def`` handler
and one with an ``async def`` handler. Each step is timed alone, many times, interleaved
(medians, microseconds): decoding the JSON body, reading the message (shape, names, handler),
checking it (permissions, payload limits, HMAC verify and state decode, payload validation),
running the component (instantiate, hydrate, handler, render, dehydrate), the render alone,
building and signing the reply (canonical JSON, size check, HMAC), encoding it for the wire, the
worker-thread hop of a ``def`` handler, and core's HTTP layer around the message path (header
checks, the body read from ASGI ``receive`` under the body timeout, the reply encoded) with the
timer of that timeout alone. The whole path is timed too.

Run:  python bench/message_profile.py [--rounds 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _counter import KEY, Counter, bench_registry

from component_framework.core._http import AsgiBody, RequestHead, event_reply
from component_framework.core._json import wire_bytes
from component_framework.core._message import check_message, load_message, read_message
from component_framework.core._reply import update_reply
from component_framework.core.config import AppConfig
from component_framework.core.protocol import handle_message, signed_message
from component_framework.core.signing import Signer
from component_framework.core.threads import run_sync

HEAD = RequestHead("application/json", True, None)


async def _timed(step: Callable[[], Any], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        result = step()
        if isinstance(result, Awaitable):
            await result
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples)


async def profile(event: str, rounds: int) -> dict[str, float]:
    signer = Signer([KEY], release="1")
    config = AppConfig(registry=bench_registry, signer=signer)
    first = Counter(component_id="c1").dispatch()
    message = signed_message("counter", event, {}, first["state"], component_id="c1", signer=signer)
    raw = json.dumps(message).encode()
    decoded = load_message(raw, config.limits)
    checked = check_message(read_message(decoded, config), None, config)
    state = checked.state
    rendered = Counter(component_id="c1")
    rendered.hydrate(dict(first["state"]))
    result = Counter(component_id="c1").dispatch("increment", checked.payload, dict(state or {}))
    reply = update_reply("counter", result, signer, False)

    async def over_http() -> None:
        sent = [False]

        async def receive() -> dict[str, Any]:
            sent[0] = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await event_reply(config, None, HEAD, AsgiBody(receive))

    async def timer() -> None:
        async with asyncio.timeout(30):
            pass

    def run() -> Any:
        component = Counter(component_id="c1")
        if event == "increment":
            return component.dispatch(event, checked.payload, dict(state or {}))
        return component.async_dispatch(event, checked.payload, dict(state or {}))

    steps: dict[str, Callable[[], Any]] = {
        "decode the body (JSON)": lambda: load_message(raw, config.limits),
        "read (shape, names, handler)": lambda: read_message(decoded, config),
        "check (permissions, limits, HMAC, payload)": lambda: check_message(
            read_message(decoded, config), None, config
        ),
        "run (init, hydrate, handler, render)": run,
        "  of which the render": rendered.render,
        "sign the reply (canonical JSON, HMAC)": lambda: update_reply(
            "counter", result, signer, False
        ),
        "encode the reply (wire JSON)": lambda: wire_bytes(reply),
        "worker-thread hop (def only)": lambda: run_sync(int),
        "whole message path (handle_message)": lambda: handle_message(raw, config=config),
        "HTTP layer + message path": over_http,
        "  of which the body timeout's timer": timer,
    }
    medians: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(5):  # interleaved rounds: noise lands on every step alike
        for name, step in steps.items():
            medians[name].append(await _timed(step, rounds // 5))
    return {name: statistics.median(values) for name, values in medians.items()}


async def main(rounds: int) -> None:
    results = {
        "def": await profile("increment", rounds),
        "async def": await profile("increment_async", rounds),
    }
    print(f"{'step (median us)':<44} {'def':>9} {'async def':>10}")
    for name in results["def"]:
        hop = name.startswith("worker-thread")
        mine = results["async def"][name]
        print(f"{name:<44} {results['def'][name]:>9.1f} {'-' if hop else f'{mine:.1f}':>10}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3000)
    asyncio.run(main(parser.parse_args().rounds))
