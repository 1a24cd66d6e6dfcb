"""docs/django.md, docs/fastapi.md, docs/flask.md and docs/litestar.md run as written.

Each page's ``python`` blocks run in order as one script, in a fresh interpreter from the
repository root (a page may build a one-file project, which configures Django once).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["django.md", "fastapi.md", "flask.md", "litestar.md", "templates.md"]


def python_blocks(text: str) -> list[str]:
    """The ``python`` fenced blocks of a Markdown page, in order."""
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_as_written(page: str, tmp_path: Path) -> None:
    blocks = python_blocks((ROOT / "docs" / page).read_text(encoding="utf-8"))
    assert blocks, f"docs/{page} has no python block"
    script = tmp_path / page.replace(".md", "_page.py")
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "CF_SECRET_KEY")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
