"""Run the suite without its browser tests on every other supported Python on this machine.

Each version gets a fresh virtual environment (made with uv, from the test extra), and the
versions run at the same time, each in a process of its own, while scripts/test runs the whole
suite on the version it runs with. Exits 1 if any version fails.

    python3 scripts/other_pythons.py [PYTEST ARGS...]   # run them (scripts/test does)
    python3 scripts/other_pythons.py --list             # "3.12 /path/to/python3.12" per version

The supported versions are requires-python's floor (pyproject.toml) up to ``NEWEST``; the
classifiers list the ones found here (tests/test_pythons.py checks it).
"""

from __future__ import annotations

import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWEST = (3, 14)
"""The newest Python release the project supports (tested where it is installed)."""
EXTRAS = ".[test,docs]"
NO_TESTS_SELECTED = 5  # pytest's exit code when nothing was selected
CURRENT = f"{sys.version_info.major}.{sys.version_info.minor}"


def supported() -> list[str]:
    """Every supported version, "3.11" to NEWEST, from requires-python's floor."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        requires = tomllib.load(file)["project"]["requires-python"]
    floor = re.fullmatch(r">=\s*3\.(\d+)", requires.strip())
    if floor is None:
        raise SystemExit(f"requires-python {requires!r} is not '>=3.N'")
    return [f"3.{minor}" for minor in range(int(floor.group(1)), NEWEST[1] + 1)]


def _reports(python: str, version: str) -> bool:
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == version


def find(version: str) -> str | None:
    """A working interpreter of *version*: ``pythonX.Y`` on PATH, else pyenv's newest build."""
    candidates = [shutil.which(f"python{version}")]
    # pyenv's shims answer only for the versions pyenv is set to; its builds all run.
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    builds = glob.glob(f"{root}/versions/{version}.*/bin/python{version}")
    candidates += sorted(builds, key=lambda p: [int(n) for n in re.findall(r"\d+", p)[-3:]])[::-1]
    return next((c for c in candidates if c and _reports(c, version)), None)


def interpreters() -> dict[str, str]:
    """Every supported version found on this machine, with its interpreter."""
    found = {version: find(version) for version in supported()}
    found[CURRENT] = sys.executable
    return {version: path for version, path in sorted(found.items()) if path is not None}


def _run(command: list[str], log: Path, env: dict[str, str] | None = None) -> int:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env).returncode


def run_suite(version: str, python: str, pytest_args: list[str], work: Path) -> tuple[int, str]:
    """Make a fresh environment for *version* and run the suite in it: exit code, report."""
    venv, log = work / f"venv-{version}", work / f"{version}.log"
    uv = [sys.executable, "-m", "uv"]
    quiet = ["--quiet"]
    started = time.monotonic()
    status = _run([*uv, "venv", *quiet, "--seed", "--python", python, str(venv)], log)
    venv_python = str(venv / "bin" / "python")
    if status == 0:
        status = _run([*uv, "pip", "install", *quiet, "--python", venv_python, "-e", EXTRAS], log)
    if status == 0:
        # As scripts/test does for its own version: cf starts compiled in every test.
        compile_package = ["-m", "compileall", "-q", "-x", "scaffolds/.*/template"]
        modules = [str(ROOT / "component_framework"), str(ROOT / "_cf_components.py")]
        _run([venv_python, *compile_package, *modules], log)
        env = {**os.environ, "VIRTUAL_ENV": str(venv)}
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        pytest = [venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        pytest += ["-m", "not browser", f"--basetemp={work / f'tmp-{version}'}", *pytest_args]
        status = _run(pytest, log, env)
        if status == NO_TESTS_SELECTED:  # the selection holds browser tests only
            status = 0
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    title = f"----- Python {version}, suite without browser tests: {minutes}m{seconds:02d}s -----"
    lines = log.read_text(encoding="utf-8", errors="replace").rstrip().splitlines()
    # The whole log when it failed; else pytest's closing line.
    return status, "\n".join([title, *(lines if status != 0 else lines[-1:])])


def main(argv: list[str]) -> int:
    found = interpreters()
    if argv[:1] == ["--list"]:
        for version, path in found.items():
            print(version, path)
        return 0
    others = {v: p for v, p in found.items() if v != CURRENT}
    missing = [v for v in supported() if v not in found]
    if missing:
        print(f"Not on this machine, not tested: Python {', '.join(missing)}", flush=True)
    if not others:
        return 0
    failed = []
    with (
        tempfile.TemporaryDirectory(prefix="cf-pythons-") as folder,
        concurrent.futures.ThreadPoolExecutor(len(others)) as pool,
    ):
        runs = {v: pool.submit(run_suite, v, p, argv, Path(folder)) for v, p in others.items()}
        for version, future in runs.items():
            status, report = future.result()
            print(report, flush=True)
            if status != 0:
                failed.append(version)
    if failed:
        print(f"FAILED on Python {', '.join(failed)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
