"""What happens when every worker thread is busy: cheap events behind slow sync handlers.

In one process, the thread limit is set to ``--limit`` (``set_thread_limit``) and that many
messages with a slow ``def`` handler (``time.sleep(--slow)``, a stand-in for a slow database
call) are started; while they hold every thread, one cheap ``async def`` event and one cheap
``def`` event are sent. Reported: the latency of each cheap event, against the same events on
an idle server. The async event runs on the event loop and is not delayed; the sync one waits
for a free thread, about the remaining time of the slow handlers.

Run:  python bench/thread_limit.py [--limit 4] [--slow 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from _counter import KEY, bench_registry

from component_framework.core import Component
from component_framework.core.protocol import handle_message
from component_framework.core.signing import Signer
from component_framework.core.threads import set_thread_limit

SLOW = 0.5


@bench_registry.register("slow")
class Slow(Component):
    """A component whose ``def`` handler blocks (a slow query)."""

    template_name = "counter.html"
    renderer = bench_registry.get("counter").renderer  # type: ignore[union-attr]

    def mount(self) -> None:
        super().mount()
        self.state.update(count=0, items=[])

    def on_query(self) -> None:
        time.sleep(SLOW)


async def timed(message: dict[str, Any], signer: Signer) -> float:
    started = time.perf_counter()
    reply = await handle_message(message, registry=bench_registry, signer=signer)
    assert reply["type"] == "component_update", reply
    return (time.perf_counter() - started) * 1000


async def main(limit: int) -> int:
    signer = Signer([KEY])
    set_thread_limit(limit)
    cheap_async = {"component": "counter", "event": "increment_async"}
    cheap_sync = {"component": "counter", "event": "increment"}
    idle_async = await timed(cheap_async, signer)  # warm-up: threads started, imports done
    idle_async = await timed(cheap_async, signer)
    idle_sync = await timed(cheap_sync, signer)
    slow = [
        asyncio.create_task(timed({"component": "slow", "event": "query"}, signer))
        for _ in range(limit)
    ]
    await asyncio.sleep(0.05)  # every thread now sleeps in on_query
    busy_async, busy_sync = await asyncio.gather(
        timed(cheap_async, signer), timed(cheap_sync, signer)
    )
    await asyncio.gather(*slow)
    print(f"python {sys.version.split()[0]}, thread limit {limit}, slow handlers {SLOW:.2f} s")
    print(f"{'cheap event':<22} {'idle ms':>9} {'all threads busy ms':>20}")
    print(f"{'async def (loop)':<22} {idle_async:>9.2f} {busy_async:>20.2f}")
    print(f"{'def (worker thread)':<22} {idle_sync:>9.2f} {busy_sync:>20.2f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=4)
    parser.add_argument("--slow", type=float, default=0.5, help="seconds each slow handler takes")
    options = parser.parse_args()
    SLOW = options.slow
    sys.exit(asyncio.run(main(options.limit)))
