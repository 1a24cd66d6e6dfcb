"""The dev app over HTTP: gallery, playground, the dev-only render endpoint, the event log."""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import types
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.testclient import TestClient

import component_framework.devserver as devserver
from component_framework.core import Component, ComponentRegistry
from component_framework.core.uploads import Upload, UploadedFile
from component_framework.devserver import DevError, create_dev_app
from component_framework.devserver._channel import LiveChannel
from component_framework.devserver._export import ExportError, export_session
from component_framework.devserver._inspect import describe_component
from component_framework.devserver._recorder import EventRecorder, state_diff
from component_framework.devserver.server import allowed_hosts
from component_framework.project import Project, load_project

from .conftest import PackageFactory

DEV = {"X-CF-Dev": "1"}
CF = {"X-CF-Request": "1"}


@pytest.fixture
def client(demo_project: Path) -> Iterator[TestClient]:
    app = create_dev_app(load_project(demo_project), reload=False, report=None)
    with TestClient(app) as client:
        yield client


def _root_attributes(html: str) -> dict[str, str]:
    match = re.search(r"<div (data-cf-component=[^>]*)>", html)
    assert match, html
    pairs = re.findall(r'(data-cf-[a-z]+)="([^"]*)"', match.group(1))
    return {k: v.replace("&#34;", '"') for k, v in pairs}


def test_public_names_are_exported() -> None:
    public = {
        name
        for name, value in vars(devserver).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(devserver.__all__) == public


def test_gallery_lists_every_component_with_kind_and_events(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/components/counter"' in page.text
    assert 'href="/components/signup"' in page.text
    assert "on_increment" in page.text and "on_reset" in page.text
    assert 'data-kind="form"' in page.text
    assert 'data-kind="streaming"' in page.text
    data = {item["name"]: item for item in client.get("/__cf__/components").json()}
    assert data["counter"]["kind"] == "basic"
    assert data["counter"]["class"] == "cfdev_demo.components.counter.Counter"
    assert sorted(data["counter"]["events"]) == ["increment", "reset"]
    assert data["counter"]["events"]["increment"] == [
        {
            "name": "amount",
            "type": "int",
            "input": "integer",
            "required": False,
            "default": 1,
            "choices": [],
            "example": 1,
        }
    ]


def test_typed_mount_params_and_form_fields(client: TestClient) -> None:
    data = {item["name"]: item for item in client.get("/__cf__/components").json()}
    params = {p["name"]: (p["input"], p["default"]) for p in data["counter"]["params"]}
    assert params == {"start": ("integer", 0), "step": ("integer", 1)}
    fields = {f["name"]: (f["input"], f["required"]) for f in data["signup"]["form_fields"]}
    assert fields == {
        "name": ("text", True),
        "age": ("integer", False),
        "newsletter": (
            "checkbox",
            False,
        ),
    }
    assert data["signup"]["events"]["submit"][0]["name"] == "form_data"


def test_playground_renders_the_component_through_the_transport(client: TestClient) -> None:
    params = json.dumps({"start": 7})
    page = client.get("/components/counter", params={"params": params})
    assert page.status_code == 200
    assert "/__cf__/static/dev.js" in page.text
    assert "data-cf-component" not in page.text  # the component lives in the preview frame
    src = re.search(r'<iframe id="cf-frame"[^>]* src="([^"]+)"', page.text)
    assert src is not None
    frame = client.get(src.group(1).replace("&amp;", "&"))
    attributes = _root_attributes(frame.text)
    assert attributes["data-cf-component"] == "counter"
    assert attributes["data-cf-endpoint"] == "/cf"
    assert json.loads(attributes["data-cf-state"]) == {"count": 7, "step": 1}
    assert '<b class="count">7</b>' in frame.text
    assert "/cf/cf.js" in frame.text and "dev.js" not in frame.text and "dev.css" not in frame.text


def test_playground_of_an_unknown_component_suggests_names(client: TestClient) -> None:
    page = client.get("/components/countr")
    assert page.status_code == 404
    assert "Did you mean &#39;counter&#39;" in page.text


def test_playground_reports_bad_mount_params(client: TestClient) -> None:
    page = client.get("/components/counter", params={"params": "{nope"})
    assert page.status_code == 200
    assert "Params in the URL is not valid JSON" in page.text


def test_dev_render_signs_the_developer_state(client: TestClient) -> None:
    reply = client.post(
        "/__cf__/render",
        json={"component": "counter", "component_id": "c-1", "state": {"count": 41, "step": 1}},
        headers=DEV,
    ).json()
    assert reply["type"] == "component_update"
    assert json.loads(reply["state"]) == {"count": 41, "step": 1}
    assert '<b class="count">41</b>' in reply["html"]
    # The signed state is accepted by the public transport, like any state the server sent.
    event = {
        "type": "component_event",
        "component": "counter",
        "component_id": "c-1",
        "event": "increment",
        "payload": {"amount": 1},
        "state": reply["state"],
        "checksum": reply["checksum"],
    }
    after = client.post("/cf/event", json=event, headers=CF)
    assert after.status_code == 200
    assert json.loads(after.json()["state"])["count"] == 42


def test_dev_render_mounts_with_params(client: TestClient) -> None:
    reply = client.post(
        "/__cf__/render", json={"component": "counter", "params": {"start": 3}}, headers=DEV
    ).json()
    assert json.loads(reply["state"]) == {"count": 3, "step": 1}


def test_the_public_event_endpoint_still_refuses_unsigned_state(client: TestClient) -> None:
    event = {
        "type": "component_event",
        "component": "counter",
        "component_id": "c-1",
        "event": "increment",
        "state": json.dumps({"count": 1000}),
        "checksum": None,
    }
    reply = client.post("/cf/event", json=event, headers=CF)
    assert reply.status_code == 403


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ({"component": "counter", "state": {"count": 1}}, {}, 400),  # no X-CF-Dev header
        ({"component": "counter", "state": [1]}, DEV, 400),
        ({"component": 3}, DEV, 400),
        ({"component": "nope"}, DEV, 404),
    ],
)
def test_dev_render_refuses_bad_requests(
    client: TestClient, body: dict[str, Any], headers: dict[str, str], status: int
) -> None:
    assert client.post("/__cf__/render", json=body, headers=headers).status_code == status


def test_each_event_is_published_with_its_diff_and_server_time(client: TestClient) -> None:
    channel: LiveChannel = client.app.state.dev.channel  # type: ignore[attr-defined]
    queue = channel.subscribe()
    first = client.post(
        "/__cf__/render",
        json={"component": "counter", "component_id": "c-9", "params": {"start": 2}},
        headers=DEV,
    ).json()
    event = {
        "type": "component_event",
        "component": "counter",
        "component_id": "c-9",
        "event": "increment",
        "payload": {"amount": 3},
        "state": first["state"],
        "checksum": first["checksum"],
    }
    client.post("/cf/event", json=event, headers=CF)
    entries = []
    while not queue.empty():
        message = queue.get_nowait()
        assert message is not None
        if message["type"] == "event":
            entries.append(message)
    (entry,) = [e for e in entries if e["event"] == "increment"]
    assert entry["component"] == "counter" and entry["component_id"] == "c-9"
    assert entry["payload"] == {"amount": 3}
    assert entry["state_before"] == {"count": 2, "step": 1}
    assert entry["state_after"] == {"count": 5, "step": 1}
    assert entry["diff"] == [{"path": "count", "op": "changed", "old": 2, "new": 5}]
    assert entry["server_ms"] >= 0 and entry["status"] == 200
    channel.unsubscribe(queue)


def test_a_failed_event_is_logged_with_its_error(client: TestClient) -> None:
    channel: LiveChannel = client.app.state.dev.channel  # type: ignore[attr-defined]
    queue = channel.subscribe()
    event = {"type": "component_event", "component": "counter", "event": "explode"}
    client.post("/cf/event", json=event, headers=CF)
    message = queue.get_nowait()
    assert message is not None
    assert message["code"] == "unknown_event"
    assert message["diff"] == []


def test_state_diff() -> None:
    before = {"a": 1, "form": {"name": "x", "age": 3}, "gone": True, "items": [1]}
    after = {"a": 1, "form": {"name": "y", "age": 3}, "new": None, "items": [1, 2]}
    assert state_diff(before, after) == [
        {"path": "form.name", "op": "changed", "old": "x", "new": "y"},
        {"path": "gone", "op": "removed", "old": True, "new": None},
        {"path": "items", "op": "changed", "old": [1], "new": [1, 2]},
        {"path": "new", "op": "added", "old": None, "new": None},
    ]
    assert state_diff({"a": 1}, {"a": 1.0}) == [
        {"path": "a", "op": "changed", "old": 1, "new": 1.0}
    ]


async def test_the_live_channel_says_hello_then_relays_until_closed() -> None:
    channel = LiveChannel(hello=lambda: {"version": 3, "errors": []})
    stream = channel.stream()
    hello = await anext(stream)
    assert json.loads(hello.removeprefix("data: ")) == {"type": "hello", "version": 3, "errors": []}
    channel.publish({"type": "reload", "version": 4})
    assert json.loads((await anext(stream)).removeprefix("data: "))["version"] == 4
    channel.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 5)
    assert len(channel) == 0


def _send_and_listen(
    project: Project, name: str, event: str
) -> tuple[Any, list[dict[str, Any]], list[DevError]]:
    """Send *event* to *name* through cf dev: the reply, what the live channel published and
    what was reported to the terminal."""
    reported: list[DevError] = []
    app = create_dev_app(project, reload=False, report=reported.append)
    with TestClient(app) as client:
        channel: LiveChannel = app.state.dev.channel
        queue = channel.subscribe()
        message = {"type": "component_event", "component": name, "event": event}
        reply = client.post("/cf/event", json=message, headers=CF)
        messages = []
        while not queue.empty():
            messages.append(queue.get_nowait())
    return reply, messages, reported


def test_an_error_in_user_code_reaches_the_overlay_with_its_line(package: PackageFactory) -> None:
    name = f"{package.name}_fragile"
    module = package.write(
        "fragile.py",
        f"""
        from component_framework.core import Component, registry


        @registry.register("{name}")
        class Fragile(Component):
            template_name = "fragile.html"

            def on_explode(self):
                raise RuntimeError("boom")
        """,
    )
    templates = package.folder / "templates"
    templates.mkdir()
    (templates / "fragile.html").write_text("<p>{{ state }}</p>")
    project = Project(root=package.root, components=[package.name], templates=[templates])
    reply, messages, reported = _send_and_listen(project, name, "explode")
    assert reply.status_code == 500
    assert "boom" not in reply.text  # the public reply stays generic
    (error,) = [m["error"] for m in messages if m and m["type"] == "error"]
    assert error["file"] == str(module.resolve())
    assert error["line"] == 10
    assert error["kind"] == "handler"  # what failed: the handler, not a render
    assert "boom" in error["traceback"]
    assert reported and reported[0].line == 10


def test_a_bad_effect_call_reaches_the_overlay_and_the_event_log(package: PackageFactory) -> None:
    name = f"{package.name}_saver"
    module = package.write(
        "saver.py",
        f"""
        from component_framework.core import Component, registry


        @registry.register("{name}")
        class Saver(Component):
            def render(self):
                return "<p>saver</p>"

            def on_save(self):
                self.flash("saved", "Saved.")
        """,
    )
    project = Project(root=package.root, components=[package.name], templates=[])
    reply, messages, _ = _send_and_listen(project, name, "save")
    assert reply.status_code == 500 and reply.json()["code"] == "bad_effect"
    assert "Flash level" not in reply.text  # the public reply stays generic
    (error,) = [m["error"] for m in messages if m and m["type"] == "error"]
    assert error["file"] == str(module.resolve()) and error["line"] == 11  # the flash() call
    assert error["kind"] == "handler"
    assert error["message"].startswith("EffectError: Saver.flash(): Flash level must be one of")
    (logged,) = [m for m in messages if m and m["type"] == "event"]
    assert logged["code"] == "bad_effect" and logged["status"] == 500


def test_only_loopback_host_names_are_served(demo_project: Path) -> None:
    hosts = allowed_hosts("127.0.0.1")
    assert "localhost" in hosts and "127.0.0.1" in hosts
    assert allowed_hosts("0.0.0.0") == ["*"]
    app = create_dev_app(load_project(demo_project), reload=False, report=None, allowed_hosts=hosts)
    with TestClient(app, base_url="http://127.0.0.1:8000") as local:
        assert local.get("/").status_code == 200
    # A page on another site that rebinds its name to 127.0.0.1 still sends its own Host.
    with TestClient(app, base_url="http://attacker.example") as remote:
        assert remote.get("/").status_code == 400
        assert (
            remote.post("/__cf__/render", json={"component": "counter"}, headers=DEV).status_code
            == 400
        )


def test_state_inspector_reads_and_edits_server_held_state(
    client: TestClient, cf_defaults: None
) -> None:
    from component_framework.core import state as state_module
    from component_framework.core.state import InMemoryStateStore

    store = InMemoryStateStore()
    state_module.configure(store)
    reply = client.post(
        "/__cf__/render",
        json={"component": "counter", "component_id": "c-1", "state": {"count": 41, "step": 1}},
        headers=DEV,
    ).json()
    # Stored under a new key (version 1), then rendered with it (version 2).
    ref = json.loads(reply["state"])
    assert ref == {"component": "counter", "id": "c-1", "key": ref["key"], "version": 2}
    assert ref["key"].startswith("counter:c-1:")
    assert '<b class="count">41</b>' in reply["html"]

    def held(reference: str = reply["state"]) -> Any:
        # The inspector asks with the reference the page holds (its data-cf-state).
        ask = {"component": "counter", "reference": reference}
        return client.post("/__cf__/state", json=ask, headers=DEV).json()

    assert held() == {"type": "state", "state": {"count": 41, "step": 1}}
    event = {
        "component": "counter",
        "component_id": "c-1",
        "event": "increment",
        "payload": {"amount": 1},
        "state": reply["state"],
        "checksum": reply["checksum"],
    }
    assert client.post("/cf/event", json=event, headers=CF).status_code == 200
    assert held()["state"]["count"] == 42
    # Another render under the same id holds a state of its own; the inspector tells them apart.
    other = client.post(
        "/__cf__/render",
        json={"component": "counter", "component_id": "c-1", "state": {"count": 7, "step": 1}},
        headers=DEV,
    ).json()
    assert held(other["state"])["state"]["count"] == 7
    assert held()["state"]["count"] == 42
    not_a_reference = held('{"count": 1}')
    assert not_a_reference["code"] == "bad_request"
    assert "'reference'" in not_a_reference["error"]
    no_header = client.post(
        "/__cf__/state", json={"component": "counter", "reference": reply["state"]}
    )
    assert no_header.status_code == 400
    state_module.configure(None)
    page_held = held()
    assert page_held["code"] == "bad_request"
    assert page_held["error"] == "Component 'counter' keeps its state in the page."


def test_server_held_state_is_not_served_cross_site(client: TestClient) -> None:
    reference = (
        '{"component":"counter","id":"c-1","key":"counter:c-1:' + "0" * 32 + '","version":1}'
    )
    ask = {"component": "counter", "reference": reference}
    refused = client.post(
        "/__cf__/state", json=ask, headers={**DEV, "Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403


def test_the_global_ws_manager_pushes_to_pages_of_cf_dev(client: TestClient) -> None:
    """One way to push: ``ws_manager.push_*`` reaches pages served by ``cf dev`` too."""
    from component_framework.core import ws_manager

    mounted = client.post("/cf/event", json={"component": "counter"}, headers=CF).json()
    subscribe = {
        "type": "subscribe",
        "component_id": mounted["component_id"],
        "token": mounted["subscribe_token"],
    }
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_json(subscribe)
        assert ws.receive_json()["type"] == "subscribed"
        assert client.portal is not None
        client.portal.call(ws_manager.push_event, "counter", "increment", {"amount": 2})
        assert ws.receive_json() == {
            "type": "push_event",
            "component_id": mounted["component_id"],
            "event": "increment",
            "payload": {"amount": 2},
        }
        client.portal.call(ws_manager.push_state, "counter", {"count": 7, "step": 1})
        pushed = ws.receive_json()
        assert pushed["type"] == "component_update" and "7" in pushed["html"]


def test_an_undefined_name_in_a_template_is_an_error_with_its_line(
    package: PackageFactory,
) -> None:
    name = f"{package.name}_typo"
    package.write(
        "typo.py",
        f"""
        from component_framework.core import Component, registry


        @registry.register("{name}")
        class Typo(Component):
            template_name = "typo.html"

            def mount(self):
                self.state["count"] = 0
        """,
    )
    templates = package.folder / "templates"
    templates.mkdir()
    (templates / "typo.html").write_text("<p>\n  {{ state.cnt }}\n</p>")
    project = Project(root=package.root, components=[package.name], templates=[templates])
    reported: list[DevError] = []
    app = create_dev_app(project, reload=False, report=reported.append)
    with TestClient(app) as client:
        event = {"type": "component_event", "component": name, "event": None}
        reply = client.post("/cf/event", json=event, headers=CF)
    assert reply.status_code == 500  # production would render "<p>\n  \n</p>"
    assert reported, "the overlay got no error"
    assert reported[0].file == str((templates / "typo.html").resolve())
    assert reported[0].line == 2
    assert "cnt" in reported[0].message


def test_a_missing_template_is_described_as_cf_check_describes_it(
    package: PackageFactory,
) -> None:
    name = f"{package.name}_counter"
    module = package.write(
        "counter.py",
        f"""
        from component_framework.core import Component, registry


        @registry.register("{name}")
        class Counter(Component):
            template_name = "countr.html"
        """,
    )
    templates = package.folder / "templates"
    templates.mkdir()
    (templates / "counter.html").write_text("<p>{{ state }}</p>")
    project = Project(root=package.root, components=[package.name], templates=[templates])
    reported: list[DevError] = []
    app = create_dev_app(project, reload=False, report=reported.append)
    with TestClient(app) as client:
        event = {"type": "component_event", "component": name, "event": None}
        assert client.post("/cf/event", json=event, headers=CF).status_code == 500
        gallery = client.get("/__cf__/previews", params={"component": name})
    folder = f"{package.name}/templates"
    expected = f"{name}: template 'countr.html' not found in {folder}; did you mean 'counter.html'?"
    assert reported[0].message == expected
    assert (reported[0].file, reported[0].line) == (str(module), 7)  # template_name = ...
    assert expected in gallery.text


SHARED = """
from component_framework.core import Component, registry

SHARED: list[str] = []  # data outside the state, as a store or a database is


@registry.register("NAME")
class Shared(Component):
    def mount(self):
        self.state["count"] = len(SHARED)

    def on_add(self, text: str):
        SHARED.append(text)
        self.state["count"] = len(SHARED)

    def on_bump(self):
        self.state["count"] += 1

    def render(self):
        return f"<p>{self.state['count']} items</p>"
"""


def _export(client: TestClient, name: str, events: list[dict[str, Any]]) -> Any:
    body = {"component": name, "params": {}, "events": events}
    return client.post("/__cf__/export", json=body, headers=DEV)


def test_export_replays_in_a_fresh_process_and_refuses_what_depends_on_outside_data(
    package: PackageFactory,
) -> None:
    name = f"{package.name}_shared"
    package.write("shared.py", SHARED.replace("NAME", name))
    module = importlib.import_module(f"{package.name}.shared")
    project = Project(root=package.root, components=[package.name])
    app = create_dev_app(project, reload=False, report=None)
    with TestClient(app) as client:
        module.SHARED.extend(["milk", "eggs"])  # what other sessions added
        pure = _export(client, name, [{"event": "bump", "payload": {}, "state": {"count": 3}}])
        # Mounted on an empty list in a fresh process, the replay ends at 1, not at 3.
        assert pure.status_code == 400
        assert "event 1 (bump) leaves the state {'count': 1}, not {'count': 3}" in pure.text
        assert "Nothing was written" in pure.text

        module.SHARED.clear()
        events = [{"event": "add", "payload": {"text": "milk"}, "state": {"count": 1}}]
        written = _export(client, name, events)
        assert written.status_code == 200, written.text
        # The handler ran in the replay's process, not again in the dev server's.
        assert module.SHARED == []
    path = package.root / written.json()["path"]
    assert "tester.call('add', text='milk')" in path.read_text()
    assert not (package.root / "tests" / f"test_{name}_session_2.py").exists()


OWNED = """
from component_framework.core import Component, registry


@registry.register("NAME")
class Owned(Component):
    def mount(self):
        self.state.update(owner=self.id, count=0)  # the component's id, in its state

    def on_bump(self):
        self.state["count"] += 1

    def render(self):
        return f"<p>{self.state['count']}</p>"
"""


def test_export_mounts_with_the_session_s_id_when_the_state_holds_it(
    package: PackageFactory,
) -> None:
    name = f"{package.name}_owned"
    package.write("owned.py", OWNED.replace("NAME", name))
    project = Project(root=package.root, components=[package.name])
    app = create_dev_app(project, reload=False, report=None)
    events = [{"event": "bump", "payload": {}, "state": {"owner": "owned-s1", "count": 1}}]
    with TestClient(app) as client:
        # Without the session's id the replay mounts with another: said as such.
        refused = _export(client, name, events)
        assert refused.status_code == 400
        assert "leaves a state holding the component's id" in refused.text
        assert "reads or changes data outside its state" not in refused.text
        body = {"component": name, "params": {}, "events": events, "component_id": "owned-s1"}
        written = client.post("/__cf__/export", json=body, headers=DEV)
        assert written.status_code == 200, written.text
    source = (package.root / written.json()["path"]).read_text()
    assert f"ComponentTester({name!r}, component_id='owned-s1')" in source
    assert "assert tester.state == {'count': 1, 'owner': 'owned-s1'}" in source


async def test_the_event_that_answers_a_push_is_marked_pushed() -> None:
    published: list[dict[str, Any]] = []

    async def transport(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            push = {"type": "push_event", "component_id": "c-1", "event": "refresh"}
            await send({"type": "websocket.send", "text": json.dumps(push)})
            return
        await receive()
        reply = {"type": "component_update", "html": "", "state": "{}", "component_id": "c-1"}
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": json.dumps(reply).encode()})

    channel = SimpleNamespace(publish=published.append)
    recorder = EventRecorder(transport, channel)  # type: ignore[arg-type]

    async def ignore(message: Any) -> None:
        pass

    async def post(event: str) -> None:
        body = {"component": "todo", "component_id": "c-1", "event": event, "state": "{}"}
        messages = [{"type": "http.request", "body": json.dumps(body).encode()}]

        async def receive() -> Any:
            return messages.pop(0)

        scope = {"type": "http", "method": "POST", "path": "/cf/event"}
        await recorder(scope, receive, ignore)

    await post("add")  # the user's own
    await recorder({"type": "websocket", "path": "/cf/ws"}, ignore, ignore)
    await post("refresh")  # the page's answer to the push
    await post("refresh")  # the user's own again
    assert [entry.get("pushed", False) for entry in published] == [False, True, False]


async def test_events_on_the_socket_and_pushes_the_server_ran_are_logged() -> None:
    published: list[dict[str, Any]] = []
    state = {"n": 1}

    async def transport(scope: Any, receive: Any, send: Any) -> None:
        while (message := await receive())["type"] == "websocket.receive":
            incoming = json.loads(message["text"])
            if incoming["type"] == "component_event":  # answered on the socket, with its ref
                state["n"] += 1
                reply = {
                    "type": "component_update",
                    "component_id": "c-1",
                    "html": "",
                    "state": json.dumps(state),
                    "ref": incoming["ref"],
                }
            elif incoming["type"] == "push":  # stands for a push the server ran for the page
                state["n"] *= 10
                update = {
                    "type": "component_update",
                    "component_id": "c-1",
                    "html": "",
                    "state": json.dumps(state),
                    "checksum": "c",
                    "effects": [{"type": "flash", "level": "info", "text": "Ten times."}],
                }
                reply = {
                    "type": "push_event",
                    "component_id": "c-1",
                    "event": "grow",
                    "payload": {"by": 10},
                    "base": "b",
                    "update": update,
                }
            else:
                reply = {"type": "subscribed", "component_id": "c-1", "ref": incoming["ref"]}
            await send({"type": "websocket.send", "text": json.dumps(reply)})

    channel = SimpleNamespace(publish=published.append)
    recorder = EventRecorder(transport, channel)  # type: ignore[arg-type]
    inbox = [
        {
            "type": "subscribe",
            "component_id": "c-1",
            "token": "todo:1:sig",
            "state": '{"n": 1}',
            "ref": "1",
        },
        {
            "type": "component_event",
            "component": "todo",
            "component_id": "c-1",
            "event": "bump",
            "payload": {},
            "state": '{"n": 1}',
            "ref": "2",
        },
        {"type": "push"},
        # The page had set the update aside: it answers the push itself, from its old state.
        {
            "type": "component_event",
            "component": "todo",
            "component_id": "c-1",
            "event": "grow",
            "payload": {"by": 10},
            "state": '{"n": 2}',
            "ref": "3",
        },
        # Its next event is its own.
        {
            "type": "component_event",
            "component": "todo",
            "component_id": "c-1",
            "event": "grow",
            "payload": {},
            "state": '{"n": 21}',
            "ref": "4",
        },
    ]

    async def receive() -> Any:
        if inbox:
            return {"type": "websocket.receive", "text": json.dumps(inbox.pop(0))}
        return {"type": "websocket.disconnect"}

    async def ignore(message: Any) -> None:
        pass

    await recorder({"type": "websocket", "path": "/cf/ws"}, receive, ignore)
    bump, grow, answer, own = published
    assert (bump["event"], bump["state_before"], bump["state_after"]) == (
        "bump",
        {"n": 1},
        {"n": 2},
    )
    assert not bump.get("pushed")
    assert (grow["component"], grow["event"], grow["payload"]) == ("todo", "grow", {"by": 10})
    assert (grow["state_before"], grow["state_after"], grow["pushed"]) == (
        {"n": 2},
        {"n": 20},
        True,
    )
    assert grow["diff"] == [{"op": "changed", "path": "n", "old": 2, "new": 20}]
    assert grow["effects"] == [{"type": "flash", "level": "info", "text": "Ten times."}]
    assert (answer["replaces"], answer["pushed"]) == (grow["seq"], True)
    assert "replaces" not in own and not own.get("pushed")


MOVER = """
from component_framework.core import Component, registry
from component_framework.core.url_state import UrlParam


@registry.register("NAME")
class Mover(Component):
    url_state = {"page": UrlParam(int, default=1, history="push")}

    def on_next(self):
        self.state["page"] += 1

    def on_save(self):
        self.flash("success", "Saved.")
        self.redirect("/done")

    def render(self):
        return f"<p>Page {self.state['page']}</p>"
"""


def test_effects_reach_the_event_log_and_an_exported_test(package: PackageFactory) -> None:
    name = f"{package.name}_mover"
    package.write("mover.py", MOVER.replace("NAME", name))
    project = Project(root=package.root, components=[package.name])
    app = create_dev_app(project, reload=False, report=None)
    with TestClient(app) as client:
        channel: LiveChannel = client.app.state.dev.channel  # type: ignore[attr-defined]
        queue = channel.subscribe()
        body = {"component": name, "component_id": "m-1"}
        first = client.post("/__cf__/render", json=body, headers=DEV).json()
        assert "state" in first, first
        event = {
            "component": name,
            "component_id": "m-1",
            "event": "save",
            "state": first["state"],
            "checksum": first["checksum"],
        }
        client.post("/cf/event", json=event, headers=CF)
        client.post("/cf/event", json={**event, "event": None, "url": "page=3"}, headers=CF)
        logged = []
        while not queue.empty():
            message = queue.get_nowait()
            if message is not None and message["type"] == "event":
                logged.append(message)
        flash, redirect = logged[0]["effects"]
        assert flash == {"type": "flash", "level": "success", "text": "Saved."}
        assert redirect["type"] == "redirect" and redirect["url"] == "/done"
        assert logged[1]["url"] == "page=3" and logged[1]["state_after"] == {"page": 3}
        channel.unsubscribe(queue)
        events = [{"event": "next", "payload": {}}, {"event": "save", "payload": {}}]
        written = _export(client, name, events)
        assert written.status_code == 200, written.text
    test = (package.root / written.json()["path"]).read_text()
    assert (
        "    tester.call('next')\n"
        "    assert tester.state == {'page': 2}\n"
        "    assert [e['type'] for e in tester.effects] == ['patch_url']\n"
        "    tester.assert_url('/?page=2')\n"
    ) in test
    assert (
        "    assert [e['type'] for e in tester.effects] == ['flash', 'redirect']\n"
        "    tester.assert_flash('Saved.', 'success')\n"
        "    tester.assert_redirect('/done')\n"
    ) in test


def test_the_event_log_shows_what_the_reply_asked_the_page_to_do(
    fresh_registry: Any, templates: Any
) -> None:
    from component_framework.core import Component, StreamingComponent
    from component_framework.web import ComponentApp

    templates(**{"shop.html": "<p>{{ state.n }}</p>"})

    @fresh_registry.register("shop")
    class Shop(Component):
        template_name = "shop.html"

        def mount(self) -> None:
            super().mount()
            self.state["n"] = 0

        def on_add(self) -> None:
            self.dispatch_browser_event("shop:added", {"n": 1})
            self.emit("add", to="shop")

    @fresh_registry.register("steps")
    class Steps(StreamingComponent):
        template_name = "shop.html"

        async def on_run(self) -> Any:
            self.dispatch_browser_event("steps:one")
            yield
            self.dispatch_browser_event("steps:two")

    published: list[dict[str, Any]] = []
    app = ComponentApp(registry=fresh_registry, secret_key="recorder-test-key-0123456789")
    recorder = EventRecorder(app, SimpleNamespace(publish=published.append))  # type: ignore[arg-type]
    with TestClient(recorder, base_url="http://testserver/cf") as client:
        for path, name, event in (("/event", "shop", "add"), ("/stream", "steps", "run")):
            body = {"component": name, "event": event, "payload": {}, "state": None}
            client.post(path, json=body, headers=CF).raise_for_status()
    added, streamed = published
    assert added["effects"] == [
        {"type": "browser_event", "name": "shop:added", "detail": {"n": 1}},
        {"type": "emit", "event": "add", "payload": {}, "to": "shop"},
    ]
    assert [effect["name"] for effect in streamed["effects"]] == ["steps:one", "steps:two"]
    # The events a reply emitted to two components, sent as one batch: an entry each.
    published.clear()
    added_message = {"component": "shop", "event": "add", "payload": {}, "state": None}
    first, second = ({**added_message, "component_id": f"shop-{i}"} for i in (1, 2))
    second["event"] = "explode"
    with TestClient(recorder, base_url="http://testserver/cf") as client:
        batch = {"type": "component_batch", "messages": [first, second]}
        client.post("/event", json=batch, headers=CF).raise_for_status()
    assert [(e["component_id"], e["event"], e["status"]) for e in published] == [
        ("shop-1", "add", 200),
        ("shop-2", "explode", 404),
    ]
    assert published[0]["diff"] and published[1]["code"] == "unknown_event"


EMITTER = """
from component_framework.core import Component, registry


@registry.register("NAME")
class Emitter(Component):
    def mount(self):
        self.state["count"] = 0

    def on_bump(self):
        self.state["count"] += 1
        self.dispatch_browser_event("count:changed", {"count": self.state["count"]})
        self.emit("bump", to="NAME")

    def render(self):
        return f"<p>{self.state['count']} bumps</p>"
"""


def test_an_exported_session_asserts_the_effects_and_passes(package: PackageFactory) -> None:
    import subprocess
    import sys

    name = f"{package.name}_emitter"
    package.write("emitter.py", EMITTER.replace("NAME", name))
    project = Project(root=package.root, components=[package.name])
    app = create_dev_app(project, reload=False, report=None)
    with TestClient(app) as client:
        events = [{"event": "bump", "payload": {}, "state": {"count": 1}}]
        written = _export(client, name, events)
        assert written.status_code == 200, written.text
    path = package.root / written.json()["path"]
    (package.root / "pyproject.toml").write_text(f'[tool.cf]\ncomponents = ["{package.name}"]\n')
    assert (
        "    assert [e['type'] for e in tester.effects] == ['browser_event', 'emit']\n"
        "    tester.assert_browser_event('count:changed', {'count': 1})\n"
        f"    tester.assert_emitted('bump', {{}}, to={name!r})\n"
    ) in path.read_text()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=package.root,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


STAFF_REPORT = """
from component_framework.core import Component, IsAuthenticated, IsStaff, registry


@registry.register("report")
class Report(Component):
    template_name = "report.html"
    permission_classes = [IsAuthenticated, IsStaff]
    stories = {"anonymous": {}, "as-ann": {"user": "ann"}, "as-boss": {"user": "boss"}}
"""

DEV_USERS = """
from types import SimpleNamespace


def user_named(name):
    staff = {"ann": False, "boss": True}
    if name in staff:
        return SimpleNamespace(username=name, is_staff=staff[name], is_authenticated=True)
    return None
"""


def test_stories_and_the_playground_run_as_a_user_and_say_what_refused(
    package: PackageFactory,
) -> None:
    package.write("components.py", STAFF_REPORT)
    package.write("dev.py", DEV_USERS)
    package.write("templates/report.html", "<p>The staff report</p>")
    templates = [package.folder / "templates"]
    project = Project(package.root, components=[f"{package.name}.components"], templates=templates)
    project.users = f"{package.name}.dev:user_named"
    app = create_dev_app(project, reload=False, report=None)
    with TestClient(app) as client:
        previews = client.get("/__cf__/previews", params={"component": "report"}).json()
        assert "The staff report" in previews["report/as-boss"]["html"]
        assert "Authentication required." in previews["report/anonymous"]["html"]
        assert "Permission denied." in previews["report/as-ann"]["html"]
        frame = client.get("/__cf__/frame/report", params={"story": "as-ann"}).text
        assert "IsStaff refused user &#39;ann&#39;. Preview it as a user" in frame
        playground = client.get("/__cf__/frame/report", params={"user": "boss"}).text
        assert "The staff report" in playground and "data-cf-refusal" not in playground
        unknown = client.get("/__cf__/frame/report", params={"user": "nobody"}).text
        assert "no user &#39;nobody&#39;" in unknown


JINJAX_TYPO = """
from pathlib import Path

from component_framework.core import Component, registry
from component_framework.jinjax import JinjaXRenderer


@registry.register("jx_typo")
class Typo(Component):
    template_name = "Typo"
    renderer = JinjaXRenderer([Path(__file__).parent / "jx"])

    def mount(self):
        super().mount()
        self.state["count"] = 1
"""


def test_cf_dev_makes_every_renderer_strict_not_only_the_default(
    package: PackageFactory,
) -> None:
    # A component naming its own renderer (here JinjaX, lenient by default) still gets its
    # undefined names reported in cf dev's previews.
    package.write("components.py", JINJAX_TYPO)
    package.write("jx/Typo.jinja", "{#def state #}<p>{{ state.cnt }}</p>")
    project = Project(package.root, components=[f"{package.name}.components"])
    app = create_dev_app(project, reload=False, report=None)
    with TestClient(app) as client:
        previews = client.get("/__cf__/previews", params={"component": "jx_typo"}).json()
    (story,) = previews.values()
    assert story["html"] == "" and "cnt" in story["error"]


def test_an_upload_argument_is_a_file_field_and_an_export_needs_its_file(tmp_path: Path) -> None:
    registry = ComponentRegistry()

    @registry.register("pic")
    class Pic(Component):
        uploads = {"pictures": Upload(max_files=2, accept=["text/plain"])}

        def render(self) -> str:
            return f"<p>{self.state.get('got', '')}</p>"

        def on_keep(self, pictures: list[UploadedFile], caption: str = "") -> None:
            self.state["got"] = [f.read().decode() for f in pictures]

    fields = describe_component("pic", Pic).to_json()["events"]["keep"]
    assert [(f["name"], f["input"]) for f in fields] == [("pictures", "file"), ("caption", "text")]
    assert fields[0]["accept"] == ["text/plain"]  # what the playground's picker offers
    assert fields[0]["type"] == "list[UploadedFile]"  # not its module's path
    lost = {"event": "keep", "payload": {"pictures": ["x" * 24]}, "files": {"pictures": [None]}}
    with pytest.raises(ExportError, match=r"Event 1 \(keep\) took a file for 'pictures'"):
        export_session(registry, tmp_path, "pic", {}, [lost])
    assert not list(tmp_path.iterdir())  # nothing written
    files = [{"filename": "a b.txt", "data": "b25l"}, {"filename": "c:d.txt", "data": "dHdv"}]
    kept = {"event": "keep", "payload": {"pictures": ["y" * 24]}, "files": {"pictures": files}}
    path = export_session(registry, tmp_path, "pic", {}, [kept])
    assert "tester.call('keep')" in path.read_text()
    assert "assert tester.state == {'got': ['one', 'two']}" in path.read_text()
    written = sorted(p.name for p in (tmp_path / "test_pic_session_files").iterdir())
    assert written == ["1-a_b.txt", "1-c_d.txt"]  # names any file system takes
