"""Helpers of the dev server's browser tests: the server under test, file edits, the frame."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import FrameLocator, Page, expect

DEMO = Path(__file__).resolve().parents[2] / "devserver" / "demo_project"


class DevServer:
    def __init__(self, url: str, project: Path) -> None:
        self.url = url
        self.project = project
        self.package = project / "cfdev_demo"

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/__cf__/status", timeout=5) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data

    def listed(self) -> set[str]:
        """The names of the components the gallery lists now."""
        with urllib.request.urlopen(f"{self.url}/", timeout=5) as response:
            return set(re.findall(r'class="cf-card" data-name="([^"]+)"', response.read().decode()))

    def wait_for_component(self, name: str) -> None:
        """Wait until the gallery lists the component *name* (its files written, reloaded with
        no error): a version change alone may be the reload of a template written first."""
        self.wait_until(lambda s: not s["errors"] and name in self.listed(), f"{name} loaded")

    def wait_until(self, ready: Any, what: str, timeout: float = 20.0) -> None:
        """Poll the server until ``ready(status)`` (the timeout only stops a hung test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready(self.status()):
                return
            time.sleep(0.05)
        raise AssertionError(f"the dev server never got to: {what}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stage(page: Page) -> FrameLocator:
    """The preview frame the playground shows the component in."""
    return page.frame_locator("#cf-frame")


def open_playground(page: Page, name: str, query: str = "") -> None:
    page.goto(f"/components/{name}{query}")
    # Live: the reload channel is connected, so no save can be missed from here on.
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    stage(page).locator("[data-cf-component][data-cf-ready]").wait_for(state="attached")
    expect(page.locator("body")).to_have_attribute("data-dev-frame", "ready")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def fire(page: Page, event: str, payload: str) -> None:
    page.select_option("#cf-event-name", event)
    page.fill("#cf-event-payload", payload)
    page.click("#cf-event-fire")
