"""``POST /cf/stream``: one SSE frame per yield, ``stream_done`` last, errors as a frame."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from .conftest import HEADERS, calls, event

Mounted = Callable[..., dict[str, Any]]


def frames(text: str) -> list[dict[str, Any]]:
    assert text.endswith("\n\n")
    blocks = text[:-2].split("\n\n")
    assert all(block.startswith("data: ") for block in blocks)
    return [json.loads(block[len("data: ") :]) for block in blocks]


def test_frames_arrive_in_order_and_end_with_stream_done(
    client: TestClient, mounted: Mounted
) -> None:
    message = event(mounted("steps"), "steps", "run", {"count": 3})
    response = client.post("/cf/stream", json=message, headers=HEADERS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    got = frames(response.text)
    assert [json.loads(f["state"])["step"] for f in got] == [1, 2, 3, 3]
    assert [f["stream_done"] for f in got] == [False, False, False, True]
    assert [f["html"] for f in got] == ["<p>1</p>", "<p>2</p>", "<p>3</p>", "<p>3</p>"]


def test_a_plain_component_streams_one_final_frame(client: TestClient, mounted: Mounted) -> None:
    message = event(mounted("counter"), "counter", "increment")
    got = frames(client.post("/cf/stream", json=message, headers=HEADERS).text)
    assert len(got) == 1
    assert got[0]["stream_done"] is True
    assert json.loads(got[0]["state"]) == {"count": 1}


def test_error_midway_ends_the_stream_with_a_safe_error_frame(
    client: TestClient, mounted: Mounted
) -> None:
    message = event(mounted("steps"), "steps", "fail_midway")
    response = client.post("/cf/stream", json=message, headers=HEADERS)
    got = frames(response.text)
    assert got[0]["type"] == "component_update"
    assert got[-1] == {
        "type": "error",
        "error": "Error handling fail_midway",
        "code": "handler_error",
    }
    assert "leaked" not in response.text


def test_refused_message_gets_its_status_and_one_error_frame(
    client: TestClient, mounted: Mounted
) -> None:
    message = event(mounted("steps"), "steps", "run")
    message["state"] = json.dumps({"step": 99})
    response = client.post("/cf/stream", json=message, headers=HEADERS)
    assert response.status_code == 403
    assert frames(response.text) == [
        {"type": "error", "error": frames(response.text)[0]["error"], "code": "tampered_state"}
    ]


@pytest.mark.parametrize(("user", "status"), [(None, 401), ("bob", 403)])
def test_permissions_refuse_on_sse(client: TestClient, user: str | None, status: int) -> None:
    headers = {**HEADERS, **({"X-User": user} if user else {})}
    response = client.post(
        "/cf/stream", json={"component": "staff_only", "event": "touch"}, headers=headers
    )
    assert response.status_code == status
    assert frames(response.text)[0]["type"] == "error"
    assert calls == []


def test_stream_refuses_non_json_and_missing_header(client: TestClient) -> None:
    body = json.dumps({"component": "steps", "event": "run"})
    assert client.post("/cf/stream", content=body).status_code == 415
    response = client.post("/cf/stream", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "missing_header"
