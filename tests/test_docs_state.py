"""docs/state.md: its python blocks run, in order, as a reader would paste them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from component_framework.core import state as state_module

DOC = Path(__file__).parent.parent / "docs" / "state.md"


def test_python_blocks_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cf_defaults: None
) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 4
    namespace: dict[str, object] = {"__name__": "docs_state"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert state_module.get_default_store() is None  # a block went back to the page
