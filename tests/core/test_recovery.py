"""Pages that outlive their state: mount tokens on every root, remounts, old releases carried
forward, and the cf.js version each reply names."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import jinja2
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry, signing
from component_framework.core._http import script_version
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.signing import Signer
from component_framework.core.state import InMemoryStateStore
from component_framework.web import ComponentApp

KEY = "recovery-tests-secret-key-0123456789"
HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
RENDERER = JinjaRenderer(loader=jinja2.DictLoader({"note.html": "<p>{{ state }}</p>"}))
STORE = InMemoryStateStore()
MIGRATIONS: list[tuple[str, dict[str, Any]]] = []


def build_registry() -> ComponentRegistry:
    registry = ComponentRegistry()

    @registry.register("note")
    class Note(Component):
        """A note with a title from its mount parameters and a text the user types."""

        template_name = "note.html"
        renderer = RENDERER

        def mount(self) -> None:
            super().mount()
            self.state.update(title=self.params.get("title", ""), text="")

        def on_type(self, value: str) -> None:
            self.state["text"] = value

    @registry.register("counted")
    class Counted(Component):
        """Release 1 called the count "n"; this release calls it "count"."""

        template_name = "note.html"
        renderer = RENDERER

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 0

        def on_increment(self) -> None:
            self.state["count"] += 1

        @classmethod
        def migrate_state(cls, old_release: str, state: dict[str, Any]) -> dict[str, Any] | None:
            MIGRATIONS.append((old_release, state))
            if old_release == "1":
                return {"count": state["n"]}
            if old_release == "broken":
                raise KeyError("n")
            if old_release == "odd":
                return ["not", "a", "dict"]  # type: ignore[return-value]
            return None

    @registry.register("held_counted")
    class HeldCounted(Counted):
        state_store = STORE

    @registry.register("private")
    class Private(Note):
        remountable = False

    return registry


@pytest.fixture
def registry() -> ComponentRegistry:
    MIGRATIONS.clear()
    return build_registry()


def app_for(registry: ComponentRegistry, key: str = KEY, release: str = "2") -> ComponentApp:
    return ComponentApp(registry=registry, signer=Signer([key], release=release))


@pytest.fixture
def client(registry: ComponentRegistry) -> Iterator[TestClient]:
    with TestClient(Starlette(routes=[app_for(registry).mount()])) as test_client:
        yield test_client


def root_attributes(root: str) -> dict[str, str]:
    """The data-cf-* attributes of a rendered root element, unescaped."""
    opening = root[: root.index(">")]
    found = re.findall(r'(data-cf-[a-z-]+)(?:="([^"]*)")?', opening)
    return {name: html.unescape(value) for name, value in found}


def remount_of(attributes: dict[str, str], **fields: Any) -> dict[str, Any]:
    """The message cf.js sends to have the component of a root mounted again."""
    return {
        "type": "component_event",
        "component": attributes["data-cf-component"],
        "component_id": attributes["data-cf-id"],
        "event": None,
        "payload": {},
        "state": None,
        "checksum": None,
        "mount": attributes["data-cf-mount"],
        "mount_checksum": attributes["data-cf-mount-checksum"],
        **fields,
    }


def post(client: TestClient, message: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post("/cf/event", json=message, headers=HEADERS)
    return response.status_code, response.json()


# ---------- Mount parameters on every root ----------


def test_a_root_carries_its_mount_parameters_signed_with_its_id(
    registry: ComponentRegistry,
) -> None:
    app = app_for(registry)
    attributes = root_attributes(str(app.render("note", None, title="Groceries")))
    assert json.loads(attributes["data-cf-mount"]) == {"title": "Groceries"}
    issued, _, digest = attributes["data-cf-mount-checksum"].partition(":")
    assert issued.isdigit() and len(digest) == 64
    app.signer.verify_mount(
        "note",
        attributes["data-cf-id"],
        attributes["data-cf-mount"],
        attributes["data-cf-mount-checksum"],
    )


def test_parameters_json_cannot_carry_exactly_and_opted_out_components_get_none(
    registry: ComponentRegistry,
) -> None:
    app = app_for(registry)
    for root in (
        app.render("note", None, title="Groceries", due=date(2026, 1, 2)),
        app.render("note", None, title=("a", "b")),  # a tuple would come back as a list
        app.render("private", None, title="Salary"),
    ):
        attributes = root_attributes(str(root))
        assert "data-cf-id" in attributes
        assert "data-cf-mount" not in attributes and "data-cf-mount-checksum" not in attributes


# ---------- A remount: the same id, the signed parameters, a fresh state ----------


def test_a_remount_mounts_afresh_under_the_same_id_from_the_signed_parameters(
    registry: ComponentRegistry, client: TestClient
) -> None:
    attributes = root_attributes(
        str(app_for(registry, release="1").render("note", None, title="Groceries"))
    )
    status, reply = post(client, remount_of(attributes))
    assert status == 200
    assert reply["component_id"] == attributes["data-cf-id"]
    assert json.loads(reply["state"]) == {"title": "Groceries", "text": ""}
    assert reply["subscribe_token"]  # the id is the server's: the page may subscribe again
    # The fresh state works as any state does.
    typed = {**remount_of(attributes), "mount": None, "mount_checksum": None, "event": "type"}
    typed.update(payload={"value": "milk"}, state=reply["state"], checksum=reply["checksum"])
    status, reply = post(client, typed)
    assert status == 200 and json.loads(reply["state"])["text"] == "milk"


def test_a_remount_runs_its_event_on_the_fresh_state(
    registry: ComponentRegistry, client: TestClient
) -> None:
    attributes = root_attributes(str(app_for(registry).render("note", None, title="T")))
    status, reply = post(client, remount_of(attributes, event="type", payload={"value": "x"}))
    assert status == 200 and json.loads(reply["state"]) == {"title": "T", "text": "x"}


def test_a_remount_with_a_state_or_without_an_id_is_a_bad_message(
    registry: ComponentRegistry, client: TestClient
) -> None:
    app = app_for(registry)
    attributes = root_attributes(str(app.render("note", None)))
    with_state = remount_of(attributes, state=attributes["data-cf-state"])
    with_state["checksum"] = attributes["data-cf-checksum"]
    for message in (with_state, remount_of(attributes, component_id=None)):
        status, reply = post(client, message)
        assert (status, reply["code"]) == (400, "bad_message")
        assert "'mount'" in reply["error"]


# ---------- Old releases: carried forward by migrate_state, else refused as stale ----------


def sign(name: str, state: dict[str, Any], release: str) -> dict[str, Any]:
    state_json, checksum = Signer([KEY], release=release).sign_state(name, "c-1", state)
    return {
        "component": name,
        "component_id": "c-1",
        "event": "increment",
        "state": state_json,
        "checksum": checksum,
    }


def test_a_state_of_an_earlier_release_is_carried_forward_by_migrate_state(
    registry: ComponentRegistry, client: TestClient
) -> None:
    failures = signing.integrity_failures
    status, reply = post(client, sign("counted", {"n": 41}, release="1"))
    assert (status, json.loads(reply["state"])) == (200, {"count": 42})
    assert MIGRATIONS == [("1", {"n": 41})]
    assert reply["checksum"].startswith("2:")  # signed anew for this release
    assert signing.integrity_failures == failures  # nothing was refused


def test_a_state_migrate_state_cannot_carry_is_refused_as_stale(
    registry: ComponentRegistry, client: TestClient
) -> None:
    failures = signing.integrity_failures
    status, reply = post(client, sign("counted", {"n": 1}, release="0"))
    assert (status, reply["code"]) == (409, "stale_state")
    assert signing.integrity_failures == failures + 1
    # A component without the hook: the same (the page mounts it again).
    note = sign("note", {"title": "", "text": ""}, release="1")
    status, reply = post(client, {**note, "event": None})
    assert (status, reply["code"]) == (409, "stale_state")


@pytest.mark.parametrize("release", ["broken", "odd"])
def test_a_failing_migrate_state_is_a_logged_server_error(
    client: TestClient, release: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("ERROR", logger="component_framework"):
        status, reply = post(client, sign("counted", {"n": 1}, release=release))
    assert (status, reply["code"]) == (500, "component_error")
    assert release == "odd" or "migrate_state failed" in caplog.text
    assert "migrate_state" in reply["error"] and "KeyError" not in reply["error"]


def test_a_stored_state_of_an_earlier_release_is_carried_forward_too(
    registry: ComponentRegistry, client: TestClient
) -> None:
    old = app_for(registry, release="1")
    attributes = root_attributes(str(old.render("held_counted", None)))
    reference = json.loads(attributes["data-cf-state"])
    STORE.save_versioned(reference["key"], {"n": 7}, reference["version"])  # what release 1 kept
    message = {
        "component": "held_counted",
        "component_id": attributes["data-cf-id"],
        "event": "increment",
        "state": attributes["data-cf-state"],
        "checksum": attributes["data-cf-checksum"],
    }
    status, reply = post(client, message)
    assert status == 200 and "&#39;count&#39;: 8" in reply["html"]
    assert MIGRATIONS == [("1", {"n": 7})]
    assert STORE.load(reference["key"]) == {"count": 8}


# ---------- The cf.js a server serves: in every reply and in the socket's handshake ----------


def test_every_event_reply_names_the_cf_js_the_server_serves(client: TestClient) -> None:
    for body in ({"component": "note"}, {"component": "nope"}):
        response = client.post("/cf/event", json=body, headers=HEADERS)
        assert response.headers["X-CF-Version"] == script_version()
    refused = client.post("/cf/event", content=b"{}", headers={"X-CF-Request": "1"})
    assert refused.status_code == 415 and refused.headers["X-CF-Version"] == script_version()
    stream = client.post("/cf/stream", json={"component": "note"}, headers=HEADERS)
    assert stream.headers["X-CF-Version"] == script_version()


def test_the_socket_handshake_names_the_cf_js_the_server_serves(client: TestClient) -> None:
    with client.websocket_connect("/cf/ws") as socket:
        socket.send_json({"type": "handshake", "version": "an-older-one", "ref": "1"})
        assert socket.receive_json() == {
            "type": "handshake",
            "version": script_version(),
            "ref": "1",
        }
