"""The web package's public API is exactly its ``__all__``."""

from __future__ import annotations

import component_framework.web as web


def test_all_lists_every_public_name() -> None:
    public = {name for name in vars(web) if not name.startswith("_")}
    assert sorted(web.__all__) == sorted(public - {"annotations"})
    for name in web.__all__:
        assert getattr(web, name) is not None


def test_web_imports_no_devserver_or_cli() -> None:
    import subprocess
    import sys

    code = (
        "import sys, component_framework.web; "
        "print([m for m in sys.modules if m.startswith(('component_framework.cli', "
        "'component_framework.devserver', 'uvicorn', 'watchfiles', 'copier'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
