"""Installs that coexist: our dependencies resolve beside FastAPI's standard set.

cf is installed into the user's app environment, next to their own tools; an upper pin on a
library they also use (typer: fastapi-cli needs >=0.26.1) breaks their install sooner or later.
pip's resolver decides, from the configured package index, without installing anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SHARED = {"typer", "starlette", "uvicorn", "pydantic", "jinja2", "rich"}


def _dependencies() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def test_no_upper_pins_on_libraries_users_also_depend_on() -> None:
    for line in _dependencies():
        requirement = Requirement(line)
        if requirement.name.lower() in SHARED:
            assert not any(s.operator in ("<", "<=", "==", "~=") for s in requirement.specifier), (
                f"{line!r} caps a library users depend on too"
            )


def test_resolves_beside_fastapi_standard_with_a_new_typer(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            str(report),
            *_dependencies(),
            "fastapi[standard]",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    chosen = {
        item["metadata"]["name"].lower(): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert "fastapi-cli" in chosen
    # Nothing of ours holds typer back: typer 0.29 is what a pin below it used to refuse.
    assert Version(chosen["typer"]) >= Version("0.29"), chosen["typer"]
