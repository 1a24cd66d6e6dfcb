"""Insert one item into a streamed list of 10,000 against a list of 10: reply bytes and time.

One message (``core.protocol.handle_message``: read, verify the signed state, run the handler,
render, sign the reply) inserting one item, measured for four components side by side,
interleaved in one process so machine noise hits them alike:

* ``stream, 10`` and ``stream, 10000``: a component with a stream (``core.streams``); the
  page holds the items, the state only a count. The issue's target: time <= 1.2x, bytes about
  one item's HTML whatever the length.
* ``ids, 10`` and ``ids, 10000``: the same stream with the items' ids kept in the state (what
  a component that must know its items pays).
* ``state, 10`` and ``state, 2000``: the list in the state, every item rendered by the
  template (the way without streams); 10,000 such items pass the 512 KB state limit, and the
  message is refused.

Run:  python bench/streams.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
from typing import Any, ClassVar

import jinja2

from component_framework.core import Component, ComponentRegistry
from component_framework.core.config import AppConfig
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import handle_message, signed_message
from component_framework.core.signing import Signer
from component_framework.core.streams import Stream

ITEM = '<li id="{{ dom_id }}"><b>{{ item.author }}</b> {{ item.text }}</li>'
TEMPLATES = {
    "stream.html": '<div><p>{{ state.count }} messages</p><ul cf-stream="messages">'
    "{{ streams.messages }}</ul></div>",
    "state.html": "<div><p>{{ state.count }} messages</p><ul>{% for m in state.messages %}"
    '<li id="messages-{{ m.id }}"><b>{{ m.author }}</b> {{ m.text }}</li>{% endfor %}</ul></div>',
    "item.html": ITEM,
}
renderer = JinjaRenderer(loader=jinja2.DictLoader(TEMPLATES))
registry = ComponentRegistry()


def message(n: int) -> dict[str, Any]:
    return {"id": n, "author": "ada", "text": f"message number {n}, with a few words"}


@registry.register("stream")
class Streamed(Component):
    template_name = "stream.html"
    renderer = renderer
    streams: ClassVar[dict[str, Stream]] = {"messages": Stream("item.html")}

    def on_send(self) -> None:
        self.state["count"] += 1
        self.stream_insert("messages", message(self.state["count"]))


@registry.register("ids")
class WithIds(Streamed):
    def on_send(self) -> None:
        super().on_send()
        self.state["ids"].append(self.state["count"])


@registry.register("state")
class InState(Component):
    template_name = "state.html"
    renderer = renderer

    def on_send(self) -> None:
        self.state["count"] += 1
        self.state["messages"].append(message(self.state["count"]))


def state_for(kind: str, length: int) -> dict[str, Any]:
    if kind == "stream":
        return {"count": length}
    if kind == "ids":
        return {"count": length, "ids": list(range(1, length + 1))}
    return {"count": length, "messages": [message(n) for n in range(1, length + 1)]}


LENGTHS = [("stream", 10), ("stream", 10_000), ("ids", 10), ("ids", 10_000)]
LENGTHS += [("state", 10), ("state", 2_000), ("state", 10_000)]


async def main(rounds: int) -> None:
    signer = Signer(["bench-secret-key-0123456789abcdef"])
    config = AppConfig(registry=registry, signer=signer)
    cases = {
        (kind, length): signed_message(
            kind, "send", {}, state_for(kind, length), component_id="c1", config=config
        )
        for kind, length in LENGTHS
    }
    times: dict[tuple[str, int], list[float]] = {case: [] for case in cases}
    sizes: dict[tuple[str, int], int] = {}
    refused: dict[tuple[str, int], str] = {}
    order = list(cases)
    for n in range(rounds + 10):
        # Each round starts with another case: none pays more than its share of the noise.
        for case in order[n % len(order) :] + order[: n % len(order)]:
            msg = cases[case]
            gc.collect()  # the garbage of the case before is not this one's to collect
            start = time.perf_counter()
            reply = await handle_message(msg, config=config)
            elapsed = time.perf_counter() - start
            if n >= 10:  # the first rounds warm up (templates compile, caches fill)
                times[case].append(elapsed)
            sizes[case] = len(json.dumps(reply).encode())
            if reply["type"] != "component_update":
                refused[case] = reply["code"]
    print(f"{'case':<16}{'reply bytes':>12}{'median ms':>11}{'p90 ms':>9}")
    for case in cases:
        ts = sorted(times[case])
        print(
            f"{case[0] + ', ' + str(case[1]):<16}{sizes[case]:>12,}"
            f"{statistics.median(ts) * 1000:>11.3f}{ts[int(len(ts) * 0.9)] * 1000:>9.3f}"
            + (f"  refused: {refused[case]}" if case in refused else "")
        )
    for kind, length in (("stream", 10_000), ("ids", 10_000), ("state", 2_000)):
        small, large = (kind, 10), (kind, length)
        ratio = statistics.median(times[large]) / statistics.median(times[small])
        print(
            f"{kind}: {length:,} vs 10: time {ratio:.2f}x, bytes {sizes[large] / sizes[small]:.2f}x"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    asyncio.run(main(parser.parse_args().rounds))
