"""FastAPI: components mounted in one line; the dependency's user reaches permission classes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import example_app

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    """The example app; what importing it registers and sets is undone afterwards."""
    with example_app("fastapi_app") as app:
        yield app


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _root(html: str, name: str) -> dict[str, str]:
    tag = re.search(rf'<div data-cf-component="{name}"[^>]*>', html)
    assert tag, html
    return {k: unescape(v) for k, v in re.findall(r'(data-cf-[a-z-]+)="([^"]*)"', tag.group(0))}


def _event(root: dict[str, str], event: str) -> str:
    message: dict[str, Any] = {
        "component": root["data-cf-component"],
        "component_id": root["data-cf-id"],
        "event": event,
        "payload": {},
        "state": root["data-cf-state"],
        "checksum": root["data-cf-checksum"],
    }
    return json.dumps(message)


def test_counter_on_a_fastapi_page(client: TestClient) -> None:
    html = client.get("/").text
    assert "Anonymous" in html
    response = client.post(
        "/cf/event", content=_event(_root(html, "counter"), "increment"), headers=HEADERS
    )
    assert response.status_code == 200
    assert json.loads(response.json()["state"])["count"] == 4


def test_the_dependency_user_reaches_permission_classes(client: TestClient) -> None:
    html = client.get("/").text
    assert "Authentication required." in html
    client.cookies.set("user", "ann")
    html = client.get("/").text
    assert "Signed in as ann" in html and "Permission denied." in html
    forged = json.dumps({"component": "staff_note", "event": "add"})
    refused = client.post("/cf/event", content=forged, headers=HEADERS)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    client.cookies.set("user", "boss")
    html = client.get("/").text
    response = client.post(
        "/cf/event", content=_event(_root(html, "staff_note"), "add"), headers=HEADERS
    )
    assert response.status_code == 200
    assert json.loads(response.json()["state"]) == {"notes": 1}
