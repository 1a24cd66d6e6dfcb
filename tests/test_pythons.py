"""The Python versions the package claims are the ones its test command runs the suite on."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tested() -> list[str]:
    # scripts/test runs the whole suite on its own Python and, through this script, the suite
    # without browser tests on every other supported version on the machine.
    listing = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "other_pythons.py"), "--list"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return [line.split()[0] for line in listing.splitlines()]


def _project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, object] = tomllib.load(file)["project"]
    return project


def test_classifiers_list_exactly_the_tested_versions() -> None:
    prefix = "Programming Language :: Python :: 3."
    classifiers = _project()["classifiers"]
    assert isinstance(classifiers, list)
    claimed = [c.removeprefix("Programming Language :: Python :: ") for c in classifiers]
    claimed = [c for c, full in zip(claimed, classifiers, strict=True) if full.startswith(prefix)]
    tested = _tested()
    assert claimed == tested, f"classifiers {claimed}, tested here {tested}"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in tested
    assert _project()["requires-python"] == f">={tested[0]}"
