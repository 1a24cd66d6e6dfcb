"""``cf dev`` on a copy of tests/devserver/demo_project, for the dev server's browser tests.

The dev server runs through the real command line (``cf dev --port PORT``) in a subprocess, on
a copy made for this session; tests edit that copy, never the repository, and every file a test
changes or adds is put back when it finishes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests._net import wait_for_server

from .helpers import DEMO, DevServer, _free_port


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    project = tmp_path_factory.mktemp("devserver") / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("__pycache__"))
    port = _free_port()
    # Through the real command line: `cf dev --port PORT`.
    command = [sys.executable, "-c", "from component_framework.cli import main; main()"]
    server = subprocess.Popen([*command, "dev", "--port", str(port)], cwd=project)
    try:
        wait_for_server(port, server, "The dev server")
        yield DevServer(f"http://127.0.0.1:{port}", project)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def dev(dev_server: DevServer) -> Iterator[DevServer]:
    """The dev server; every file a test changes or adds is put back afterwards."""
    files = {p: p.read_bytes() for p in dev_server.package.rglob("*") if p.is_file()}
    names = dev_server.listed()
    yield dev_server
    version = dev_server.status()["version"]
    changed = False
    for path in list(dev_server.package.rglob("*.py")) + list(dev_server.package.rglob("*.html")):
        if path not in files:
            path.unlink()
            changed = True
    for path, content in files.items():
        if path.read_bytes() != content:
            path.write_bytes(content)
            changed = True
    if changed:
        # Every component back in the gallery and no other: the files may reload in two turns.
        dev_server.wait_until(
            lambda s: s["version"] > version and not s["errors"] and dev_server.listed() == names,
            "the restored files reloaded",
        )


@pytest.fixture
def page(browser: Browser, dev: DevServer) -> Iterator[Page]:
    context = browser.new_context(base_url=dev.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
