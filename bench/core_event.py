"""Per-event cost of a counter component against the floor of doing the same work inline.

Three pairs are measured side by side in one process, interleaved so machine noise hits both:

* ``dispatch``: state JSON in, hydrate, handler, Jinja render of a template with a 50-item
  list, dehydrate, JSON out -- against ``json.loads`` + ``template.render`` + ``json.dumps``.
* ``message, def``: the whole message path (``core.protocol.handle_message``: read and check
  the message, then in one worker-thread hop for the ``def`` handler: verify the HMAC of
  canonical JSON, validate the payload, run, render, sign) -- against the same JSON parse, HMAC
  verify, render, canonical dump, HMAC sign and one ``asyncio.to_thread`` hop written inline.
* ``message, async def``: the same with the handler declared ``async def`` (the whole message
  on the event loop) -- against the same inline work without the hop.

``--before DIR`` compares this tree with another checkout of the package (``git worktree`` or
``git archive``) in one run: the benchmark runs in child processes, alternately importing the
package from DIR and from this tree, ``--repeat`` times each; the medians of both are shown
with their ratio (after / before).

Run:  python bench/core_event.py [--rounds 5000] [--before DIR --repeat 5]
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
from _compare import add_compare_options, compare, print_comparison
from _counter import KEY, Counter, bench_registry, renderer

from component_framework.core.protocol import handle_message, signed_message
from component_framework.core.signing import Signer

PAIRS = ("dispatch", "message, def", "message, async def")


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


async def floor_message_inline(raw: str, template: jinja2.Template) -> str:
    message = json.loads(raw)
    return json.dumps(_floor_work(message, template))


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


async def measure(rounds: int) -> dict[str, dict[str, float]]:
    """Medians in microseconds: ``{pair: {"floor": us, "framework": us}}``."""
    signer = Signer([KEY], release="1")
    template = renderer.environment.get_template("counter.html")
    first = Counter(component_id="c1").dispatch()
    state_json = json.dumps(first["state"])
    samples: dict[str, tuple[list[float], list[float]]] = {p: ([], []) for p in PAIRS}

    for _ in range(rounds // 10):  # warm-up
        floor_dispatch(state_json, template)
        framework_dispatch(state_json)
    floor, framework = samples["dispatch"]
    for _ in range(rounds):
        floor.append(_time(floor_dispatch, state_json, template))
        framework.append(_time(framework_dispatch, state_json))

    for pair, event, floor_fn in (
        ("message, def", "increment", floor_message),
        ("message, async def", "increment_async", floor_message_inline),
    ):
        state = first["state"]
        raw = json.dumps(
            signed_message("counter", event, {}, state, component_id="c1", signer=signer)
        )
        assert json.loads(await framework_message(raw, signer))["type"] == "component_update"
        for _ in range(rounds // 10):
            await floor_fn(raw, template)
            await framework_message(raw, signer)
        floor, framework = samples[pair]
        for _ in range(rounds):
            floor.append(await _atime(floor_fn, raw, template))
            framework.append(await _atime(framework_message, raw, signer))
    return {
        pair: {"floor": statistics.median(f), "framework": statistics.median(w)}
        for pair, (f, w) in samples.items()
    }


def report(medians: dict[str, dict[str, float]]) -> None:
    for pair, m in medians.items():
        ratio = m["framework"] / m["floor"]
        print(
            f"{pair:<19} floor median {m['floor']:8.1f} us   framework median "
            f"{m['framework']:8.1f} us   ratio {ratio:5.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5000)
    add_compare_options(parser)
    args = parser.parse_args()
    if args.before:
        print_comparison(compare(__file__, args), "us")
        return 0
    medians = asyncio.run(measure(args.rounds))
    if args.json:
        print(json.dumps(medians))
        return 0
    print(f"python {sys.version.split()[0]}, {args.rounds} rounds each, interleaved")
    report(medians)
    return 0


if __name__ == "__main__":
    sys.exit(main())
