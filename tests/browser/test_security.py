"""``cf dev`` against a hostile page, in Chromium: cross-site links refused, the overlay escapes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

FILES = {
    "pyproject.toml": '[tool.cf]\ncomponents = ["lab.components"]\ntemplates = ["lab/templates"]\n',
    "lab/__init__.py": "",
    "lab/components.py": """
        from component_framework.core import Component, registry

        @registry.register("boom")
        class Boom(Component):
            template_name = "boom.html"

            def mount(self):
                super().mount()
                self.state["label"] = self.params.get("label", "calm")

            def on_explode(self, text: str):
                raise RuntimeError(text)
        """,
    "lab/templates/boom.html": '<p id="label">{{ state.label }}</p>',
}
HOSTILE = '<img src="x" onerror="window.pwned = 1">'


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("security") / "lab"
    for relative, source in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    command = [sys.executable, "-c", "from component_framework.cli import main; main()"]
    server = subprocess.Popen(
        [*command, "dev", "--port", str(port), "--no-reload"],
        cwd=root,
        env={**os.environ, "CF_SECRET_KEY": "production-secret-key-0123456789"},
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "cf dev exited"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "cf dev did not listen"
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def click_link_to(page: Page, url: str) -> None:
    """Put a link to *url* in the current page and follow it, as a user would."""
    page.evaluate(
        """url => { const a = document.createElement("a"); a.href = url; a.id = "out";
                    a.textContent = "go"; document.body.append(a); }""",
        url,
    )
    page.click("#out")
    page.wait_for_load_state()


def test_a_cross_site_link_to_the_playground_is_refused(page: Page, port: int) -> None:
    target = f"http://127.0.0.1:{port}/components/boom?params=" + quote(
        json.dumps({"label": "from-attacker"})
    )
    # localhost and 127.0.0.1 are different sites: this page plays the attacker's.
    page.goto(f"http://localhost:{port}/")
    click_link_to(page, target)
    expect(page.locator("h1")).to_have_text("Cross-site request refused")
    assert "from-attacker" not in page.locator("body").inner_text().split("?")[0]
    expect(page.locator("#label")).to_have_count(0)
    # The same link from the dev server's own page works (the component is in its frame).
    page.goto(f"http://127.0.0.1:{port}/")
    click_link_to(page, target)
    expect(page.frame_locator("#cf-frame").locator("#label")).to_have_text("from-attacker")


def test_the_error_overlay_shows_hostile_text_as_text(page: Page, port: int) -> None:
    page.goto(f"http://127.0.0.1:{port}/components/boom")
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    frame = page.frame_locator("#cf-frame")
    frame.locator("[data-cf-component][data-cf-ready]").wait_for(state="attached")
    expect(page.locator("body")).to_have_attribute("data-dev-frame", "ready")
    page.select_option("#cf-event-name", "explode")
    page.fill("#cf-event-payload", json.dumps({"text": HOSTILE}))
    page.click("#cf-event-fire")
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay).to_be_visible()
    expect(overlay.locator(".cf-overlay-message").first).to_contain_text(HOSTILE)
    expect(overlay.locator("img")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
