"""This project as a user installs it: a wheel, a wheelhouse of its dependencies, fresh venvs.

The wheelhouse holds this project's wheel, every wheel it installs, what a project made by
``cf new project`` installs for its tests and builds with, and the older project that shares
the import name. The wheel is built in every test session (with uv, whose cache keeps the
build environment); the other wheels are downloaded from the configured package index once per
Python version and set of requirements, and kept for later sessions (:func:`build_wheelhouse`).
Every install after that uses ``--no-index --find-links``, so what a test installs is exactly
what the wheel declares.

The tutorial runs as a reader runs it: :func:`tutorial_script` turns docs/tutorial.md into one
bash script (each ``bash`` block as typed, each file block written where the text says, and
``python -m pytest`` after every step once the project exists).
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "OLDER",
    "ROOT",
    "TutorialRun",
    "Venv",
    "build_wheelhouse",
    "make_venv",
    "offline_env",
    "tutorial_script",
]

ROOT = Path(__file__).resolve().parent.parent
OLDER = "component-framework==0.6.0"  # the older project with the same import name
_SCAFFOLD = ROOT / "component_framework" / "scaffolds" / "project" / "template"
_FENCE = re.compile(r"^(`{3,})([^\n`]*)\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
_STEP = re.compile(r"^## (\d+)\. ", re.MULTILINE)


def _pip(*args: str, cwd: Path | None = None) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{result.stderr[-3000:]}")


def build_wheelhouse(folder: Path) -> Path:
    """Build this project's wheel into *folder* with everything installs need; return it.

    The downloads depend only on the Python version and the requirements, so they are kept in
    ``CACHE`` under a key of both: a session whose requirements did not change links them
    instead of asking the index again (a minute of network waits otherwise).
    """
    folder.mkdir(parents=True, exist_ok=True)
    built = subprocess.run(
        [sys.executable, "-m", "uv", "build", "--wheel", "--quiet", "--out-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if built.returncode != 0:
        raise RuntimeError(f"building the wheel failed:\n{built.stderr[-3000:]}")
    (wheel,) = folder.glob("cf_components-*.whl")
    with (_SCAFFOLD / "pyproject.toml.jinja").open("rb") as file:
        project = tomllib.load(file)  # its [[ placeholders ]] sit inside TOML strings
    needed = [
        *project["build-system"]["requires"],
        *project["project"]["optional-dependencies"]["test"],
        "editables",  # what hatchling asks for to build an editable install (pip install -e)
    ]
    for path in _downloads(wheel, needed).iterdir():
        if path.name != ".complete":
            shutil.copy(path, folder / path.name)
    return wheel


CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cf-components-tests"
"""Where :func:`build_wheelhouse` keeps the wheels it downloaded, one folder per key."""


def _downloads(wheel: Path, needed: list[str]) -> Path:
    """The folder of every wheel *wheel* and *needed* install, and the older project."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    requires = sorted(re.findall(r"^Requires-Dist: (.*)$", metadata, re.MULTILINE))
    key = "\n".join([sys.version, sys.platform, *requires, *needed, OLDER])
    cached = CACHE / f"wheelhouse-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if (cached / ".complete").exists():
        return cached
    partial = cached.with_name(f"{cached.name}.{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    _pip("download", "--dest", str(partial), str(wheel), *needed)
    _pip("download", "--no-deps", "--dest", str(partial), OLDER)
    (partial / wheel.name).unlink(missing_ok=True)  # built afresh in every session
    (partial / ".complete").write_text(key)
    try:
        partial.rename(cached)
    except OSError:  # another session on this machine kept the same downloads first
        shutil.rmtree(partial)
    return cached


def offline_env(wheelhouse: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell whose pip installs only from *wheelhouse*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CF_", "PIP_", "VIRTUAL"))}
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONDONTWRITEBYTECODE="1",
        **extra,
    )
    env.pop("PYTHONPATH", None)
    return env


@dataclass(frozen=True)
class Venv:
    """A virtual environment made for a test."""

    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> str:
        return str(self.bin / "python")

    def run(
        self, *args: str, cwd: Path, env: dict[str, str], timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run a command of this venv (``cf``, ``python``, ...) with the venv first on PATH."""
        env = {**env, "PATH": f"{self.bin}{os.pathsep}{env.get('PATH', '')}"}
        env["VIRTUAL_ENV"] = str(self.path)
        command = [str(self.bin / args[0]), *args[1:]]
        return subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )


@dataclass
class TutorialRun:
    """docs/tutorial.md, run from an empty folder as a reader runs it (tests/_wheel.py)."""

    folder: Path
    returncode: int
    output: str

    @property
    def project(self) -> Path:
        return self.folder / "todo"

    @property
    def venv(self) -> Venv:
        return Venv(self.folder / ".venv")

    def step(self, number: str) -> str:
        """The output of step *number*."""
        return self.output.partition(f"::step {number}::")[2].partition("::step ")[0]


def make_venv(path: Path, wheelhouse: Path, *requirements: str, pip: bool = True) -> Venv:
    """A fresh venv at *path* with *requirements* installed from *wheelhouse* alone."""
    options = [] if pip else ["--without-pip"]
    subprocess.run([sys.executable, "-m", "venv", *options, str(path)], check=True, timeout=300)
    venv = Venv(path)
    if requirements:
        installed = subprocess.run(
            [sys.executable, "-m", "pip", "--python", venv.python, "install", "-q", *requirements],
            env=offline_env(wheelhouse),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if installed.returncode != 0:
            raise RuntimeError(f"installing {requirements} failed:\n{installed.stderr[-3000:]}")
    return venv


def tutorial_script(markdown: str) -> str:
    """docs/tutorial.md as one bash script: its steps in order, tests after each step.

    ``bash`` blocks run as typed, except ``bash serve`` blocks (they start a server: the
    browser test runs that part). A block marked ``from=examples/todo/PATH`` is a file the
    reader writes at PATH in the project. After each step, once the project exists, its tests
    run; ``::step N::`` and ``::passed N::`` lines mark the progress in the output.
    """
    lines = ["set -euo pipefail"]
    starts = [(m.start(), m.group(1)) for m in _STEP.finditer(markdown)]
    for index, (start, step) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(markdown)
        lines.append(f"echo '::step {step}::'")
        for match in _FENCE.finditer(markdown, start, end):
            info = match.group(2).split()
            body = match.group(3)
            if not info:
                continue
            shown = next((o.removeprefix("from=") for o in info if o.startswith("from=")), None)
            if shown is not None:
                target = shown.removeprefix("examples/todo/")
                lines.append(f"mkdir -p {shlex.quote(str(Path(target).parent))}")
                lines.append(
                    f"cat > {shlex.quote(target)} <<'CF_TUTORIAL_EOF'\n{body}CF_TUTORIAL_EOF"
                )
            elif info[0] == "bash" and "serve" not in info[1:]:
                lines.append(body)
        lines.append("if [ -f pyproject.toml ]; then python -m pytest -q -p no:cacheprovider; fi")
        lines.append(f"echo '::passed {step}::'")
    return "\n".join(lines) + "\n"
