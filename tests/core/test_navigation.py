"""redirect, navigate, patch_url and flash: the effects a handler asks for, checked where it
asks (an open redirect is refused), carried in the reply, the flash messages signed for the
next page when the reply leaves this one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.config import AppConfig
from component_framework.core.exceptions import EffectError, InvalidEffectError, UnsafeUrlError
from component_framework.core.flash import FlashMessage, flash_region, read_flash
from component_framework.core.navigation import safe_url, set_url_resolver
from component_framework.core.protocol import handle_message, render_component
from component_framework.core.signing import Signer
from component_framework.testing import ComponentTester


class Editor(Component):
    def render(self) -> str:
        return "<p>editor</p>"

    def on_save(self, to: str = "/products") -> None:
        self.flash("success", "Saved.")
        self.redirect(to)

    def on_away(self, to: str) -> None:
        self.redirect(to, external=True)

    def on_live(self, to: str = "/products", replace: bool = False) -> None:
        self.flash("info", "Moved.")
        self.navigate(to, replace=replace)

    def on_patch(self) -> None:
        self.patch_url(query={"tab": 2, "open": True, "ids": [1, 2], "old": None})

    def on_patch_path(self) -> None:
        self.patch_url("/products/3", replace=True)

    def on_note(self, level: str, text: str) -> None:
        self.flash(level, text)

    def on_named(self, name: str, pk: int | None = None) -> None:
        if pk is None:
            self.redirect(name)
        else:
            self.redirect(name, pk=pk)


@pytest.fixture
def editor(fresh_registry: ComponentRegistry) -> ComponentTester:
    fresh_registry.register("editor")(Editor)
    return ComponentTester("editor", registry=fresh_registry)


def test_flash_then_redirect_carries_the_messages_signed(editor: ComponentTester) -> None:
    editor.call("save").assert_flash("Saved.", "success").assert_redirect("/products")
    flash, redirect = editor.effects
    assert flash == {"type": "flash", "level": "success", "text": "Saved."}
    assert redirect["type"] == "redirect" and redirect["url"] == "/products"
    signer = editor._config.signer
    assert read_flash(redirect["flash"], signer) == [FlashMessage("success", "Saved.")]


def test_navigate_carries_them_too_and_may_replace_the_entry(editor: ComponentTester) -> None:
    editor.call("live", to="/products?page=2", replace=True).assert_navigate("/products?page=2")
    navigate = editor.effects[1]
    assert navigate["replace"] is True
    assert read_flash(navigate["flash"], editor._config.signer) == [FlashMessage("info", "Moved.")]


def test_a_flash_that_stays_on_the_page_carries_no_token(editor: ComponentTester) -> None:
    editor.call("note", level="warning", text="<b>Careful</b>").assert_no_redirect()
    assert editor.effects == [{"type": "flash", "level": "warning", "text": "<b>Careful</b>"}]


def test_patch_url_sets_and_removes_query_parameters(editor: ComponentTester) -> None:
    editor.call("patch")
    assert editor.effects == [
        {
            "type": "patch_url",
            "url": None,
            "query": {"tab": "2", "open": "true", "ids": ["1", "2"], "old": None},
            "history": "push",
        }
    ]
    editor.assert_url("/?tab=2&open=true&ids=1&ids=2")
    editor.call("patch_path").assert_url("/products/3")  # a path brings its own query
    assert editor.effects[0]["history"] == "replace"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        " /products",
        "/" + "a" * 5000,
    ],
)
def test_a_redirect_off_the_site_is_refused_with_a_400(
    editor: ComponentTester, target: str
) -> None:
    with pytest.raises(UnsafeUrlError, match="Refused URL"):
        editor.call("save", to=target)
    assert editor.effects == []  # the state and reply are as before the refused event


def test_the_refusal_reaches_the_page_as_a_clear_error(fresh_registry: ComponentRegistry) -> None:
    fresh_registry.register("editor")(Editor)
    config = AppConfig(registry=fresh_registry, signer=Signer(["k" * 32]))
    first = render_component("editor", config=config)
    message = {
        "component": "editor",
        "component_id": first["component_id"],
        "event": "save",
        "payload": {"to": "https://evil.example/"},
        "state": first["state"],
        "checksum": first["checksum"],
    }
    reply = asyncio.run(handle_message(message, config=config))
    assert reply == {
        "type": "error",
        "error": "Refused URL 'https://evil.example/': it leads to another site. Give a path "
        "on this site ('/products'), or pass external=True to redirect() if the target is "
        "trusted.",
        "code": "unsafe_url",
    }


def test_external_true_allows_other_sites_but_only_on_the_web(editor: ComponentTester) -> None:
    editor.call("away", to="https://docs.example/guide").assert_redirect(
        "https://docs.example/guide"
    )
    with pytest.raises(UnsafeUrlError, match="only http and https"):
        editor.call("away", to="javascript:alert(1)")


def test_relative_targets_stay_on_the_site() -> None:
    for url in ("/products", "?page=2", "#top", "edit", "../list", "/a?b=//c"):
        assert safe_url(url) == url


@pytest.mark.parametrize(
    ("level", "text", "error", "message"),
    [
        ("fatal", "x", EffectError, "Flash level must be one of"),
        ("info", "", InvalidEffectError, "Flash text must be 1-500 characters"),
        ("info", "x" * 501, InvalidEffectError, "Flash text must be 1-500 characters"),
    ],
)
def test_bad_flash_messages_are_refused(
    editor: ComponentTester, level: str, text: str, error: type[EffectError], message: str
) -> None:
    with pytest.raises(error, match=message):
        editor.call("note", level=level, text=text)


def test_url_names_resolve_through_the_installed_resolver(
    editor: ComponentTester, cf_defaults: None
) -> None:
    routes = {"products": "/products", "product": "/products/{pk}"}

    def resolve(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        return routes[name].format(**kwargs) if name in routes else None

    set_url_resolver(resolve)
    editor.call("named", name="product", pk=3).assert_redirect("/products/3")
    editor.call("named", name="products").assert_redirect("/products")
    with pytest.raises(UnsafeUrlError, match="'nowhere' is not a URL path"):
        editor.call("named", name="nowhere")


def test_without_a_resolver_the_current_requests_url_for_is_asked(
    fresh_registry: ComponentRegistry, cf_defaults: None
) -> None:
    set_url_resolver(None)  # (Django's, when the suite has set Django up)
    fresh_registry.register("editor")(Editor)

    def product(request: Request) -> PlainTextResponse:
        return PlainTextResponse("")

    app = Starlette(routes=[Route("/products/{pk:int}", product, name="product")])
    request = Request(
        {
            "type": "http",
            "app": app,
            "router": app.router,
            "headers": [],
            "scheme": "http",
            "server": ("shop.example", 80),
            "path": "/",
            "root_path": "",
            "query_string": b"",
        }
    )
    tester = ComponentTester("editor", registry=fresh_registry, request=request)
    tester.call("named", name="product", pk=7).assert_redirect("/products/7")
    with pytest.raises(EffectError, match="names no route with these arguments"):
        tester.call("named", name="nothing", pk=1)


def test_a_url_name_outside_a_running_app_says_to_install_a_resolver(
    fresh_registry: ComponentRegistry, cf_defaults: None
) -> None:
    set_url_resolver(None)
    fresh_registry.register("editor")(Editor)
    tester = ComponentTester("editor", registry=fresh_registry)
    with pytest.raises(EffectError) as raised:
        tester.call("named", name="detail", pk=4)
    assert str(raised.value) == (
        "Editor.redirect(): Cannot resolve the URL name 'detail': no URL resolver is set "
        "outside a running app "
        "(cf dispatch, ComponentTester, a script). Install one with "
        "component_framework.core.navigation.set_url_resolver(func), or give a path ('/detail')."
    )
    set_url_resolver(lambda name, args, kwargs: f"/{name}/{kwargs['pk']}")
    tester.call("named", name="detail", pk=4).assert_redirect("/detail/4")


def test_the_flash_region_escapes_and_announces() -> None:
    html = flash_region([FlashMessage("success", "<script>alert(1)</script>")])
    assert html == (
        '<div id="cf-flash" class="cf-flash" data-cf-flash '
        'hx-trigger="load" hx-on:htmx:after-process-node="document.cookie = '
        "'cf_flash=; path=/; max-age=0; samesite=strict'\" hx-on:click=\"const b = "
        "event.target.closest('[data-cf-dismiss]'); if (b) b.parentElement.remove()\" "
        'role="status" aria-live="polite">'
        '<div class="cf-flash-message cf-flash-success" data-level="success">'
        '<span class="cf-flash-text">&lt;script&gt;alert(1)&lt;/script&gt;</span>'
        '<button type="button" class="cf-flash-dismiss" data-cf-dismiss aria-label="Dismiss">'
        "\u00d7</button></div></div>"
    )


def test_only_this_servers_recent_flash_tokens_are_read() -> None:
    now = [1000.0]
    signer = Signer(["k" * 32], clock=lambda: now[0])
    token = signer.sign_value("cf.flash", [["success", "Saved."]])
    assert read_flash(token, signer) == [FlashMessage("success", "Saved.")]
    other = Signer(["another-key-0123456789"], clock=lambda: now[0])
    assert read_flash(token, other) == []  # forged (another key)
    issued, body, digest = token.split(".")
    assert read_flash(f"{issued}.{body}x.{digest}", signer) == []  # tampered
    assert read_flash(f"{int(issued) + 5}.{body}.{digest}", signer) == []  # re-dated
    assert signer.verify_value("cf.other", token, 60) is None  # another purpose
    for junk in (None, "", "garbage", "1.2", "a" * 9000, 42):
        assert read_flash(junk, signer) == []  # type: ignore[arg-type]
    bad = signer.sign_value("cf.flash", [["fatal", "x"], ["info", 3], "no", ["error", "ok"]])
    assert read_flash(bad, signer) == [FlashMessage("error", "ok")]
    now[0] += 61
    assert read_flash(token, signer) == []  # expired: a minute at most


def test_a_failed_flash_assertion_names_what_was_wanted(editor: ComponentTester) -> None:
    editor.call("save")
    with pytest.raises(
        AssertionError, match=r"^no flash 'Nope'; flashed: \[\('success', 'Saved.'\)\]$"
    ):
        editor.assert_flash("Nope")
    with pytest.raises(AssertionError, match=r"^no flash error 'Saved.'; flashed"):
        editor.assert_flash("Saved.", "error")
    with pytest.raises(AssertionError, match=r"^no flash info; flashed"):
        editor.assert_flash(level="info")
