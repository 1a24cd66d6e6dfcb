"""Per-event cost of a counter component against the floor of doing the same work inline.

Two pairs are measured side by side in one process, interleaved so machine noise hits both:

* ``dispatch``: state JSON in, hydrate, handler, Jinja render of a template with a 50-item
  list, dehydrate, JSON out -- against ``json.loads`` + ``template.render`` + ``json.dumps``.
* ``message``: the whole message path (``core.protocol.handle_message``: read and check the
  message, then in one worker-thread hop for the ``def`` handler: verify the HMAC of canonical
  JSON, validate the payload, run, render, sign) -- against the same JSON parse, HMAC verify,
  render, canonical dump, HMAC sign and one ``asyncio.to_thread`` hop written inline.

Run:  python bench/core_event.py [--rounds 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import sys
import time
from typing import Any

import jinja2
from _counter import KEY, Counter, bench_registry, renderer

from component_framework.core.protocol import handle_message, signed_message
from component_framework.core.signing import Signer


def floor_dispatch(state_json: str, template: jinja2.Template) -> str:
    state = json.loads(state_json)
    state["count"] += 1
    html = template.render({"state": state, "errors": {}, "component_id": "c1", "slots": {}})
    return json.dumps({"html": html, "state": state})


def framework_dispatch(state_json: str) -> str:
    state = json.loads(state_json)
    result = Counter(component_id="c1").dispatch("increment", {}, state)
    return json.dumps(result)


def _floor_work(message: dict[str, Any], template: jinja2.Template) -> dict[str, Any]:
    state_json = message["state"]
    head = json.dumps(["counter", message["component_id"], "1"], separators=(",", ":"))
    envelope = f"{head[:-1]},{state_json}]".encode()
    expected = "1:" + hmac.new(KEY.encode(), envelope, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, message["checksum"]):
        raise ValueError("bad checksum")
    state = json.loads(state_json)
    state["count"] += 1
    html = template.render({"state": state, "errors": {}, "component_id": "c1", "slots": {}})
    new_json = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    envelope = f"{head[:-1]},{new_json}]".encode()
    checksum = "1:" + hmac.new(KEY.encode(), envelope, hashlib.sha256).hexdigest()
    return {"type": "component_update", "html": html, "state": new_json, "checksum": checksum}


async def floor_message(raw: str, template: jinja2.Template) -> str:
    message = json.loads(raw)
    reply = await asyncio.to_thread(_floor_work, message, template)
    return json.dumps(reply)


async def framework_message(raw: str, signer: Signer) -> str:
    reply = await handle_message(raw, registry=bench_registry, signer=signer)
    return json.dumps(reply)


def _time(fn: Any, *args: Any) -> float:
    start = time.perf_counter_ns()
    fn(*args)
    return (time.perf_counter_ns() - start) / 1000


async def _atime(fn: Any, *args: Any) -> float:
    start = time.perf_counter_ns()
    await fn(*args)
    return (time.perf_counter_ns() - start) / 1000


def _report(name: str, floor: list[float], framework: list[float]) -> float:
    f, w = statistics.median(floor), statistics.median(framework)
    ratio = w / f
    print(
        f"{name:<9} floor median {f:8.1f} us   framework median {w:8.1f} us   ratio {ratio:5.2f}x"
    )
    return ratio


async def main(rounds: int) -> int:
    signer = Signer([KEY], release="1")
    template = renderer.environment.get_template("counter.html")
    first = Counter(component_id="c1").dispatch()
    state_json = json.dumps(first["state"])

    floor_d, frame_d = [], []
    for _ in range(rounds // 10):  # warm-up
        floor_dispatch(state_json, template)
        framework_dispatch(state_json)
    for _ in range(rounds):
        floor_d.append(_time(floor_dispatch, state_json, template))
        frame_d.append(_time(framework_dispatch, state_json))

    raw = json.dumps(
        signed_message("counter", "increment", {}, first["state"], component_id="c1", signer=signer)
    )
    assert json.loads(await framework_message(raw, signer))["type"] == "component_update"
    floor_m, frame_m = [], []
    for _ in range(rounds // 10):
        await floor_message(raw, template)
        await framework_message(raw, signer)
    for _ in range(rounds):
        floor_m.append(await _atime(floor_message, raw, template))
        frame_m.append(await _atime(framework_message, raw, signer))

    print(f"python {sys.version.split()[0]}, {rounds} rounds each, interleaved")
    worst = max(_report("dispatch", floor_d, frame_d), _report("message", floor_m, frame_m))
    print(f"target <= 1.30x: {'met' if worst <= 1.3 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5000)
    sys.exit(asyncio.run(main(parser.parse_args().rounds)))
