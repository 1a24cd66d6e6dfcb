"""The Jinja helpers: ``{{ component(...) }}`` and ``{{ cf_scripts() }}``; cf.js is served."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import jinja2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.testclient import TestClient

from component_framework.core import ComponentError
from component_framework.core.state import InMemoryStateStore
from component_framework.web import ComponentApp

from .conftest import HEADERS


def attributes(markup: str) -> dict[str, str]:
    root = re.match(r"<div([^>]*)>", markup)
    assert root is not None
    return {
        name: html.unescape(value or "")
        for name, value in re.findall(r'\s([\w-]+)(?:="([^"]*)")?', root.group(1))
    }


def test_component_renders_its_root_with_signed_state(components: ComponentApp) -> None:
    markup = components.render("counter", None, start=3)
    attrs = attributes(markup)
    assert attrs["data-cf-component"] == "counter"
    assert attrs["data-cf-endpoint"] == "/cf"
    assert json.loads(attrs["data-cf-state"]) == {"count": 3}
    assert attrs["data-cf-checksum"] == components.signer.sign(
        "counter", attrs["data-cf-id"], attrs["data-cf-state"]
    )
    assert attrs["data-cf-token"].startswith("counter:")
    assert '<b cf-text="count">3</b>' in markup
    assert markup.endswith("</button></div>")
    assert json.loads(attrs["data-cf-optimistic"]) == {'increment|{"amount": 2}': {"count": 5}}


def test_render_marks_streaming_components(components: ComponentApp) -> None:
    assert "data-cf-stream" in attributes(components.render("steps"))
    assert "data-cf-stream" not in attributes(components.render("counter"))


def test_state_with_markup_is_escaped(components: ComponentApp) -> None:
    markup = components.render("counter", None, start='"><script>alert(1)</script>')
    assert "<script>" not in markup
    assert json.loads(attributes(markup)["data-cf-state"])["count"].startswith('">')


def test_unknown_component_raises_a_clear_error(components: ComponentApp) -> None:
    with pytest.raises(ComponentError, match=r"Component 'countr' not found\. Did you mean"):
        components.render("countr")


def test_refused_permission_renders_a_visible_error(components: ComponentApp) -> None:
    markup = components.render("members_only")
    assert 'role="alert"' in markup
    assert "Authentication required." in markup
    assert "data-cf-state" not in markup


def test_a_store_that_cannot_take_the_state_renders_a_visible_error(
    components: ComponentApp,
) -> None:
    # A state larger than the store's whole budget (or a Redis out of memory): the page is
    # served, its component's root tells why, as a permission refusal does (no 500).
    counter = components.registry.resolve("counter")
    cramped = type("Cramped", (counter,), {"state_store": InMemoryStateStore(max_bytes=40)})
    components.registry.register("cramped")(cramped)
    markup = components.render("cramped", None, start=1)
    assert attributes(markup)["data-cf-component"] == "cramped"
    assert 'role="alert"' in markup and "data-cf-state" not in markup
    assert "The server cannot keep more component state right now" in markup


def test_page_renders_without_javascript(components: ComponentApp) -> None:
    environment = jinja2.Environment(loader=jinja2.DictLoader({}), autoescape=True)
    templates = components.install_jinja(Jinja2Templates(env=environment))
    environment.loader = jinja2.DictLoader(
        {"page.html": "<main>{{ component('counter', start=4) }}</main>{{ cf_scripts() }}"}
    )

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(request, "page.html")

    app = Starlette(routes=[Route("/", page), components.mount()])
    with TestClient(app) as client:
        body = client.get("/").text
        assert 'Count: <b cf-text="count">4</b>' in body
        src = re.search(r'<script src="([^"]+)" defer', body)
        assert src is not None
        script = client.get(src.group(1))
        assert script.status_code == 200
        assert script.headers["content-type"] == "text/javascript; charset=utf-8"
        assert "immutable" in script.headers["cache-control"]
        # The page's state is accepted back by the event endpoint.
        attrs = attributes(body[len("<main>") :])
        message = {
            "component": "counter",
            "component_id": attrs["data-cf-id"],
            "event": "increment",
            "state": attrs["data-cf-state"],
            "checksum": attrs["data-cf-checksum"],
        }
        reply = client.post("/cf/event", json=message, headers=HEADERS).json()
        assert json.loads(reply["state"]) == {"count": 5}


def test_cf_js_supports_conditional_get(client: TestClient) -> None:
    first = client.get("/cf/cf.js")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/cf/cf.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_install_jinja_refuses_other_objects(components: ComponentApp) -> None:
    with pytest.raises(TypeError, match=r"needs a jinja2\.Environment"):
        components.install_jinja(object())


def test_component_in_a_component_template_gets_its_own_root(
    components: ComponentApp, templates: Any
) -> None:
    renderer = templates(
        **{
            "counter.html": "<b>{{ state.count }}</b>",
            "outer.html": "<section>{{ component('counter', start=7) }}</section>",
        }
    )
    components.install_jinja(renderer)
    from component_framework.core import Component

    @components.registry.register("outer")
    class Outer(Component):
        template_name = "outer.html"

    markup = components.render("outer")
    assert markup.count("data-cf-component=") == 2
    assert "<b>7</b></div></section>" in markup


def test_an_app_mounted_under_a_sub_path_points_pages_at_its_real_endpoints(
    components: ComponentApp,
) -> None:
    from starlette.routing import Mount

    environment = jinja2.Environment(loader=jinja2.DictLoader({}), autoescape=True)
    templates = components.install_jinja(Jinja2Templates(env=environment))
    environment.loader = jinja2.DictLoader(
        {"page.html": "{{ component('counter', start=1) }}{{ cf_scripts() }}"}
    )

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(request, "page.html")

    shop = Starlette(routes=[Route("/", page), components.mount()])
    site = Starlette(routes=[Mount("/shop", app=shop)])
    with TestClient(site) as client:
        body = client.get("/shop/").text
        attrs = attributes(body)
        assert attrs["data-cf-endpoint"] == "/shop/cf"
        src = re.search(r'<script src="([^"]+)" defer', body)
        assert src is not None and src.group(1).startswith("/shop/cf/cf.js?v=")
        assert client.get(src.group(1)).status_code == 200
        message = {
            "component": "counter",
            "component_id": attrs["data-cf-id"],
            "event": "increment",
            "state": attrs["data-cf-state"],
            "checksum": attrs["data-cf-checksum"],
        }
        reply = client.post("/shop/cf/event", json=message, headers=HEADERS)
        assert reply.status_code == 200
        assert json.loads(reply.json()["state"]) == {"count": 2}
