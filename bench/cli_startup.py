"""Whole-process wall time of ``cf`` commands against ``python -c "import typer"``.

Each round runs every command once, interleaved, so machine noise hits the floor and the
commands alike; the figures are medians over the rounds, and ratios are command / floor. Both
wall time and CPU time (user + system of the process) are shown: on a machine busy with other
jobs the CPU time is the steadier figure.
Commands run in examples/project (a [tool.cf] project with a counter component).

Run:  python bench/cli_startup.py [--rounds 21]
Targets: ``cf --version`` <= 1.3x the floor, ``cf dispatch counter increment`` <= 2.5x.
A reference row shows what importing typer, the core and Jinja2 alone costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent / "examples" / "project"


def _cf() -> str:
    beside = Path(sys.executable).with_name("cf")
    found = str(beside) if beside.exists() else shutil.which("cf")
    if not found:
        sys.exit("cf is not installed: pip install -e .")
    return found


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run *argv* once; return (wall seconds, CPU seconds of the process)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{argv} exited with {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    cf = _cf()
    commands = {
        'floor: python -c "import typer"': [sys.executable, "-c", "import typer"],
        # What any command that runs a component must load: typer, the core and Jinja2.
        "reference: import typer + core + jinja": [
            sys.executable,
            "-c",
            "import typer, component_framework.core.protocol, component_framework.core.jinja",
        ],
        "cf --version": [cf, "--version"],
        "cf registry list": [cf, "registry", "list"],
        "cf dispatch counter increment": [cf, "dispatch", "counter", "increment"],
        "cf dispatch counter increment --json": [cf, "dispatch", "counter", "increment", "--json"],
    }
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("CF_APP", None)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    # Measure an installed package: a wheel install byte-compiles it, an editable one does not,
    # and with PYTHONDONTWRITEBYTECODE set Python would recompile it on every start.
    package = Path(__file__).resolve().parent.parent / "component_framework"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-x",
            "scaffolds/.*/template",
            str(package),
            str(PROJECT),
        ],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    for argv in commands.values():  # warm the file cache once
        subprocess.run(argv, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, check=True)
    for _ in range(args.rounds):
        for name, argv in commands.items():
            wall, used = _run(argv, env)
            times[name].append(wall)
            cpu[name].append(used)
    floor = statistics.median(next(iter(times.values())))
    cpu_floor = statistics.median(next(iter(cpu.values())))
    print(
        f"{'command':40s} {'wall':>9s} {'ratio':>7s} {'cpu':>9s} {'ratio':>7s}"
        f"   ({args.rounds} rounds)"
    )
    for name, values in times.items():
        median = statistics.median(values)
        used = statistics.median(cpu[name])
        print(
            f"{name:40s} {median * 1000:7.0f}ms {median / floor:6.2f}x"
            f" {used * 1000:7.0f}ms {used / cpu_floor:6.2f}x"
        )


if __name__ == "__main__":
    main()
