"""``POST /cf/event``: JSON in, JSON out, status from the reply; refusals run nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from .conftest import HEADERS, calls, event

Mounted = Callable[..., dict[str, Any]]


def test_mount_then_event_round_trip(client: TestClient, mounted: Mounted) -> None:
    first = mounted("counter")
    assert first["type"] == "component_update"
    assert first["html"].startswith('<p>Count: <b cf-text="count">0</b>')
    response = client.post("/cf/event", json=event(first, "counter", "increment"), headers=HEADERS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    reply = response.json()
    assert json.loads(reply["state"]) == {"count": 1}
    assert reply["component_id"] == first["component_id"]
    assert first["subscribe_token"].startswith("counter:")
    assert reply["subscribe_token"] is None  # the page keeps the token of its first render
    assert calls == ["increment"]


def test_reply_carries_optimistic_patches(client: TestClient, mounted: Mounted) -> None:
    first = mounted("counter")
    assert first["optimistic"] == {'increment|{"amount": 2}': {"count": 2}}
    reply = client.post(
        "/cf/event", json=event(first, "counter", "increment", {"amount": 2}), headers=HEADERS
    ).json()
    assert reply["optimistic"] == {'increment|{"amount": 2}': {"count": 4}}


@pytest.mark.parametrize(
    ("content_type", "status", "code"),
    [
        (None, 415, "unsupported_media_type"),
        ("text/plain", 415, "unsupported_media_type"),
        ("application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("multipart/form-data; boundary=x", 415, "unsupported_media_type"),
    ],
)
def test_non_json_bodies_are_refused(
    client: TestClient, mounted: Mounted, content_type: str | None, status: int, code: str
) -> None:
    message = event(mounted("counter"), "counter", "increment")
    calls.clear()
    headers = {"X-CF-Request": "1"}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/cf/event", content=json.dumps(message), headers=headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert "application/json" in response.json()["error"]
    assert calls == []


def test_json_with_charset_is_accepted(client: TestClient, mounted: Mounted) -> None:
    message = event(mounted("counter"), "counter", "increment")
    headers = {"Content-Type": "application/json; charset=utf-8", "X-CF-Request": "1"}
    response = client.post("/cf/event", content=json.dumps(message), headers=headers)
    assert response.status_code == 200


def test_of_repeated_headers_the_first_counts(client: TestClient, mounted: Mounted) -> None:
    message = json.dumps(event(mounted("counter"), "counter", "increment"))
    calls.clear()
    refused = client.post(
        "/cf/event",
        content=message,
        headers=[
            ("Content-Type", "text/plain"),
            ("Content-Type", "application/json"),
            ("X-CF-Request", "1"),
        ],
    )
    assert (refused.status_code, refused.json()["code"]) == (415, "unsupported_media_type")
    assert calls == []
    accepted = client.post(
        "/cf/event",
        content=message,
        headers=[
            ("Content-Type", "application/json"),
            ("Content-Type", "text/plain"),
            ("X-CF-Request", "1"),
        ],
    )
    assert accepted.status_code == 200


def test_missing_custom_header_is_refused(client: TestClient, mounted: Mounted) -> None:
    message = event(mounted("counter"), "counter", "increment")
    calls.clear()
    response = client.post("/cf/event", json=message, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert body == {"type": "error", "code": "missing_header", "error": body["error"]}
    assert "X-CF-Request" in body["error"]
    assert calls == []


def test_oversized_body_is_refused(components: Any, client: TestClient) -> None:
    big = {"component": "counter", "payload": {"x": "a" * (components.max_body_bytes + 1)}}
    response = client.post("/cf/event", json=big, headers=HEADERS)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_oversized_chunked_body_is_refused(components: Any, client: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(components.max_body_bytes // 65536 + 2):
            yield b"a" * 65536

    response = client.post("/cf/event", content=chunks(), headers=HEADERS)
    assert response.status_code == 413


def test_message_sent_in_chunks_is_joined(client: TestClient, mounted: Mounted) -> None:
    body = json.dumps(event(mounted("counter"), "counter", "increment")).encode()

    def chunks() -> Any:
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    response = client.post("/cf/event", content=chunks(), headers=HEADERS)
    assert response.status_code == 200
    assert json.loads(response.json()["state"]) == {"count": 1}
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_message"),
        (b"[1, 2]", 400, "bad_message"),
        (b'{"component": "nope"}', 404, "unknown_component"),
        (b'{"component": "counter", "event": "_private"}', 404, "unknown_event"),
        (b'{"component": "counter", "event": "missing"}', 404, "unknown_event"),
        (b'{"component": "counter", "event": "increment", "payload": []}', 400, "bad_message"),
        (
            b'{"component": "counter", "event": "increment", "payload": {"amount": {"x": 1}}}',
            400,
            "invalid_payload",
        ),
    ],
)
def test_bad_messages_map_to_status_codes(
    client: TestClient, body: bytes, status: int, code: str
) -> None:
    response = client.post("/cf/event", content=body, headers=HEADERS)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert calls == []


def test_tampered_state_is_refused_before_any_handler(client: TestClient, mounted: Mounted) -> None:
    message = event(mounted("counter"), "counter", "increment")
    message["state"] = json.dumps({"count": 1000})
    calls.clear()
    response = client.post("/cf/event", json=message, headers=HEADERS)
    assert response.status_code == 403
    assert response.json()["code"] == "tampered_state"
    assert calls == []


def test_handler_exception_text_never_leaks(client: TestClient, mounted: Mounted) -> None:
    message = event(mounted("counter"), "counter", "explode")
    response = client.post("/cf/event", json=message, headers=HEADERS)
    assert response.status_code == 500
    assert response.json() == {
        "type": "error",
        "error": "Error handling explode",
        "code": "handler_error",
    }
    assert "hunter2" not in response.text


def test_get_is_not_allowed(client: TestClient) -> None:
    assert client.get("/cf/event").status_code == 405


@pytest.mark.parametrize(
    ("name", "user", "status", "code"),
    [
        ("members_only", None, 401, "not_authenticated"),
        ("staff_only", None, 401, "not_authenticated"),
        ("staff_only", "bob", 403, "permission_denied"),
    ],
)
def test_permissions_refuse_on_http(
    client: TestClient, name: str, user: str | None, status: int, code: str
) -> None:
    headers = {**HEADERS, **({"X-User": user} if user else {})}
    response = client.post("/cf/event", json={"component": name, "event": "touch"}, headers=headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert calls == []


def test_permissions_grant_with_the_real_request_user(client: TestClient) -> None:
    for name, user in (("members_only", "ann"), ("staff_only", "ann:staff")):
        response = client.post(
            "/cf/event",
            json={"component": name, "event": "touch"},
            headers={**HEADERS, "X-User": user},
        )
        assert response.status_code == 200, response.text
    assert calls == ["touch", "touch"]


def test_form_submit_validates_per_field(client: TestClient, mounted: Mounted) -> None:
    first = mounted("signup")
    message = event(first, "signup", "submit", {"form_data": {"name": "A"}})
    reply = client.post("/cf/event", json=message, headers=HEADERS).json()
    assert reply["html"] == "<form><i>name</i></form>"
    assert calls == []
    message = event(first, "signup", "submit", {"form_data": {"name": "Ada"}})
    assert client.post("/cf/event", json=message, headers=HEADERS).status_code == 200
    assert calls == ["submit"]


def test_nan_in_the_body_is_refused_as_bad_json(client: TestClient, mounted: Mounted) -> None:
    first = mounted("counter")
    body = json.dumps(event(first, "counter", "increment")).replace("{}", '{"amount": NaN}')
    response = client.post("/cf/event", content=body, headers=HEADERS)
    assert response.status_code == 400
    assert response.json() == {
        "type": "error",
        "error": "Message is not valid JSON: NaN is not a JSON value.",
        "code": "bad_message",
    }
    assert calls == []


def test_a_client_chosen_id_without_state_gets_no_subscription_token(
    client: TestClient,
) -> None:
    # Anyone could otherwise name another user's component id and watch its pushes.
    response = client.post(
        "/cf/event", json={"component": "counter", "component_id": "inbox-42"}, headers=HEADERS
    )
    assert response.status_code == 200
    assert response.json()["subscribe_token"] is None
