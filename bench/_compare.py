"""Before/after in one run: a benchmark in child processes, alternately on two checkouts.

A benchmark that measures in its own process (``core_event.py``) cannot hold two versions of
the package at once; with ``--before DIR`` it runs itself in child processes instead, each
importing the package from DIR (before) or from this tree (after), alternating ``--repeat``
times, so the machine's noise lands on both alike. Each child prints its medians as JSON; the
figures shown are the medians over the children.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

THIS_TREE = Path(__file__).resolve().parent.parent

Medians = dict[str, dict[str, float]]


def add_compare_options(parser: argparse.ArgumentParser) -> None:
    """``--before DIR``, ``--repeat N`` and ``--json`` (what each child prints)."""
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--repeat", type=int, default=5, help="children per checkout")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")


def _child(script: str, tree: Path, argv: list[str]) -> Medians:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, script, *argv, "--json"],
        env=env,
        cwd=Path(script).parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    medians: Medians = json.loads(out.strip().splitlines()[-1])
    return medians


def compare(script: str, args: argparse.Namespace) -> dict[str, Medians]:
    """``{"before": medians, "after": medians}``, each the median over its children."""
    argv = list(sys.argv[1:])
    for flag in ("--before", "--repeat"):
        if flag in argv:
            at = argv.index(flag)
            del argv[at : at + 2]
    runs: dict[str, list[Medians]] = {"before": [], "after": []}
    for _ in range(args.repeat):
        runs["before"].append(_child(script, args.before.resolve(), argv))
        runs["after"].append(_child(script, THIS_TREE, argv))
    return {side: _median_of(children) for side, children in runs.items()}


def _median_of(children: list[Medians]) -> Medians:
    return {
        pair: {side: statistics.median(c[pair][side] for c in children) for side in row}
        for pair, row in children[0].items()
    }


def print_comparison(results: dict[str, Any], unit: str) -> None:
    """One line per pair and side: before, after, after / before, and the ratio to the floor."""
    before, after = results["before"], results["after"]
    print(f"{'pair':<19} {'side':<10} {'before':>10} {'after':>10} {'after/before':>13}")
    for pair, row in after.items():
        for side, value in row.items():
            old = before[pair][side]
            ratio = value / old
            print(f"{pair:<19} {side:<10} {old:>8.1f}{unit} {value:>8.1f}{unit} {ratio:>12.2f}x")
        if "floor" in row:
            old_ratio = before[pair]["framework"] / before[pair]["floor"]
            new_ratio = row["framework"] / row["floor"]
            print(f"{'':<19} {'/ floor':<10} {old_ratio:>9.2f}x {new_ratio:>9.2f}x")
