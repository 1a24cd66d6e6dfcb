"""The Django app end to end: page, template tags, event and stream views, CSRF, users, models."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db.models.signals import pre_init
from django.test import AsyncClient, Client

from component_framework.core._http import script_version
from component_framework.core.renderer import Renderer
from examples.django_site.shop.models import Article

from .conftest import csrf_header, message, roots


class _PlainCount(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('count')}</p>"


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def article() -> Article:
    return Article.objects.create(title="First", body="Hello")


@pytest.fixture
def editor() -> User:
    user = User.objects.create_user("editor", password="pw-editor-123")
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return user


@pytest.fixture
def reader() -> User:
    return User.objects.create_user("reader", password="pw-reader-123")


@pytest.fixture
def loads() -> Iterator[list[str]]:
    """Every Article built (loaded or new), in any thread: component code that ran."""
    built: list[str] = []

    def record(sender: Any, **kwargs: Any) -> None:
        built.append(sender.__name__)

    pre_init.connect(record, sender=Article)
    yield built
    pre_init.disconnect(record, sender=Article)


def page(client: Client) -> tuple[str, dict[str, dict[str, str]], dict[str, str]]:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    return html, roots(html), csrf_header(html)


def post(client: Client, body: Any, headers: dict[str, str], path: str = "/cf/event") -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        path, data=data, content_type="application/json", headers={"X-CF-Request": "1", **headers}
    )


def test_page_renders_components_and_the_script_tag(article: Article) -> None:
    html, found, headers = page(Client())
    counter = found["counter"]
    assert counter["data-cf-endpoint"] == "/cf"
    assert json.loads(counter["data-cf-state"]) == {"count": 3}
    assert 'Count: <strong cf-text="count" data-testid="count">3</strong>' in html
    assert "X-CSRFToken" in headers and len(headers["X-CSRFToken"]) >= 32
    assert 'data-cf-base="/cf"' in html
    assert '<script src="/cf/cf.js?v=' in html
    # Anonymous: the members-only greeting and the protected form render as refusals.
    assert 'data-cf-component="greeting" data-cf-endpoint="/cf"><div role="alert"' in html
    assert "Authentication required." in html
    assert "data-cf-state" not in html.split('data-cf-component="article_form"')[1]


def test_event_with_the_csrf_token_runs_the_handler() -> None:
    client = Client(enforce_csrf_checks=True)
    _, found, headers = page(client)
    response = post(client, message(found["counter"], "increment", {"amount": 2}), headers)
    assert response.status_code == 200, response.content
    reply = response.json()
    assert reply["type"] == "component_update"
    assert json.loads(reply["state"]) == {"count": 5}
    assert response["Cache-Control"] == "no-store"
    assert response["X-CF-Version"] == script_version()  # the cf.js this server serves


def test_event_without_the_csrf_token_is_refused_by_django() -> None:
    client = Client(enforce_csrf_checks=True)
    _, found, _ = page(client)
    response = post(client, message(found["counter"], "increment"), {})
    assert response.status_code == 403
    assert b"CSRF" in response.content  # Django's own refusal page, not a component reply


def test_stream_without_the_csrf_token_is_refused_by_django() -> None:
    client = Client(enforce_csrf_checks=True)
    _, found, _ = page(client)
    response = post(client, message(found["counter"], "increment"), {}, "/cf/stream")
    assert response.status_code == 403


def test_transport_refusals_match_the_starlette_transport() -> None:
    client = Client()
    _, found, headers = page(client)
    body = json.dumps(message(found["counter"], "increment"))
    plain = client.post("/cf/event", data=body, content_type="text/plain", headers=headers)
    assert plain.status_code == 415
    assert plain.json()["code"] == "unsupported_media_type"
    unmarked = client.post("/cf/event", data=body, content_type="application/json")
    assert unmarked.status_code == 400
    assert unmarked.json()["code"] == "missing_header"
    huge = post(client, b'{"component": "' + b"x" * 1_100_000 + b'"}', headers)
    assert huge.status_code == 413
    assert huge.json()["code"] == "too_large"
    assert client.get("/cf/event").status_code == 405


def test_tampered_state_is_refused() -> None:
    client = Client()
    _, found, headers = page(client)
    tampered = message(found["counter"], "increment")
    tampered["state"] = json.dumps({"count": 1000})
    response = post(client, tampered, headers)
    assert response.status_code == 403
    assert response.json()["code"] == "tampered_state"


def test_request_user_reaches_permission_classes(reader: User) -> None:
    anonymous = Client()
    assert post(anonymous, {"component": "greeting"}, {}).status_code == 401
    client = Client()
    client.force_login(reader)
    html, found, headers = page(client)
    assert "Signed in as reader" in html
    response = post(client, message(found["greeting"], "wave"), headers)
    assert response.status_code == 200
    assert json.loads(response.json()["state"]) == {"waves": 1}


def test_model_permission_refuses_without_running_component_code(
    article: Article, reader: User, loads: list[str]
) -> None:
    client = Client()
    client.force_login(reader)
    html, _, headers = page(client)
    assert "Permission denied." in html
    loads.clear()
    forged = {"component": "article_form", "event": "submit", "payload": {}}
    response = post(client, forged, headers)
    assert response.status_code == 403
    assert response.json() == {
        "type": "error",
        "error": "Permission denied.",
        "code": "permission_denied",
    }
    assert loads == []  # no Article was loaded or built: no component code ran


def test_model_form_saves_through_the_orm_and_shows_again(article: Article, editor: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    _, found, headers = page(client)
    form = found["article_form"]
    assert json.loads(form["data-cf-state"])["pk"] == article.pk
    data = {"form_data": {"title": "Second edition", "body": "New body"}}
    response = post(client, message(form, "submit", data), headers)
    assert response.status_code == 200, response.content
    assert 'data-testid="saved"' in response.json()["html"]
    article.refresh_from_db()
    assert (article.title, article.body) == ("Second edition", "New body")
    html, _, _ = page(client)
    assert 'value="Second edition"' in html


def test_model_form_shows_field_errors_and_saves_nothing(article: Article, editor: User) -> None:
    client = Client()
    client.force_login(editor)
    _, found, headers = page(client)
    data = {"form_data": {"title": "ab", "body": ""}}
    response = post(client, message(found["article_form"], "submit", data), headers)
    assert response.status_code == 200
    assert 'data-testid="title-error">Use at least 3 characters.' in (response.json()["html"])
    article.refresh_from_db()
    assert article.title == "First"


def test_deleted_instance_is_a_clear_error(article: Article, editor: User) -> None:
    client = Client()
    client.force_login(editor)
    _, found, headers = page(client)
    pk = article.pk
    article.delete()
    data = {"form_data": {"title": "Again", "body": ""}}
    response = post(client, message(found["article_form"], "submit", data), headers)
    assert response.status_code == 404
    assert response.json()["error"] == (
        f"Article with pk={pk} does not exist (it may have been deleted); reload the page."
    )


def _frames(content: bytes) -> list[dict[str, Any]]:
    return [
        json.loads(line[len(b"data: ") :])
        for line in content.splitlines()
        if line.startswith(b"data: ")
    ]


def test_stream_under_wsgi() -> None:
    client = Client()
    _, _, headers = page(client)
    response = post(client, {"component": "steps", "event": "run"}, headers, "/cf/stream")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    frames = _frames(b"".join(response.streaming_content))
    assert [json.loads(f["state"])["step"] for f in frames] == [1, 2, 3, 3]
    assert frames[-1]["stream_done"] is True


async def test_event_and_stream_under_asgi() -> None:
    client = AsyncClient()
    page_response = await client.get("/")
    html = page_response.content.decode()
    counter = roots(html)["counter"]
    headers = {"X-CF-Request": "1", **csrf_header(html)}
    body = json.dumps(message(counter, "increment"))
    response = await client.post(
        "/cf/event", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200
    assert json.loads(response.json()["state"]) == {"count": 4}
    stream = await client.post(
        "/cf/stream",
        data=json.dumps({"component": "steps", "event": "run", "payload": {"count": 2}}),
        content_type="application/json",
        headers=headers,
    )
    chunks = [chunk async for chunk in stream.streaming_content]
    frames = _frames(b"".join(chunks))
    assert [json.loads(f["state"])["step"] for f in frames] == [1, 2, 2]


def test_stream_refusal_has_its_status() -> None:
    client = Client()
    _, _, headers = page(client)
    response = post(client, {"component": "greeting", "event": "wave"}, headers, "/cf/stream")
    assert response.status_code == 401
    assert _frames(b"".join(response.streaming_content))[0]["code"] == "not_authenticated"


def test_cf_js_is_served_from_package_data() -> None:
    client = Client()
    response = client.get("/cf/cf.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert b"data-cf-headers" in response.content
    etag = response["ETag"]
    assert client.get("/cf/cf.js", headers={"If-None-Match": etag}).status_code == 304


def test_a_background_task_outlives_a_wsgi_requests_event_loop() -> None:
    """Under WSGI, Django runs the async event view on a loop that ends with the request: the
    task it starts runs on the process's background loop instead, and is not lost."""
    import threading

    from component_framework.core import Component
    from component_framework.core.protocol import render_component
    from component_framework.django import _config

    ran = threading.Event()

    async def work() -> str:
        await asyncio.sleep(0.05)  # still running when the request's loop ends
        ran.set()
        return "done"

    class Tasker(Component):
        renderer = _PlainCount()
        template_name = "tasker.html"

        def mount(self) -> None:
            self.state = {"count": 0}

        def on_go(self) -> None:
            self.start_task(work, event="done")

        def on_done(self, result: str) -> None:
            self.state["count"] = 1

    registry = _config.config().registry
    registry.register("tasker")(Tasker)
    try:
        first = render_component("tasker", config=_config.config())
        body = {
            "component": "tasker",
            "component_id": first["component_id"],
            "event": "go",
            "payload": {},
            "state": first["state"],
            "checksum": first["checksum"],
        }
        _, _, headers = page(Client())
        assert post(Client(), body, headers).status_code == 200
        assert ran.wait(10)
    finally:
        registry.unregister("tasker")
