"""Multi-page apps on every adapter: a page's first render reads a component's URL state from
the request's query string, and the flash region shows the messages a redirect brought (the
signed ``cf_flash`` cookie), and under Django the messages framework's too."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import jinja2
import pytest
from django.template import engines
from django.test import Client, RequestFactory
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from litestar import Litestar, Request, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from litestar.testing import TestClient as LitestarClient
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.testclient import TestClient as StarletteClient

from component_framework.core import Component, ComponentRegistry
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.signing import Signer
from component_framework.core.url_state import UrlParam
from component_framework.django._config import config
from component_framework.flask import Components
from component_framework.litestar import create_router, template_globals
from component_framework.web import ComponentApp
from examples.django_site.shop.models import Article

from .conftest import csrf_header, message, roots

SIGNER = Signer(["pages-secret-key-0123456789"])
PAGE = '{{ cf_flash() }}{{ component("pager") }}{{ cf_scripts() }}'


class Pager(Component):
    url_state = {"page": UrlParam(int, default=1)}

    def render(self) -> str:
        if self.state["page"] > 99:  # asked on the first render too: the page runs them
            self.flash("warning", "There are only 99 pages.")
            self.redirect("/?page=99")
        return f"<p>Page {self.state['page']}</p>"


def registry() -> ComponentRegistry:
    components = ComponentRegistry()
    components.register("pager")(Pager)
    return components


def starlette_client(page: str = PAGE) -> StarletteClient:
    components = ComponentApp(registry=registry(), signer=SIGNER)
    templates = Jinja2Templates(env=jinja2.Environment(autoescape=True))
    components.install_jinja(templates)

    async def home(request: StarletteRequest) -> Response:
        return templates.TemplateResponse(request, templates.env.from_string(page), {})

    return StarletteClient(Starlette(routes=[Route("/", home), components.mount()]))


def litestar_client(page: str = PAGE) -> LitestarClient[Litestar]:
    components = registry()
    env = jinja2.Environment(autoescape=True)
    env.globals.update(template_globals(registry=components, signer=SIGNER))

    @get("/")
    async def home(request: Request[Any, Any, Any]) -> Template:
        return Template(template_str=page, context={"request": request})

    app = Litestar(
        route_handlers=[home, create_router(registry=components, signer=SIGNER)],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
    )
    return LitestarClient(app)


def flask_client(page: str = PAGE) -> FlaskClient:
    app = Flask(__name__)
    Components(app, registry=registry(), signer=SIGNER)

    @app.get("/")
    def home() -> str:
        return render_template_string(page)

    return app.test_client()


CLIENTS = {"starlette": starlette_client, "litestar": litestar_client, "flask": flask_client}


def set_cookie(client: Any, name: str, value: str) -> None:
    if isinstance(client, FlaskClient):
        client.set_cookie(name, value)
    else:
        client.cookies.set(name, value)


def flashes(html: str) -> list[tuple[str, str]]:
    region = re.search(r'<div id="cf-flash"[^>]*aria-live="polite">(.*?)</div>(?!<button)', html)
    assert region is not None, html
    found = re.findall(r'data-level="(\w+)"><span class="cf-flash-text">(.*?)</span>', html)
    return [(level, unescape(text)) for level, text in found]


@pytest.mark.parametrize("name", list(CLIENTS))
def test_the_first_render_reads_the_query_string(name: str) -> None:
    with CLIENTS[name]() as client:
        assert "<p>Page 3</p>" in client.get("/?page=3&other=x").text
        bad = client.get("/?page=three").text
    assert "<p>Page 1</p>" in bad
    assert "shows its defaults instead (page: Input should be a valid integer" in bad


@pytest.mark.parametrize("name", list(CLIENTS))
def test_two_components_keeping_one_url_key_on_a_page_are_refused(name: str) -> None:
    twice = '{{ component("pager") }}{{ component("pager") }}{{ cf_scripts() }}'
    with CLIENTS[name](twice) as client:
        try:
            status = client.get("/?page=2").status_code
        except ConfigurationError as exc:  # the host lets the server error through
            assert "pager keeps 'page' in the URL, and so does another pager" in str(exc)
        else:
            assert status == 500
        # One per page is fine, page after page (each request claims its own keys).
    with CLIENTS[name]() as client:
        for _ in range(2):
            assert "<p>Page 2</p>" in client.get("/?page=2").text


@pytest.mark.parametrize("name", list(CLIENTS))
def test_effects_of_the_first_render_go_to_the_page_with_the_root(name: str) -> None:
    with CLIENTS[name]() as client:
        page = client.get("/?page=120").text
        plain = client.get("/?page=3").text
    found = re.search(r'data-cf-effects="([^"]*)"', page)
    assert found is not None, page
    flash, redirect = json.loads(unescape(found.group(1)))
    assert flash == {"type": "flash", "level": "warning", "text": "There are only 99 pages."}
    assert redirect["type"] == "redirect" and redirect["url"] == "/?page=99"
    carried = SIGNER.verify_value("cf.flash", redirect["flash"], 60)
    assert carried == [["warning", "There are only 99 pages."]]
    assert "data-cf-effects" not in plain


@pytest.mark.parametrize("name", list(CLIENTS))
def test_the_flash_region_shows_signed_messages_only(name: str) -> None:
    token = SIGNER.sign_value("cf.flash", [["success", "Saved <b>!</b>"]])
    forged = Signer(["someone-elses-key-0123456789"]).sign_value("cf.flash", [["error", "Pay!"]])
    with CLIENTS[name]() as client:
        set_cookie(client, "cf_flash", token)
        shown = client.get("/").text
        set_cookie(client, "cf_flash", forged)
        refused = client.get("/").text
    assert flashes(shown) == [("success", "Saved <b>!</b>")]
    assert "Saved &lt;b&gt;!&lt;/b&gt;" in shown
    assert flashes(refused) == []


@pytest.mark.django_db(transaction=True)
def test_django_reads_the_query_string_and_redirects_by_url_name() -> None:
    Article.objects.create(title="Oak table")
    Article.objects.create(title="Ash chair")
    client = Client()
    html = client.get("/articles/?q=oak").content.decode()
    assert "<li>Oak table</li>" in html and "Ash chair" not in html
    root = roots(html)["article_search"]
    response = client.post(
        "/cf/event",
        data=message(root, "add", {"form_data": {"title": "Elm desk"}}),
        content_type="application/json",
        headers={"X-CF-Request": "1", **csrf_header(html)},
    )
    flash, redirect = response.json()["effects"]
    assert flash == {"type": "flash", "level": "success", "text": "Added Elm desk."}
    assert redirect["url"] == "/"  # reverse("home")
    client.cookies["cf_flash"] = redirect["flash"]
    home = client.get(redirect["url"]).content.decode()
    assert flashes(home) == [("success", "Added Elm desk.")]


@pytest.mark.django_db(transaction=True)
def test_django_messages_show_in_the_same_region() -> None:
    client = Client()
    page = client.get("/welcome/", follow=True).content.decode()
    assert flashes(page) == [("success", "Welcome to the shop.")]
    again = client.get("/articles/").content.decode()
    assert flashes(again) == []  # shown once
    token = config().signer.sign_value("cf.flash", [["info", "Also this."]])
    client.cookies["cf_flash"] = token
    client.get("/welcome/")  # a message waits in the session; the cookie brings another
    both = client.get("/articles/").content.decode()
    assert flashes(both) == [("success", "Welcome to the shop."), ("info", "Also this.")]


def script_sources(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


@pytest.mark.parametrize("name", list(CLIENTS))
def test_a_page_of_an_app_with_url_state_loads_cf_navigate_js_after_cf_js(name: str) -> None:
    with CLIENTS[name]() as client:
        sources = script_sources(client.get("/").text)
        assert [src.split("?")[0] for src in sources] == ["/cf/cf.js", "/cf/cf-navigate.js"]
        served = client.get(sources[1])
        unknown = client.get("/cf/cf-nothing.js")
    assert served.status_code == 200 and "javascript" in served.headers["content-type"]
    assert 'window.cf.extend("navigate"' in served.text
    assert "immutable" in served.headers["cache-control"]
    assert unknown.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_django_pages_load_the_optional_scripts_they_name() -> None:
    client = Client()
    sources = script_sources(client.get("/articles/").content.decode())
    assert [src.split("?")[0] for src in sources] == ["/cf/cf.js", "/cf/cf-navigate.js"]
    served = client.get(sources[1])
    assert served.status_code == 200 and b'window.cf.extend("navigate"' in served.content
    request = RequestFactory().get("/")
    page = engines["django"].from_string('{% load cf %}{% cf_scripts "hooks" "navigate" %}')
    named = script_sources(page.render({}, request))
    assert [src.split("?")[0] for src in named] == [
        "/cf/cf.js",
        "/cf/cf-navigate.js",
        "/cf/cf-hooks.js",
    ]
    wrong = engines["django"].from_string('{% load cf %}{% cf_scripts "hook" %}')
    with pytest.raises(ConfigurationError, match="no optional script 'hook'"):
        wrong.render({}, request)


@pytest.mark.django_db(transaction=True)
def test_django_refuses_two_components_keeping_one_url_key_on_a_page() -> None:
    from django.template import RequestContext, Template

    twice = Template(
        '{% load cf %}{% component "article_search" %}{% component "article_search" %}'
    )
    request = RequestFactory().get("/articles/?q=oak")
    with pytest.raises(ConfigurationError, match="and so does another article_search"):
        twice.render(RequestContext(request))
    once = Template('{% load cf %}{% component "article_search" %}')
    for _ in range(2):  # each request its own
        once.render(RequestContext(RequestFactory().get("/articles/?q=oak")))
