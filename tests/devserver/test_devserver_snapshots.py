"""``cf snapshot``: story HTML in files, and the generated test that compares against them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent / "demo_project"


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # No CF_SECRET_KEY, as on a developer's machine: an offline tool needs none, and says nothing.
    env = {k: v for k, v in os.environ.items() if k != "CF_SECRET_KEY"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    return subprocess.run(
        [sys.executable, *args], cwd=project, capture_output=True, text=True, timeout=120, env=env
    )


def _cf(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(project, "-c", "from component_framework.cli import main; main()", *args)


def test_snapshots_are_written_and_the_generated_test_catches_a_change(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("__pycache__"))
    written = _cf(project, "snapshot")
    assert written.returncode == 0, written.stdout + written.stderr
    assert "wrote: tests/snapshots/counter/busy.html" in written.stdout
    # Normal output, the summary included, is on stdout (docs/cli.md); stderr stays empty.
    assert "5 written, 0 unchanged, 0 failed" in written.stdout
    assert written.stderr == ""
    busy = (project / "tests" / "snapshots" / "counter" / "busy.html").read_text()
    assert '<b class="count">40</b>' in busy
    assert (project / "tests" / "test_snapshots.py").is_file()

    pytest_args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_snapshots.py"]
    assert _run(project, *pytest_args).returncode == 0
    again = _cf(project, "snapshot", "--check")
    assert again.returncode == 0 and "0 out of date, 5 unchanged" in again.stdout
    assert again.stderr == ""

    template = project / "cfdev_demo" / "templates" / "counter.html"
    template.write_text(template.read_text().replace('class="count"', 'class="total"'))
    failed = _run(project, *pytest_args)
    assert failed.returncode == 1
    assert "counter/busy renders differently from its snapshot" in failed.stdout
    assert '+<div class="counter"><span class="label">Count</span>: <b class="total">40</b>' in (
        failed.stdout
    )
    stale = _cf(project, "snapshot", "--check")
    assert (
        stale.returncode == 1 and "out of date: tests/snapshots/counter/busy.html" in stale.stdout
    )

    accepted = _cf(project, "snapshot")
    assert accepted.returncode == 0 and "3 written, 2 unchanged" in accepted.stdout
    assert _run(project, *pytest_args).returncode == 0
