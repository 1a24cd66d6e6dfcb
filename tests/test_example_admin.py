"""examples/admin (the back office): its own tests pass, run as its README says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_admin_examples_tests_pass() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CF_APP", "ADMIN_DB")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT / "examples" / "admin",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "11 passed" in result.stdout
