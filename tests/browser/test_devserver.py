"""``cf dev`` in a real browser: playground, live reload with state kept, the error overlay.

The dev server runs as ``component_framework.devserver.run`` in a subprocess, on a copy of
tests/devserver/demo_project made for this session; tests edit that copy, never the repository,
and put every file back when they finish.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

DEMO = Path(__file__).resolve().parents[1] / "devserver" / "demo_project"

pytestmark = pytest.mark.browser


class DevServer:
    def __init__(self, url: str, project: Path) -> None:
        self.url = url
        self.project = project
        self.package = project / "cfdev_demo"

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/__cf__/status", timeout=5) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data

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


def _wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The dev server exited with code {server.returncode}.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"The dev server did not listen on 127.0.0.1:{port} in {timeout}s.")


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    project = tmp_path_factory.mktemp("devserver") / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("__pycache__"))
    port = _free_port()
    # Through the real command line: `cf dev --port PORT`.
    command = [sys.executable, "-c", "from component_framework.cli import main; main()"]
    server = subprocess.Popen([*command, "dev", "--port", str(port)], cwd=project)
    try:
        _wait_for(port, server)
        yield DevServer(f"http://127.0.0.1:{port}", project)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def dev(dev_server: DevServer) -> Iterator[DevServer]:
    """The dev server; every file a test changes or adds is put back afterwards."""
    files = {p: p.read_bytes() for p in dev_server.package.rglob("*") if p.is_file()}
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
        dev_server.wait_until(
            lambda s: s["version"] > version and not s["errors"], "the restored files reloaded"
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


def open_playground(page: Page, name: str, query: str = "") -> None:
    page.goto(f"/components/{name}{query}")
    # Live: the reload channel is connected, so no save can be missed from here on.
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    page.wait_for_selector("#cf-stage [data-cf-component][data-cf-ready]", state="attached")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def fire(page: Page, event: str, payload: str) -> None:
    page.select_option("#cf-event-name", event)
    page.fill("#cf-event-payload", payload)
    page.click("#cf-event-fire")


def test_gallery_lists_components_and_searches(page: Page) -> None:
    page.goto("/")
    expect(page.locator(".cf-card")).to_have_count(3)
    counter = page.locator('.cf-card[data-name="counter"]')
    expect(counter).to_contain_text("on_increment")
    expect(counter).to_contain_text("basic")
    expect(page.locator('.cf-card[data-name="signup"]')).to_contain_text("form")
    page.fill("#cf-search", "signup")
    expect(counter).to_be_hidden()
    expect(page.locator('.cf-card[data-name="signup"]')).to_be_visible()
    page.fill("#cf-search", "")
    page.select_option("#cf-kind", "form")
    expect(counter).to_be_hidden()
    page.select_option("#cf-kind", "")
    page.click('.cf-card[data-name="counter"] a')
    expect(page.locator("#cf-stage .count")).to_have_text("0")


def test_playground_fires_events_logs_them_and_replays(page: Page) -> None:
    open_playground(page, "counter")
    stage = page.locator("#cf-stage")
    stage.locator("button.increment").click()  # the component's own binding, through cf.js
    expect(stage.locator(".count")).to_have_text("1")
    fire(page, "increment", '{"amount": 5}')
    expect(stage.locator(".count")).to_have_text("6")

    entries = page.locator("#cf-log .cf-log-entry")
    expect(entries).to_have_count(2)
    latest = entries.nth(1)
    expect(latest.locator(".cf-log-event")).to_have_text("increment")
    expect(latest.locator(".cf-diff")).to_have_text("~ count: 1 → 6")
    expect(latest.locator(".cf-log-ms")).to_contain_text(" ms")
    command = (
        'cf dispatch counter increment --state \'{"count":1,"step":1}\' --payload \'{"amount":5}\''
    )
    expect(latest.locator(".cf-copy")).to_have_attribute("data-command", command)
    latest.locator(".cf-copy").click()
    expect(latest.locator(".cf-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == command

    expect(page.locator("#cf-state-json")).to_have_value('{\n  "count": 6,\n  "step": 1\n}')
    page.fill("#cf-state-json", '{"count": 40, "step": 1}')
    page.click("#cf-state-apply")
    expect(stage.locator(".count")).to_have_text("40")
    stage.locator("button.increment").click()
    expect(stage.locator(".count")).to_have_text("41")

    page.click("#cf-replay")  # from the mount state: +1, +5, +1 (the edited state is not replayed)
    expect(page.locator("body")).to_have_attribute("data-dev-replayed", "3")
    expect(stage.locator(".count")).to_have_text("7")
    expect(entries).to_have_count(3)


def test_a_refused_event_shows_its_error(page: Page) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": "lots"}')
    expect(page.locator("#cf-event-error")).to_contain_text("Invalid payload for increment")
    expect(page.locator("#cf-log .cf-failed")).to_have_count(1)


def test_replay_goes_on_past_an_event_that_had_failed(page: Page) -> None:
    open_playground(page, "counter")
    stage = page.locator("#cf-stage")
    fire(page, "increment", '{"amount": 2}')
    expect(stage.locator(".count")).to_have_text("2")
    fire(page, "increment", '{"amount": "lots"}')  # refused: the state stays as it was
    expect(page.locator("#cf-log .cf-failed")).to_have_count(1)
    fire(page, "increment", '{"amount": 3}')
    expect(stage.locator(".count")).to_have_text("5")

    page.click("#cf-replay")
    expect(page.locator("body")).to_have_attribute("data-dev-replayed", "3")
    expect(stage.locator(".count")).to_have_text("5")
    expect(page.locator("#cf-log .cf-log-entry")).to_have_count(3)
    expect(page.locator("#cf-event-error")).to_be_hidden()


def test_mount_params_from_typed_inputs(page: Page) -> None:
    open_playground(page, "counter")
    start = page.locator("#cf-params-fields-start")
    expect(start).to_have_attribute("type", "number")
    start.fill("12")
    expect(page.locator("#cf-params-json")).to_have_value('{\n  "start": 12\n}')
    page.click("#cf-mount")
    expect(page.locator("#cf-stage .count")).to_have_text("12")


def test_a_streaming_event_updates_frame_by_frame_and_is_logged(page: Page) -> None:
    open_playground(page, "countdown")
    fire(page, "run", "{}")
    expect(page.locator("#cf-stage .countdown")).to_have_text("Lift-off!")
    entry = page.locator("#cf-log .cf-log-entry")
    expect(entry).to_have_count(1)
    expect(entry.locator(".cf-diff")).to_have_text("~ left: 3 → 0")


def test_form_fields_are_typed_inputs(page: Page) -> None:
    open_playground(page, "signup")
    expect(page.locator("#cf-form-fields-age")).to_have_attribute("type", "number")
    expect(page.locator("#cf-form-fields-newsletter")).to_have_attribute("type", "checkbox")
    page.fill("#cf-form-fields-name", "Ada")
    page.click("#cf-state-apply")
    fire(page, "submit", '{"form_data": {"name": "Ada", "age": 36}}')
    expect(page.locator("#cf-stage .ok")).to_have_text("Welcome Ada")


def test_template_edit_rerenders_in_place_with_state_kept(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 3}')
    expect(page.locator("#cf-stage .count")).to_have_text("3")
    edit(
        dev.package / "templates" / "counter.html",
        '<b class="count">',
        '<b class="count" data-v="2">',
    )
    expect(page.locator('#cf-stage .count[data-v="2"]')).to_have_text("3")
    expect(page.locator("#cf-dev-overlay")).to_be_hidden()


def test_python_edit_rerenders_with_state_kept(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 4}')
    expect(page.locator("#cf-stage .count")).to_have_text("4")
    edit(dev.package / "components" / "counter.py", 'LABEL = "Count"', 'LABEL = "Total"')
    expect(page.locator("#cf-stage .label")).to_have_text("Total")
    expect(page.locator("#cf-stage .count")).to_have_text("4")
    fire(page, "increment", '{"amount": 1}')  # state signed before the reload still verifies
    expect(page.locator("#cf-stage .count")).to_have_text("5")


def test_a_syntax_error_shows_the_overlay_and_recovers(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 2}')
    expect(page.locator("#cf-stage .count")).to_have_text("2")
    module = dev.package / "components" / "counter.py"
    edit(module, 'LABEL = "Count"', 'LABEL = "Count')
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("SyntaxError")
    expect(overlay.locator(".cf-overlay-where")).to_have_text(f"{module.resolve()}:9")
    edit(module, 'LABEL = "Count', 'LABEL = "Fixed"')
    expect(overlay).to_be_hidden()
    expect(page.locator("#cf-stage .label")).to_have_text("Fixed")
    expect(page.locator("#cf-stage .count")).to_have_text("2")


def test_a_template_error_shows_the_overlay_and_recovers(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 2}')
    # Rendered before the template breaks (else the event itself meets the broken template).
    expect(page.locator("#cf-stage .count")).to_have_text("2")
    template = dev.package / "templates" / "counter.html"
    edit(template, "{{ state.count }}", "{{ state.count }")
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("TemplateSyntaxError")
    expect(overlay.locator(".cf-overlay-where")).to_contain_text("counter.html:1")
    edit(template, "{{ state.count }", "<i>{{ state.count }}</i>")
    expect(overlay).to_be_hidden()
    expect(page.locator("#cf-stage .count i")).to_have_text("2")


def test_an_import_error_in_a_page_opened_later_shows_at_once(page: Page, dev: DevServer) -> None:
    module = dev.package / "components" / "counter.py"
    edit(module, "from typing import Any", "from typing import Any\nimport not_a_module_anywhere")
    dev.wait_until(lambda s: s["errors"], "the import error")
    page.goto("/")
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("not_a_module_anywhere")
    expect(overlay.locator(".cf-overlay-where")).to_have_text(f"{module.resolve()}:6")
    edit(module, "\nimport not_a_module_anywhere", "")
    expect(overlay).to_be_hidden()


def test_a_new_component_appears_in_the_gallery(page: Page, dev: DevServer) -> None:
    page.goto("/")
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    (dev.package / "components" / "badge.py").write_text(
        "from component_framework.core import Component, registry\n\n\n"
        '@registry.register("badge")\n'
        "class Badge(Component):\n"
        '    """A new badge."""\n\n'
        '    template_name = "counter.html"\n'
    )
    card = page.locator('.cf-card[data-name="badge"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text("A new badge.")


def test_state_inspector_shows_and_edits_server_held_state(page: Page, dev: DevServer) -> None:
    version = dev.status()["version"]
    (dev.package / "components" / "vault.py").write_text(
        "from component_framework.core import registry\n"
        "from component_framework.core.state import InMemoryStateStore\n\n"
        "from .counter import Counter\n\n\n"
        '@registry.register("vault")\n'
        "class Vault(Counter):\n"
        '    """A counter whose state stays on the server."""\n\n'
        "    state_store = InMemoryStateStore()\n"
    )
    dev.wait_until(lambda s: s["version"] > version and not s["errors"], "vault loaded")
    open_playground(page, "vault")
    stage = page.locator("#cf-stage")
    root = stage.locator("[data-cf-component]")
    assert json.loads(root.get_attribute("data-cf-state") or "")["component"] == "vault"
    state = page.locator("#cf-state-json")
    expect(state).to_have_value('{\n  "count": 0,\n  "step": 1\n}')
    stage.locator("button.increment").click()
    expect(stage.locator(".count")).to_have_text("1")
    expect(state).to_have_value('{\n  "count": 1,\n  "step": 1\n}')
    page.fill("#cf-state-json", '{"count": 40, "step": 1}')
    page.click("#cf-state-apply")
    expect(stage.locator(".count")).to_have_text("40")
    stage.locator("button.increment").click()
    expect(stage.locator(".count")).to_have_text("41")
    expect(state).to_have_value('{\n  "count": 41,\n  "step": 1\n}')
    held = json.loads(root.get_attribute("data-cf-state") or "")
    assert set(held) == {"component", "id", "version"}  # the page holds no count
    # The event log shows the stored states, not the references the page holds.
    entries = page.locator("#cf-log .cf-log-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).locator(".cf-diff")).to_have_text("~ count: 0 → 1")
    command = "cf dispatch vault increment --state '{\"count\":40,\"step\":1}' --payload '{}'"
    expect(entries.nth(1).locator(".cf-copy")).to_have_attribute("data-command", command)
    page.click("#cf-replay")  # from the mount state, back in the store: +1, +1
    expect(page.locator("body")).to_have_attribute("data-dev-replayed", "2")
    expect(stage.locator(".count")).to_have_text("2")
    expect(state).to_have_value('{\n  "count": 2,\n  "step": 1\n}')
