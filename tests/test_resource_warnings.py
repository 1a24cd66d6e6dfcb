"""A resource a test leaves for the garbage collector fails the suite, on every Python version.

The suite turns warnings into errors (pyproject.toml), and pytest reports what a finalizer
raised: in the test running when the resource is collected, or at the end of the session
(a connection in a reference cycle waits for the cycle collector). Either way the run fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LEAKS = {
    "file": """
def test_leak(tmp_path):
    open(tmp_path / "f", "w")  # never closed
""",
    # Python 3.13 warns about an unclosed SQLite connection; earlier versions close it silently.
    "sqlite": """
import sqlite3

def test_leak():
    sqlite3.connect(":memory:").execute("SELECT 1")  # never closed
""",
}

CLOSED = """
import sqlite3
from contextlib import closing

def test_closed(tmp_path):
    with open(tmp_path / "f", "w"):
        pass
    with closing(sqlite3.connect(":memory:")) as db:
        db.execute("SELECT 1")
"""


def _pytest(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_case.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_case.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


@pytest.mark.parametrize(
    "kind",
    [
        "file",
        pytest.param(
            "sqlite",
            marks=pytest.mark.skipif(
                sys.version_info < (3, 13), reason="no ResourceWarning for SQLite before 3.13"
            ),
        ),
    ],
)
def test_an_unclosed_resource_fails_the_run(tmp_path: Path, kind: str) -> None:
    result = _pytest(tmp_path, LEAKS[kind])
    assert result.returncode == 1, result.stdout
    assert "ResourceWarning: unclosed" in result.stdout + result.stderr


def test_closed_resources_pass(tmp_path: Path) -> None:
    result = _pytest(tmp_path, CLOSED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
