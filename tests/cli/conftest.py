"""Fixtures for the cf command line: an in-process runner and the example project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from component_framework.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "project"
ADMIN = EXAMPLE.parent / "admin"


@pytest.fixture
def cf() -> Callable[..., Result]:
    """Run ``cf ARGS...`` in-process: ``cf("registry", "list", input=...)``."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return run


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch, project_state: None) -> Path:
    """Work in examples/project (its imports are undone afterwards)."""
    monkeypatch.chdir(EXAMPLE)
    monkeypatch.delenv("CF_APP", raising=False)
    return EXAMPLE


@pytest.fixture
def admin_example(monkeypatch: pytest.MonkeyPatch, project_state: None, tmp_path: Path) -> Path:
    """Work in examples/admin, its SQLite file in a temporary folder."""
    monkeypatch.chdir(ADMIN)
    monkeypatch.delenv("CF_APP", raising=False)
    monkeypatch.setenv("ADMIN_DB", str(tmp_path / "admin.db"))
    return ADMIN
