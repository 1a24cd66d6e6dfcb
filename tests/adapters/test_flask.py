"""Flask: the example app's events, streams, cf.js, CSRF (Flask-WTF), users (Flask-Login), and
pushes over the WebSocket under real servers (Werkzeug's, and gunicorn processes sharing a real
Redis)."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from werkzeug.serving import make_server

from component_framework.core import Component, ComponentRegistry
from component_framework.core._wsgi_host import background_loop
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.flask import Components
from component_framework.testing import isolated_defaults
from tests._gunicorn import ROOT, serve_gunicorn

from .conftest import csrf_header, example_app

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """The example app (the process-wide defaults and its background loop undone after)."""
    with isolated_defaults():
        # As in its own process: no default renderer, so Components installs the app's.
        set_default_renderer(None)
        with example_app("flask_app") as flask_app:
            try:
                yield flask_app
            finally:
                background_loop().stop()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _root(html: str, name: str) -> dict[str, str]:
    tag = re.search(rf'<div data-cf-component="{name}"[^>]*>', html)
    assert tag, html
    return {k: unescape(v) for k, v in re.findall(r'(data-cf-[a-z-]+)="([^"]*)"', tag.group(0))}


def _message(root: dict[str, str], event: str | None, **payload: Any) -> str:
    return json.dumps(
        {
            "type": "component_event",
            "component": root["data-cf-component"],
            "component_id": root["data-cf-id"],
            "event": event,
            "payload": payload,
            "state": root["data-cf-state"],
            "checksum": root["data-cf-checksum"],
        }
    )


def _page(client: FlaskClient) -> tuple[str, dict[str, str]]:
    """The page's HTML and the headers cf.js sends with every request (the CSRF token)."""
    html = client.get("/").get_data(as_text=True)
    return html, {**HEADERS, **csrf_header(html)}


def test_the_page_renders_components_and_the_script_with_flask_wtfs_token(
    client: FlaskClient,
) -> None:
    html, headers = _page(client)
    assert _root(html, "counter")["data-cf-state"] == '{"count":3}'
    assert "Count: <strong" in html and 'src="/cf/cf.js?v=' in html
    assert set(headers) == {"Content-Type", "X-CF-Request", "X-CSRFToken"}


def test_events_need_the_pages_csrf_token(client: FlaskClient) -> None:
    html, headers = _page(client)
    message = _message(_root(html, "counter"), "increment", amount=2)
    refused = client.post("/cf/event", data=message, headers=HEADERS)
    assert refused.status_code == 400 and b"CSRF token is missing" in refused.data
    reply = client.post("/cf/event", data=message, headers=headers)
    assert reply.status_code == 200
    assert json.loads(reply.get_json()["state"]) == {"count": 5}


def test_def_and_async_def_handlers_and_the_refusals(client: FlaskClient) -> None:
    html, headers = _page(client)
    counter = _root(html, "counter")
    # async def on_increment runs on the background loop, def on_flaky_increment right here.
    assert client.post("/cf/event", data=_message(counter, "increment"), headers=headers).json
    flaky = client.post("/cf/event", data=_message(counter, "flaky_increment"), headers=headers)
    assert flaky.status_code == 500 and "database" not in flaky.get_data(as_text=True)
    tampered = _message({**counter, "data-cf-state": '{"count":1000}'}, "increment")
    assert client.post("/cf/event", data=tampered, headers=headers).status_code == 403
    plain = client.post(
        "/cf/event",
        data=_message(counter, "increment"),
        headers={**headers, "Content-Type": "text/plain"},
    )
    assert plain.status_code == 415


def test_flask_logins_user_reaches_the_permission_classes(client: FlaskClient) -> None:
    html, headers = _page(client)
    assert "Authentication required." in html
    note = {"component": "member_note", "component_id": "n-1"}
    refused = client.post("/cf/event", data=json.dumps(note), headers=headers)
    assert refused.status_code == 401
    client.get("/login?name=ann")
    html, headers = _page(client)
    assert "Signed in as ann" in html and "Notes: 0" in html
    added = client.post(
        "/cf/event", data=_message(_root(html, "member_note"), "add"), headers=headers
    )
    assert added.status_code == 200 and "Notes: 1" in added.get_json()["html"]


def test_a_stream_sends_a_frame_per_step(client: FlaskClient) -> None:
    html, headers = _page(client)
    reply = client.post(
        "/cf/stream", data=_message(_root(html, "progress"), "start", steps=2), headers=headers
    )
    assert reply.status_code == 200 and reply.mimetype == "text/event-stream"
    frames = [json.loads(line[6:]) for line in reply.get_data(as_text=True).splitlines() if line]
    assert [f["stream_done"] for f in frames] == [False, False, True]
    assert json.loads(frames[-1]["state"])["done"] is True


def test_cf_js_is_served_and_revalidated(client: FlaskClient) -> None:
    script = client.get("/cf/cf.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    again = client.get("/cf/cf.js", headers={"If-None-Match": script.headers["ETag"]})
    assert again.status_code == 304


def test_htmx_events_pass_flask_wtfs_csrf_check() -> None:
    # Flask-WTF's check reads request.form before the view runs, which spends the body.
    notes = ComponentRegistry()

    @notes.register("notes")
    class Notes(Component):
        template_name = "notes.html"
        transport = "htmx"
        renderer = JinjaRenderer(loader=DictLoader({"notes.html": "{{ state.notes|join(',') }}"}))

        def mount(self) -> None:
            super().mount()
            self.state["notes"] = []

        def on_add(self, text: str = "") -> None:
            self.state["notes"].append(text)

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "a-long-random-secret-for-flask-sessions"
    CSRFProtect(app)
    Components(app, registry=notes, secret_key="a-long-random-secret-kept-out-of-git")
    app.add_url_rule(
        "/",
        "home",
        lambda: render_template_string(
            '<body hx-headers=\'{"X-CSRFToken": "{{ csrf_token() }}"}\'>{{ component("notes") }}'
        ),
    )
    with app.test_client() as browser:
        page = browser.get("/").get_data(as_text=True)
        token = json.loads(unescape(re.search(r"hx-headers='([^']*)'", page)[1]))
        fields = json.loads(unescape(re.search(r'hx-vals="([^"]*)"', page)[1]))
        form = {**fields, "cf-event": "add", "text": "milk"}
        refused = browser.post("/cf/htmx", data=form, headers={"HX-Request": "true"})
        assert refused.status_code == 400 and b"CSRF token is missing" in refused.data
        reply = browser.post("/cf/htmx", data=form, headers={"HX-Request": "true", **token})
        assert reply.status_code == 200, reply.get_data(as_text=True)
        assert "milk" in reply.get_data(as_text=True)


# ---------- The WebSocket under real servers ----------


@pytest.fixture(scope="module")
def werkzeug_url(app: Flask) -> Iterator[str]:
    """The example app under Werkzeug's threaded server (``flask run``'s) in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@contextlib.contextmanager
def _subscribed(base: str, http: httpx.Client) -> Iterator[tuple[ClientConnection, dict[str, str]]]:
    """The page's socket, its announcement subscribed as cf.js does, and the root."""
    root = _root(http.get(f"{base}/").text, "announcement")
    with connect(f"{base.replace('http', 'ws')}/cf/ws", origin=base) as socket:
        token = root["data-cf-token"]
        socket.send(
            json.dumps(
                {
                    "type": "subscribe",
                    "component_id": root["data-cf-id"],
                    "token": token,
                    "ref": "1",
                }
            )
        )
        assert json.loads(socket.recv(timeout=10))["type"] == "subscribed"
        yield socket, root


def test_a_view_pushes_to_a_page_over_the_socket_under_werkzeug(
    werkzeug_url: str, app: Flask
) -> None:
    with httpx.Client(timeout=60) as http, _subscribed(werkzeug_url, http) as (socket, root):
        app.extensions["component_framework"].push_event("announcement", "show", {"text": "Hello"})
        push = json.loads(socket.recv(timeout=10))
        assert push == {
            "type": "push_event",
            "component_id": root["data-cf-id"],
            "event": "show",
            "payload": {"text": "Hello"},
        }
        # The page runs it as its own event, over the same socket.
        socket.send(_message(root, "show", text="Hello")[:-1] + ', "ref": "2"}')
        reply = json.loads(socket.recv(timeout=10))
        assert reply["ref"] == "2" and "Hello" in reply["html"]


def test_a_socket_from_another_site_is_refused(werkzeug_url: str) -> None:
    url = f"{werkzeug_url.replace('http', 'ws')}/cf/ws"
    with pytest.raises(InvalidStatus, match="403"), connect(url, origin="https://evil.example"):
        pass


def test_a_push_reaches_pages_on_another_gunicorn_process_through_redis(
    redis_server: Any,
) -> None:
    env = {"CF_BROKER_URL": redis_server.url}
    with (
        serve_gunicorn("examples.flask_app:app", env=env) as first,
        serve_gunicorn("examples.flask_app:app", env=env) as second,
        # Generous: gunicorn listens before its worker has imported the app, and a busy machine
        # (the suite on other Pythons runs at low priority) may take long to import it.
        httpx.Client(timeout=60) as reader,
        httpx.Client(timeout=60) as writer,
        _subscribed(second, reader) as (socket, _),
    ):
        html = writer.get(f"{first}/").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token
        form = {"csrf_token": token.group(1), "text": "From the first"}
        # The second process subscribes to Redis in the background after the page subscribed:
        # on a busy machine the first announce may come before that; announce until it lands.
        push = None
        for _ in range(5):
            assert writer.post(f"{first}/announce", data=form).status_code == 302
            with contextlib.suppress(TimeoutError):
                push = json.loads(socket.recv(timeout=5))
                break
        assert push is not None, "no push reached the other process"
        assert push["event"] == "show" and push["payload"] == {"text": "From the first"}


def test_without_flask_the_error_names_the_extra() -> None:
    code = "import sys; sys.modules['flask'] = None; import component_framework.flask"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert "pip install 'cf-components[flask]'" in result.stderr


class _Tasker(Component):
    """Starts a background task whose result it shows."""

    renderer = JinjaRenderer(loader=DictLoader({"tasker.html": "<p>{{ state.title }}</p>"}))
    template_name = "tasker.html"
    live = True

    def mount(self) -> None:
        self.state = {"title": ""}

    def on_go(self, url: str) -> None:
        self.start_task(lambda: f"Preview of {url}", event="done")  # a worker thread runs it

    def on_done(self, result: str) -> None:
        self.state["title"] = result


def test_a_background_tasks_result_reaches_the_page_under_werkzeug(
    werkzeug_url: str, app: Flask
) -> None:
    registry = app.extensions["component_framework"].config.registry
    registry.register("tasker")(_Tasker)
    try:
        with httpx.Client(base_url=werkzeug_url, timeout=60) as http:
            headers = {**HEADERS, **csrf_header(http.get("/").text)}
            first = http.post("/cf/event", json={"component": "tasker"}, headers=headers).json()
            cid = first["component_id"]
            with connect(f"{werkzeug_url.replace('http', 'ws')}/cf/ws", origin=werkzeug_url) as ws:
                token = first["subscribe_token"]
                ws.send(json.dumps({"type": "subscribe", "component_id": cid, "token": token}))
                assert json.loads(ws.recv(timeout=10))["type"] == "subscribed"
                event = {
                    "component": "tasker",
                    "component_id": cid,
                    "event": "go",
                    "payload": {"url": "https://example.com"},
                    "state": first["state"],
                    "checksum": first["checksum"],
                }
                assert http.post("/cf/event", json=event, headers=headers).status_code == 200
                push = json.loads(ws.recv(timeout=10))
        assert push == {
            "type": "push_event",
            "component_id": cid,
            "event": "done",
            "payload": {"result": "Preview of https://example.com"},
        }
    finally:
        registry.unregister("tasker")
