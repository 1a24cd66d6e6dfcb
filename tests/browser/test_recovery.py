"""An open page with typed input survives a server restart: new release, new key, new code.

A real uvicorn serves a small notes app from a file of its own; the test types into the page,
stops the server, rewrites the app (new code), starts it again on the same port with another
release and, in one test, another key, keeps typing and submits. Nothing typed is lost:

- a new release under the same key: the page remounts the component from its signed mount
  parameters, without a reload (a marker set in the page's JavaScript survives);
- a new key: the server can verify nothing the page holds, so the page reloads once and its
  controls get back what was typed;
- a server-held state gone with the process: a remount, as for a new release;
- a live page under a new key: its socket reconnects, its subscription is refused, and it
  reloads by itself before the user does anything;
- a new cf.js on the server: the page reloads when the user leaves the control.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests._net import free_port

from .conftest import ROOT, TIMEOUT_MS, _wait_for

pytestmark = pytest.mark.browser

APP = '''
import jinja2
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.state import InMemoryStateStore
from component_framework.web import ComponentApp

RELEASE_OF_THE_CODE = "{code}"
NOTE = """<form cf-submit="save">
  <p data-testid="code">code {{{{ code }}}}, list {{{{ state.list }}}}</p>
  <label>Title <input name="title" value="{{{{ state.title }}}}" cf-model="title"></label>
  <label>Body <textarea name="body">{{{{ state.body }}}}</textarea></label>
  <button>Save</button>
  <p data-testid="saved">{{{{ state.saved }}}}</p>
</form>"""
registry = ComponentRegistry()
renderer = JinjaRenderer(loader=jinja2.DictLoader({{"note.html": NOTE}}))


@registry.register("note")
class Note(Component):
    template_name = "note.html"
    renderer = renderer

    def mount(self):
        super().mount()
        self.state.update(list=self.params["list"], title="", body="", saved="")

    def on_field_change(self, field: str, value: str):
        self.state[field] = value

    def on_save(self, form_data: dict[str, str]):
        self.state["saved"] = f"saved: {{form_data['title']}} / {{form_data['body']}}"

    def get_context(self):
        return {{**super().get_context(), "code": RELEASE_OF_THE_CODE}}


@registry.register("held_note")
class HeldNote(Note):
    state_store = InMemoryStateStore()  # gone with the process


@registry.register("live_note")
class LiveNote(Note):
    live = True  # subscribes over the WebSocket, again after each reconnect


components = ComponentApp(registry=registry)
pages = jinja2.Environment(autoescape=True)
components.install_jinja(pages)
PAGE = pages.from_string({page!r})


def page(request):
    return HTMLResponse(PAGE.render(request=request, name=request.query_params.get("c", "note")))


app = Starlette(routes=[Route("/", page), components.mount()])
'''

CF_SCRIPTS = "{{ cf_scripts() }}"
OLD_SCRIPT = '<script src="/cf/cf.js?v=an-older-cf-js" defer data-cf-base="/cf"></script>'
KEY = "recovery-browser-tests-key-0123456789"


class Server:
    """The notes app under uvicorn on one port, stopped and started again with other code."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(
        self, *, code: str, key: str = KEY, release: str = "1", script: str = CF_SCRIPTS
    ) -> None:
        page = f"<!doctype html><html><body>{{{{ component(name, list=7) }}}}{script}</body></html>"
        source = APP.format(code=code, page=page)
        (self.folder / "notes_app.py").write_text(source, encoding="utf-8")
        env = {**os.environ, "CF_SECRET_KEY": key, "CF_RELEASE": release}
        env["PYTHONPATH"] = os.pathsep.join([str(self.folder), str(ROOT)])
        command = [sys.executable, "-m", "uvicorn", "notes_app:app", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--log-level", "warning"], cwd=self.folder, env=env
        )
        _wait_for(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    yield running
    running.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_notes(page: Page, server: Server, component: str = "note") -> None:
    page.goto(f"{server.url}/?c={component}")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads


def type_then_restart(page: Page, server: Server, component: str = "note", **new: str) -> None:
    """Open the page, type into it, then restart the server with the *new* code and settings."""
    open_notes(page, server, component)
    page.get_by_label("Title").fill("Groceries")
    expect(page.locator("[data-cf-component]")).not_to_have_attribute("data-cf-loading", "")
    page.get_by_label("Body").fill("milk")
    server.stop()
    server.start(**{"code": "2", **new})


def save_and_check(page: Page) -> None:
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("saved")).to_have_text("saved: Groceries for Sunday / milk, eggs")
    expect(page.get_by_test_id("code")).to_have_text("code 2, list 7")  # the new code's render
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_new_release_remounts_under_the_open_page_and_nothing_typed_is_lost(
    page: Page, server: Server
) -> None:
    server.start(code="1")
    type_then_restart(page, server, release="2")  # a deploy: new code and release, same key

    page.get_by_label("Title").fill("Groceries for Sunday")  # refused: stale; recovered
    expect(page.get_by_test_id("code")).to_have_text("code 2, list 7")  # remounted, list=7 kept
    page.get_by_label("Body").fill("milk, eggs")
    save_and_check(page)
    assert page.evaluate("window.sameDocument") is True  # no reload was needed


def test_a_new_key_reloads_the_open_page_once_and_nothing_typed_is_lost(
    page: Page, server: Server
) -> None:
    server.start(code="1")
    # The key changed with no fallback (a development key deleted, a rotation done wrong):
    # the server can verify nothing the page holds, neither its state nor its mount parameters.
    type_then_restart(page, server, key="another-key-entirely-0123456789", release="2")

    page.get_by_label("Title").fill("Groceries for Sunday")
    page.wait_for_function("() => window.cf && window.sameDocument === undefined")  # reloaded
    expect(page.get_by_label("Title")).to_have_value("Groceries for Sunday")
    expect(page.get_by_label("Body")).to_have_value("milk")
    page.get_by_label("Body").fill("milk, eggs")
    save_and_check(page)


def test_a_stored_state_gone_with_the_server_remounts_and_nothing_typed_is_lost(
    page: Page, server: Server
) -> None:
    server.start(code="1")
    type_then_restart(page, server, "held_note")  # same key and release: the stored state is gone

    page.get_by_label("Title").fill("Groceries for Sunday")
    expect(page.get_by_test_id("code")).to_have_text("code 2, list 7")
    page.get_by_label("Body").fill("milk, eggs")
    save_and_check(page)
    assert page.evaluate("window.sameDocument") is True


def test_a_page_running_another_cf_js_reloads_when_the_user_leaves_the_control(
    page: Page, server: Server
) -> None:
    server.start(code="1", script=OLD_SCRIPT)  # the page an older deploy rendered
    type_then_restart(page, server)

    page.get_by_label("Title").fill("Groceries for Sunday")
    expect(page.locator("[data-cf-component]")).not_to_have_attribute("data-cf-loading", "")
    assert page.evaluate("window.sameDocument") is True  # not while the user types in it
    page.get_by_label("Body").focus()
    page.get_by_label("Body").blur()
    page.wait_for_function("() => window.cf && window.sameDocument === undefined")
    expect(page.get_by_label("Title")).to_have_value("Groceries for Sunday")
    expect(page.get_by_label("Body")).to_have_value("milk")
    page.get_by_label("Body").fill("milk, eggs")
    save_and_check(page)


def test_a_live_page_under_a_new_key_recovers_as_its_socket_reconnects(
    page: Page, server: Server
) -> None:
    server.start(code="1")
    open_notes(page, server, "live_note")
    expect(page.locator("[data-cf-component]")).to_have_attribute("data-cf-subscribed", "")
    page.get_by_label("Body").fill("milk")
    page.get_by_label("Title").fill("Groceries for Sunday")
    expect(page.locator("[data-cf-component]")).not_to_have_attribute("data-cf-loading", "")
    server.stop()
    server.start(code="2", key="another-key-entirely-0123456789")

    # Nothing typed since: the reconnect's subscription is refused, and the page reloads.
    page.wait_for_function("() => window.cf && window.sameDocument === undefined")
    expect(page.locator("[data-cf-component]")).to_have_attribute("data-cf-subscribed", "")
    expect(page.get_by_label("Title")).to_have_value("Groceries for Sunday")
    expect(page.get_by_label("Body")).to_have_value("milk")
    page.get_by_label("Body").fill("milk, eggs")
    save_and_check(page)
