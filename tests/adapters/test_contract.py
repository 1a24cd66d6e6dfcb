"""One contract, every adapter: the same messages get the same replies and statuses.

Starlette (``ComponentApp``), FastAPI (``ComponentApp`` mounted), Django under WSGI (its test
``Client``) and ASGI (``AsyncClient``), Litestar (``create_router``) and Flask (``Components``)
all serve the example Django site's components with the same signer; each case is sent through
each of them, as an anonymous visitor and as a logged-in user (each framework's own
authentication: a header backend for Starlette and Litestar, Django's session for Django,
Flask-Login's request loader for Flask), so an adapter that drifts from the others fails here.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode

import jinja2
import pytest
from django.test import AsyncClient, Client

from component_framework.core import Component, StreamingComponent
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import http_status, signed_message
from component_framework.django._config import config
from component_framework.django._render import jinja_globals

from .conftest import Adapters, logged_in

# The logged-in user and her session are made once for the module (committed); the marker asks
# pytest-django for the test database.
pytestmark = pytest.mark.django_db

Post = Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]
HEARD: dict[str, dict[str, str]] = {}
"""The headers of each adapter's last reply (lower-cased names)."""
HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
ALICE = {**HEADERS, "X-User": "alice"}


NESTING = jinja2.DictLoader(
    {
        "nest.html": '<section>{{ component("greeting") }}</section>',
        "nest_steps.html": "<section>{{ state.step }}{{ component('greeting') }}</section>",
    }
)


@pytest.fixture(scope="module")
def nesting() -> Iterator[None]:
    """Components whose templates nest ``greeting`` (IsAuthenticated) in the site's registry."""
    registry = config().registry
    renderer = JinjaRenderer(loader=NESTING)
    renderer.environment.globals.update(jinja_globals())

    class Nest(Component):
        template_name = "nest.html"

        def on_touch(self) -> None:
            pass

    class NestSteps(StreamingComponent):
        template_name = "nest_steps.html"

        def mount(self) -> None:
            super().mount()
            self.state["step"] = 0

        async def on_run(self) -> Any:
            for step in (1, 2):
                self.state["step"] = step
                yield

    class Navigator(Component):
        # Redirects where the client says: an open redirect unless refused.
        def render(self) -> str:
            return "<p>navigator</p>"

        def on_go(self, to: str) -> None:
            self.flash("success", "Moved.")
            self.redirect(to)

    class HtmxNavigator(Navigator):
        transport: ClassVar[Literal["http", "ws", "htmx"]] = "htmx"

        def on_look(self, page: int) -> None:
            self.dispatch_browser_event("list:shown", {"page": page})
            self.flash("info", "Shown.")
            self.patch_url(query={"page": page})

    class Limited(Component):
        template_name = "nest.html"
        rate_limits: ClassVar[dict[str, str]] = {"touch": "1/day", "poke": "1/day", "tap": "1/day"}

        def on_touch(self) -> None:
            pass

        def on_tap(self) -> None:
            pass

        def on_poke(self) -> None:
            pass

    Nest.renderer = NestSteps.renderer = Limited.renderer = renderer
    registry.register("nest")(Nest)
    registry.register("nest_steps")(NestSteps)
    registry.register("navigator")(Navigator)
    registry.register("limited")(Limited)
    registry.register("htmx_navigator")(HtmxNavigator)
    yield
    registry.unregister("htmx_navigator")
    registry.unregister("nest")
    registry.unregister("nest_steps")
    registry.unregister("navigator")
    registry.unregister("limited")


@pytest.fixture(scope="module")
def alice(django_db_blocker: Any, django_db_setup: None) -> Iterator[tuple[Client, AsyncClient]]:
    """Django test clients logged in as alice (her session in the test database)."""
    with logged_in("alice", django_db_blocker) as clients:
        yield clients


@pytest.fixture(scope="module")
def adapters(nesting: None, every_adapter: Adapters) -> dict[str, Post]:
    """name -> post(path, body, headers) returning (status, body), for every adapter."""
    flask = every_adapter.flask
    wsgi_clients, asgi_clients = every_adapter.wsgi, every_adapter.asgi

    def over(client: Any, name: str) -> Post:
        def post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
            response = client.post(path, content=body, headers=headers)
            HEARD[name] = {k.lower(): v for k, v in response.headers.items()}
            return response.status_code, response.content

        return post

    def django_headers(headers: dict[str, str]) -> tuple[str, dict[str, str]]:
        # Django logs in by its session, not by a header.
        extra = {k: v for k, v in headers.items() if k not in ("Content-Type", "X-User")}
        return headers.get("Content-Type", ""), extra

    def wsgi(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        content_type, extra = django_headers(headers)
        client = wsgi_clients["X-User" in headers]
        response = client.post(path, body, content_type=content_type, headers=extra)
        HEARD["django-wsgi"] = {k.lower(): v for k, v in response.headers.items()}
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, content

    def asgi(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        content_type, extra = django_headers(headers)
        client = asgi_clients["X-User" in headers]

        async def send() -> tuple[int, bytes]:
            response = await client.post(path, body, content_type=content_type, headers=extra)
            HEARD["django-asgi"] = {k.lower(): v for k, v in response.headers.items()}
            if response.streaming:
                chunks = [chunk async for chunk in response.streaming_content]
                return response.status_code, b"".join(chunks)
            return response.status_code, response.content

        return asyncio.run(send())

    def flask_post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        response = flask.post(path, data=body, headers=headers)
        HEARD["flask"] = {k.lower(): v for k, v in response.headers.items()}
        return response.status_code, response.get_data()

    return {
        "starlette": over(every_adapter.starlette, "starlette"),
        "fastapi": over(every_adapter.fastapi, "fastapi"),
        "django-wsgi": wsgi,
        "django-asgi": asgi,
        "litestar": over(every_adapter.litestar, "litestar"),
        "flask": flask_post,
    }


def _counter(**changes: Any) -> dict[str, Any]:
    message = signed_message(
        "counter", "increment", {"amount": 2}, {"count": 3}, component_id="component-contract"
    )
    return {**message, **changes}


def _greeting(**changes: Any) -> dict[str, Any]:
    message = signed_message("greeting", "wave", {}, {"waves": 1}, component_id="g-1")
    return {**message, **changes}


def _navigator(to: str) -> dict[str, Any]:
    return signed_message("navigator", "go", {"to": to}, {}, component_id="nav-1")


def _search(**changes: Any) -> dict[str, Any]:
    message = signed_message("article_search", None, {}, {"search": ""}, component_id="a-1")
    return {**message, **changes}


def _batch(*messages: Any) -> dict[str, Any]:
    return {"type": "component_batch", "messages": list(messages)}


# A sibling, a component with a nested child needing a login, one needing a login itself, and
# a tampered state: each gets its own reply.
BATCHED = [
    _counter(),
    {"component": "nest", "component_id": "n-1", "event": "touch"},
    _greeting(),
    _counter(state='{"count":1000}'),
]

STEPS = {"component": "steps", "component_id": "s-1", "event": "run", "payload": {"count": 2}}
OVERSIZE = b'{"component": "' + b"x" * (1024 * 1024) + b'"}'

CASES: dict[str, tuple[str, Any, dict[str, str], int]] = {
    # name: (endpoint, message, headers, the status every adapter answers)
    "valid event": ("event", _counter(), HEADERS, 200),
    "first render": ("event", {"component": "counter", "component_id": "c-1"}, HEADERS, 200),
    "tampered state": ("event", _counter(state='{"count":1000}'), HEADERS, 403),
    "unknown event": ("event", _counter(event="explode"), HEADERS, 404),
    "private event": ("event", _counter(event="_secret"), HEADERS, 404),
    "bad payload": ("event", _counter(payload={"amount": {"x": 1}}), HEADERS, 400),
    "unknown component": ("event", {"component": "nope"}, HEADERS, 404),
    "anonymous user refused": ("event", _greeting(), HEADERS, 401),
    "logged-in user": ("event", _greeting(), ALICE, 200),
    "nested, anonymous": ("event", {"component": "nest", "component_id": "n-1"}, HEADERS, 200),
    "nested, logged in": ("event", {"component": "nest", "component_id": "n-1"}, ALICE, 200),
    "nested event, logged in": (
        "event",
        {"component": "nest", "component_id": "n-1", "event": "touch"},
        ALICE,
        200,
    ),
    # A component written in Django templates with a django-cotton button (the shop's tally).
    "Django templates": ("event", {"component": "tally", "component_id": "t-1"}, HEADERS, 200),
    "Django templates event": (
        "event",
        {**signed_message("tally", "add", {}, {"count": 1}, component_id="t-1")},
        HEADERS,
        200,
    ),
    "bad JSON": ("event", b'{"component": ', HEADERS, 400),
    "JSON that is no object": ("event", b'"counter"', HEADERS, 400),
    "oversize body": ("event", OVERSIZE, HEADERS, 413),
    "wrong content type": ("event", _counter(), {**HEADERS, "Content-Type": "text/plain"}, 415),
    "no X-CF-Request": ("event", _counter(), {"Content-Type": "application/json"}, 400),
    "stream": ("stream", STEPS, HEADERS, 200),
    "stream refused": ("stream", _greeting(), HEADERS, 401),
    "stream, logged in": ("stream", _greeting(), ALICE, 200),
    "stream nesting, logged in": (
        "stream",
        {"component": "nest_steps", "component_id": "ns-1", "event": "run"},
        ALICE,
        200,
    ),
    "stream nesting, anonymous": (
        "stream",
        {"component": "nest_steps", "component_id": "ns-1", "event": "run"},
        HEADERS,
        200,
    ),
    "stream, tampered state": ("stream", _counter(state='{"count":1000}'), HEADERS, 403),
    "stream, bad JSON": ("stream", b"[1, 2", HEADERS, 400),
    "stream, oversize body": ("stream", OVERSIZE, HEADERS, 413),
    "stream, no X-CF-Request": ("stream", STEPS, {"Content-Type": "application/json"}, 400),
    "stream, wrong content type": ("stream", STEPS, {**HEADERS, "Content-Type": "text/html"}, 415),
    "redirect with a flash": ("event", _navigator("/products?page=2"), HEADERS, 200),
    "open redirect refused": ("event", _navigator("https://evil.example/"), HEADERS, 400),
    "render from the URL": ("event", _search(url="q=zzz-no-such-title"), HEADERS, 200),
    "a 10 KB query string": ("event", _search(url="q=" + "x" * 10_240), HEADERS, 400),
    "a URL that is no string": ("event", _search(url=["q"]), HEADERS, 400),
    "stream, redirect": ("stream", _navigator("/products"), HEADERS, 200),
    # Several messages in one request (an event emitted to several components of a page).
    "batch": ("event", _batch(*BATCHED), HEADERS, 200),
    "batch, logged in": ("event", _batch(*BATCHED), ALICE, 200),
    "batch over the length limit": ("event", _batch(*[_counter()] * 21), HEADERS, 400),
    "batch inside a batch": ("event", _batch(_counter(), _batch(_counter())), HEADERS, 400),
}

# A nested child gets a fresh random id, state signature and subscription token per render.
_PER_RENDER = re.compile(r'(data-cf-(?:id|state|checksum|token|mount-checksum))="[^"]*"')


def _same_for_every_render(reply: dict[str, Any]) -> dict[str, Any]:
    for inner in reply.get("replies", ()):  # a batch's
        _same_for_every_render(inner)
    if "html" in reply:
        reply["html"] = _PER_RENDER.sub(r'\1="..."', reply["html"])
    for effect in reply.get("effects", ()):
        if "flash" in effect:  # "<issued>.<messages>.<digest>": issued (and signed) per second
            effect["flash"] = effect["flash"].split(".")[1]
    return reply


def _decode(path: str, body: bytes) -> Any:
    text = body.decode()
    if path == "stream" and text.startswith("data: "):
        lines = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
        return [_same_for_every_render(json.loads(line)) for line in lines]
    return _same_for_every_render(json.loads(text))


def _replies(case: str, adapters: dict[str, Post]) -> dict[str, tuple[int, Any]]:
    path, message, headers, _ = CASES[case]
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    replies = {}
    for name, post in adapters.items():
        status, content = post(f"/cf/{path}", body, headers)
        replies[name] = (status, _decode(path, content))
    return replies


@pytest.mark.parametrize("case", list(CASES))
def test_every_adapter_gives_the_same_reply(case: str, adapters: dict[str, Post]) -> None:
    replies = _replies(case, adapters)
    expected = replies["starlette"]
    assert expected[0] == CASES[case][3], expected
    for name, reply in replies.items():
        assert reply == expected, f"{name} differs from starlette on {case!r}"


def _html(reply: Any) -> str:
    last = reply[-1] if isinstance(reply, list) else reply
    return str(last["html"])


@pytest.mark.parametrize(
    "case", ["nested, logged in", "nested event, logged in", "stream nesting, logged in"]
)
def test_a_nested_child_with_permissions_renders_for_the_logged_in_user(
    case: str, adapters: dict[str, Post]
) -> None:
    for name, (_, reply) in _replies(case, adapters).items():
        html = _html(reply)
        assert "Waves: 0" in html, f"{name}: {html}"
        assert "Authentication required" not in html, f"{name}: {html}"


@pytest.mark.parametrize("case", ["nested, anonymous", "stream nesting, anonymous"])
def test_a_nested_child_with_permissions_refuses_an_anonymous_visitor(
    case: str, adapters: dict[str, Post]
) -> None:
    for name, (_, reply) in _replies(case, adapters).items():
        html = _html(reply)
        assert 'role="alert"' in html and "Waves" not in html, f"{name}: {html}"


@pytest.mark.parametrize(("path", "event"), [("event", "touch"), ("stream", "poke")])
def test_every_adapter_refuses_a_message_over_a_rate_limit_alike(
    path: str, event: str, adapters: dict[str, Post]
) -> None:
    # One touch a day per user, counted per app: Django's WSGI and ASGI clients serve one
    # Django app, so its ASGI client finds alice's touch already counted.
    body = json.dumps({"component": "limited", "event": event}).encode()
    replies = {}
    for name, post in adapters.items():
        first = post(f"/cf/{path}", body, ALICE)
        second = post(f"/cf/{path}", body, ALICE)
        assert first[0] == (429 if name == "django-asgi" else 200), (name, first)
        replies[name] = (second[0], _decode(path, second[1]))
    status, reply = replies["starlette"]
    error = reply[0] if path == "stream" else reply
    assert status == 429 and error["code"] == "rate_limited", reply
    assert error["error"].startswith(f"Too many requests: at most 1 '{event}' event per day.")
    for name, (other_status, other) in replies.items():
        other_error = other[0] if path == "stream" else other
        assert other_status == 429 and other_error["code"] == "rate_limited", name
        assert abs(other_error["retry_after"] - error["retry_after"]) <= 5, name


@pytest.mark.parametrize(("case", "greeting"), [("batch", 401), ("batch, logged in", 200)])
def test_every_adapter_answers_each_message_of_a_batch_on_its_own(
    case: str, greeting: int, adapters: dict[str, Post]
) -> None:
    for name, (status, reply) in _replies(case, adapters).items():
        assert status == 200 and reply["type"] == "batch_reply", name
        counter, nest, greeted, tampered = reply["replies"]
        assert counter["type"] == "component_update" and "5" in counter["html"], name
        assert nest["type"] == "component_update", name
        assert ("Waves: 0" in nest["html"]) == (greeting == 200), name
        assert http_status(greeted) == greeting, name
        assert tampered["code"] == "tampered_state", name


def test_every_adapter_refuses_a_too_long_batch_alike(adapters: dict[str, Post]) -> None:
    for name, (status, reply) in _replies("batch over the length limit", adapters).items():
        assert status == 400 and reply["code"] == "bad_batch", name
        assert reply["error"].startswith("A component_batch holds 21 messages (limit: 20)"), name


def test_every_adapter_counts_each_message_of_a_batch_against_the_rate_limit(
    adapters: dict[str, Post],
) -> None:
    # One tap a day per user: of a batch of two taps, the second is refused. Django's WSGI and
    # ASGI clients serve one Django app, so its ASGI client finds alice's tap already counted.
    tap = {"component": "limited", "event": "tap"}
    body = json.dumps(_batch(tap, tap)).encode()
    for name, post in adapters.items():
        status, content = post("/cf/event", body, ALICE)
        codes = [r.get("code") for r in json.loads(content)["replies"]]
        first = "rate_limited" if name == "django-asgi" else None
        assert status == 200 and codes == [first, "rate_limited"], name


HTMX = {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}


def _htmx_form(**changes: str) -> bytes:
    message = _counter()
    fields = {
        "cf-component": "counter",
        "cf-id": message["component_id"],
        "cf-state": message["state"],
        "cf-checksum": message["checksum"],
        "cf-event": "increment",
        "amount": "2",
        **changes,
    }
    return urlencode(fields).encode()


HTMX_CASES: dict[str, tuple[bytes, dict[str, str], int]] = {
    "valid event": (_htmx_form(), HTMX, 200),
    "tampered state": (_htmx_form(**{"cf-state": '{"count":1000}'}), HTMX, 403),
    "bad payload": (_htmx_form(amount="many"), HTMX, 400),
    "unknown component": (_htmx_form(**{"cf-component": "nope"}), HTMX, 404),
    "no component": (b"cf-event=increment", HTMX, 400),
    "no HX-Request": (_htmx_form(), {"Content-Type": HTMX["Content-Type"]}, 400),
    "JSON body": (b"{}", {**HTMX, "Content-Type": "application/json"}, 415),
}


@pytest.mark.parametrize("case", list(HTMX_CASES))
def test_every_adapter_answers_htmx_alike(case: str, adapters: dict[str, Post]) -> None:
    body, headers, status = HTMX_CASES[case]
    replies = {name: post("/cf/htmx", body, headers) for name, post in adapters.items()}
    assert replies["starlette"][0] == status, replies["starlette"]
    for name, reply in replies.items():
        assert reply == replies["starlette"], f"{name} differs from starlette on {case!r}"
    if status == 200:
        assert b'data-testid="count">5</strong>' in replies["starlette"][1]
        assert b"hx-vals=" in replies["starlette"][1]  # the signed state for the next request
    else:
        assert b'role="alert"' in replies["starlette"][1]


def _htmx_navigator(event: str, **fields: str) -> bytes:
    message = signed_message("htmx_navigator", None, {}, {}, component_id="hx-nav-1")
    values = {
        "cf-component": "htmx_navigator",
        "cf-id": "hx-nav-1",
        "cf-state": message["state"],
        "cf-checksum": message["checksum"],
        "cf-event": event,
        **fields,
    }
    return urlencode(values).encode()


def test_every_adapter_applies_effects_through_htmxs_headers(adapters: dict[str, Post]) -> None:
    page = {**HTMX, "HX-Current-URL": "http://testserver/articles?q=tea&page=1"}
    for name, post in adapters.items():
        status, body = post("/cf/htmx", _htmx_navigator("look", page="2"), page)
        heard = HEARD[name]
        assert status == 200, (name, body)
        assert heard["hx-push-url"] == "/articles?q=tea&page=2", name
        assert json.loads(heard["hx-trigger-after-settle"]) == {"list:shown": {"page": 2}}, name
        assert b'<div hx-swap-oob="beforeend:#cf-flash">' in body and b"Shown." in body, name
        status, body = post("/cf/htmx", _htmx_navigator("go", to="/products"), page)
        heard = HEARD[name]
        assert status == 200 and heard["hx-redirect"] == "/products", name
        assert heard["set-cookie"].startswith("cf_flash="), name
        assert b"hx-swap-oob" not in body, name  # the flash travels to the next page
        status, body = post("/cf/htmx", _htmx_navigator("go", to="https://evil.example/"), page)
        assert status == 400 and b"leads to another site" in body, name
        assert "hx-redirect" not in HEARD[name], name


def test_every_frame_of_a_stream_renders_nested_children_for_the_user(
    adapters: dict[str, Post],
) -> None:
    for name, (_, frames) in _replies("stream nesting, logged in", adapters).items():
        assert [f["stream_done"] for f in frames] == [False, False, True], name
        assert all("Waves: 0" in f["html"] for f in frames), f"{name}: {frames}"


def test_effects_reach_the_page_the_same_way_everywhere(adapters: dict[str, Post]) -> None:
    for name, (_, reply) in _replies("redirect with a flash", adapters).items():
        flash, redirect = reply["effects"]
        assert flash == {"type": "flash", "level": "success", "text": "Moved."}, name
        assert redirect["url"] == "/products?page=2" and redirect["flash"], name
    for name, (_, frames) in _replies("stream, redirect", adapters).items():
        assert [e["type"] for e in frames[-1]["effects"]] == ["flash", "redirect"], name
    for name, (_, reply) in _replies("open redirect refused", adapters).items():
        assert reply["code"] == "unsafe_url" and "another site" in reply["error"], name
    for name, (_, reply) in _replies("a 10 KB query string", adapters).items():
        assert reply["code"] == "invalid_url" and "limit: 4,096" in reply["error"], name
    for name, (_, reply) in _replies("render from the URL", adapters).items():
        assert "No article matches." in reply["html"], name
        assert json.loads(reply["state"])["search"] == "zzz-no-such-title", name
