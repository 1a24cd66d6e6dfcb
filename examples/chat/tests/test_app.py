"""The pages: sign in by name (checked), the rooms behind it, an unknown room."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from chat import media
from chat.app import app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def test_a_room_asks_to_sign_in_first_then_opens(client: TestClient) -> None:
    response = client.get("/rooms/help", follow_redirects=False)
    assert response.headers["location"] == "/sign-in?next=/rooms/help"
    response = client.post("/sign-in", data={"name": "  Ada   L. ", "next": "/rooms/help"})
    assert response.url.path == "/rooms/help"
    assert "Signed in as <b>Ada L.</b>" in response.text
    assert 'data-cf-component="room_help"' in response.text
    assert "Counting the messages of #help" in response.text  # the lazy panel's placeholder


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Enter a name: it is shown beside your messages."),
        ("x" * 31, "Use at most 30 characters."),
        ("<script>", "Use letters, digits, spaces and . &#39; _ - only."),
    ],
)
def test_a_bad_name_is_refused_and_says_why(client: TestClient, name: str, error: str) -> None:
    response = client.post("/sign-in", data={"name": name})
    assert response.status_code == 400
    assert error in response.text
    assert "<script>" not in response.text  # what was typed comes back escaped
    assert client.get("/rooms/general", follow_redirects=False).status_code == 303


def test_signing_in_never_sends_anyone_to_another_site(client: TestClient) -> None:
    response = client.post(
        "/sign-in", data={"name": "ada", "next": "https://evil.example/"}, follow_redirects=False
    )
    assert response.headers["location"] == "/rooms/general"


def test_attachments_are_for_people_who_signed_in(client: TestClient) -> None:
    kept = media.directory() / ("a" * 32 + ".png")
    kept.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert client.get(f"/attachments/{kept.name}").status_code == 403
    client.post("/sign-in", data={"name": "ada"})
    response = client.get(f"/attachments/{kept.name}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    for name in ("b" * 32 + ".png", "..%2Fchat.db", "a" * 32 + ".svg"):
        assert client.get(f"/attachments/{name}").status_code == 404


def test_an_unknown_room_is_not_found_and_sign_out_ends_the_session(client: TestClient) -> None:
    client.post("/sign-in", data={"name": "ada"})
    response = client.get("/rooms/nowhere")
    assert response.status_code == 404
    assert "There is no room “nowhere”." in response.text
    client.post("/sign-out")
    assert client.get("/rooms/general", follow_redirects=False).status_code == 303
