"""What a page's component root costs with its mount token, against the same root without it.

A page's first render of a component (``{{ component("counter", start=3) }}``) mounts, renders
and signs the state; since pages can recover from a refused state (docs/core.md, "Pages that
outlive their state") it also signs the mount parameters with the component id
(``data-cf-mount``). Both sides render the bench counter (a 50-item list) through the same
``component_root``, interleaved in one process; the floor is a component with
``remountable = False``, which gets no mount token: the ratio is what the token adds.

Run:  python bench/page_root.py [--rounds 3000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _counter import KEY, Counter, bench_registry

from component_framework.core._markup import component_root
from component_framework.core.config import AppConfig
from component_framework.core.signing import Signer


@bench_registry.register("counter_without_mount_token")
class Unmountable(Counter):
    remountable = False


def per_root(name: str, config: AppConfig, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        component_root(name, None, params={"start": 3}, config=config, endpoint="/cf")
    return (time.perf_counter() - started) / rounds * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    config = AppConfig(registry=bench_registry, signer=Signer([KEY]))
    sides = {"floor (no mount token)": "counter_without_mount_token", "with mount token": "counter"}
    for name in sides.values():
        per_root(name, config, args.rounds // 10)  # warm up
    times: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(args.repeat):
        for side, name in sides.items():
            times[side].append(per_root(name, config, args.rounds))
    floor = statistics.median(times["floor (no mount token)"])
    for side, samples in times.items():
        median = statistics.median(samples)
        print(f"{side:24} {median:8.1f}us  {median / floor:5.2f}x")


if __name__ == "__main__":
    main()
