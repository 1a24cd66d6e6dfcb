"""A reply's effects under htmx: each one as the response header htmx applies itself, flash
messages as an out-of-band swap into the region, and what htmx cannot do said out loud."""

from __future__ import annotations

import json
import logging
from typing import Any, ClassVar, Literal

import pytest

from component_framework.core import Component, ComponentRegistry
from component_framework.core._htmx_effects import htmx_effects
from component_framework.core._markup import component_root
from component_framework.core.config import AppConfig
from component_framework.core.exceptions import EffectError
from component_framework.core.signing import Signer

from ._support import Plain

PAGE = "https://shop.example/products?q=tea&page=1#list"


def patch(url: str | None = None, history: str = "push", **query: Any) -> dict[str, Any]:
    return {"type": "patch_url", "url": url, "query": query or None, "history": history}


@pytest.mark.parametrize(
    ("effects", "header", "value"),
    [
        ([patch(page="2")], "HX-Push-Url", "/products?q=tea&page=2"),
        ([patch(history="replace", q=None)], "HX-Replace-Url", "/products?page=1"),
        ([patch(tag=["a", "b"])], "HX-Push-Url", "/products?q=tea&page=1&tag=a&tag=b"),
        ([patch("/orders")], "HX-Push-Url", "/orders"),
        ([patch("edit", page="3")], "HX-Push-Url", "/edit?page=3"),
        # Several patches: the URL after them all, a new entry if any asked for one.
        ([patch(history="replace", page="2"), patch(q="milk")], "HX-Push-Url", None),
    ],
)
def test_patch_url_becomes_the_pages_url_with_the_patch_applied(
    effects: list[dict[str, Any]], header: str, value: str | None
) -> None:
    headers, oob = htmx_effects(effects, PAGE)
    assert set(headers) == {header} and oob == ""
    assert headers[header] == (value or "/products?page=2&q=milk")  # set anew: last


def test_a_patch_that_changes_nothing_sends_nothing() -> None:
    assert htmx_effects([patch(page="1")], PAGE) == ({}, "")


def test_only_the_path_and_query_of_the_pages_url_are_taken() -> None:
    # HX-Current-URL comes from the client: its host is never part of the URL sent back.
    headers, _ = htmx_effects([patch(page="2")], "https://evil.example//other.example/x?page=1")
    assert headers == {"HX-Push-Url": "/other.example/x?page=2"}  # a path here, not a host
    headers, _ = htmx_effects([patch(page="2")], None)  # no header: the site's root
    assert headers == {"HX-Push-Url": "/?page=2"}


def test_redirect_and_navigate_leave_the_page_carrying_the_flash() -> None:
    leaving = [
        {"type": "browser_event", "name": "cart:saved", "detail": {"n": 1}},
        {"type": "flash", "level": "success", "text": "Saved."},
        {"type": "redirect", "url": "/products", "flash": "signed.token"},
        {"type": "patch_url", "url": None, "query": {"page": "9"}, "history": "push"},
    ]
    headers, oob = htmx_effects(leaving, PAGE)
    assert headers == {
        "HX-Redirect": "/products",
        "Set-Cookie": "cf_flash=signed.token; Path=/; Max-Age=60; SameSite=Strict",
        "HX-Trigger": '{"cart:saved": {"n": 1}}',  # before the page is left
    }
    assert oob == ""
    headers, _ = htmx_effects([{"type": "navigate", "url": "/a", "replace": False}], PAGE)
    assert json.loads(headers["HX-Location"]) == {"path": "/a"}
    headers, _ = htmx_effects([{"type": "navigate", "url": "/a", "replace": True}], PAGE)
    assert json.loads(headers["HX-Location"]) == {"path": "/a", "push": False, "replace": "true"}


def test_browser_events_fire_after_the_swap_and_flash_is_swapped_out_of_band() -> None:
    headers, oob = htmx_effects(
        [
            {"type": "browser_event", "name": "chart:data", "detail": {"points": [1]}},
            {"type": "flash", "level": "warning", "text": "<b>Careful</b>"},
        ],
        PAGE,
    )
    assert headers == {"HX-Trigger-After-Settle": '{"chart:data": {"points": [1]}}'}
    assert oob.startswith('<div hx-swap-oob="beforeend:#cf-flash"><div class="cf-flash-message')
    assert "&lt;b&gt;Careful&lt;/b&gt;" in oob


def test_what_htmx_cannot_apply_as_sent_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="component_framework"):
        assert htmx_effects([{"type": "stream", "op": "append"}], PAGE) == ({}, "")
        targeted = {"type": "browser_event", "name": "row:moved", "detail": {"target": 3}}
        headers, _ = htmx_effects([targeted], PAGE)
    assert json.loads(headers["HX-Trigger-After-Settle"]) == {"row:moved": {"target": 3}}
    assert "htmx cannot apply a 'stream' effect" in caplog.text
    assert "htmx reads the detail's 'target' as the CSS selector" in caplog.text


class HtmxCart(Component):
    renderer = Plain()
    template_name = "cart.html"
    transport: ClassVar[Literal["http", "ws", "htmx"]] = "htmx"

    def mount(self) -> None:
        super().mount()
        self.flash("info", "Welcome.")

    def on_add(self) -> None:
        self.emit("item_added", to="badge")


def test_an_htmx_component_cannot_emit_and_is_told_what_to_do_instead() -> None:
    with pytest.raises(EffectError, match=r"^HtmxCart.emit\(\): a component with transport="):
        HtmxCart().dispatch("add")


def test_the_effects_of_an_htmx_first_render_are_logged(
    fresh_registry: ComponentRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    fresh_registry.register("htmx_cart")(HtmxCart)
    config = AppConfig(registry=fresh_registry, signer=Signer(["htmx-effects-key-0123456789"]))
    with caplog.at_level(logging.WARNING, logger="component_framework"):
        html = component_root("htmx_cart", None, params={}, config=config, endpoint=None)
    assert "data-cf-effects" not in html
    assert "htmx_cart (transport='htmx') asked for effects (flash) in its first render" in (
        caplog.text
    )
