"""The page, driven as a browser drives it: load it, then send an event from what it holds."""

from __future__ import annotations

import json
import re
from html import unescape

from starlette.testclient import TestClient

from todo import store
from todo.app import app


def _attribute(html: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', html)
    assert match, f"{name} not in the page"
    return unescape(match.group(1))


def test_the_page_shows_the_list() -> None:
    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "Nothing to do yet" in page.text
    assert "/cf/cf.js" in page.text


def test_an_item_added_on_the_page_is_kept() -> None:
    with TestClient(app) as client:
        page = client.get("/").text
        message = {
            "type": "component_event",
            "component": _attribute(page, "data-cf-component"),
            "component_id": _attribute(page, "data-cf-id"),
            "event": "add",
            "payload": {"form_data": {"text": "milk"}},
            "state": _attribute(page, "data-cf-state"),
            "checksum": _attribute(page, "data-cf-checksum"),
        }
        reply = client.post("/cf/event", json=message, headers={"X-CF-Request": "1"})
    assert reply.status_code == 200, reply.text
    assert "milk" in reply.json()["html"]
    assert [item["text"] for item in json.loads(reply.json()["state"])["items"]] == ["milk"]
    assert [item["text"] for item in store.items()] == ["milk"]
