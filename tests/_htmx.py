"""htmx from the npm registry, for the browser tests of htmx interop.

``npm pack`` fetches the published package once into a cache folder; the tests serve its
``dist/htmx.min.js``. Outside CI a machine without npm skips those tests with the reason; in
CI (``CI=true``) that, and a failing download, fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

__all__ = ["HTMX_VERSION", "htmx_script"]

HTMX_VERSION = "2.0.11"
_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cf-tests"


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def htmx_script() -> Path:
    """The path of htmx's ``htmx.min.js`` (``htmx.org`` from npm, fetched on first use)."""
    script = _CACHE / f"htmx-{HTMX_VERSION}.min.js"
    if script.is_file():
        return script
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed: it fetches htmx.org for the htmx tests")
    _CACHE.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        [str(npm), "pack", f"htmx.org@{HTMX_VERSION}", "--pack-destination", str(_CACHE)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if packed.returncode != 0:
        _unavailable(f"npm pack htmx.org@{HTMX_VERSION} failed: {packed.stderr[-500:]}")
    archive = _CACHE / f"htmx.org-{HTMX_VERSION}.tgz"
    with tarfile.open(archive) as tar:
        member = tar.extractfile("package/dist/htmx.min.js")
        assert member is not None, "htmx.org's package has no dist/htmx.min.js"
        script.write_bytes(member.read())
    archive.unlink()
    return script
