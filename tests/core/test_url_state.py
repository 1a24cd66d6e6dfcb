"""State in the URL: declared keys read from the page's query string (validated like payloads),
written back as patch_url effects when an event changes them, and read again for a render
from the URL (back and forward)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field

from component_framework.core import Component, ComponentRegistry
from component_framework.core._markup import component_root
from component_framework.core.config import AppConfig, Limits
from component_framework.core.exceptions import (
    ConfigurationError,
    InvalidPayloadError,
    InvalidUrlError,
)
from component_framework.core.protocol import handle_message, render_component
from component_framework.core.signing import Signer
from component_framework.core.state import InMemoryStateStore
from component_framework.core.url_state import (
    UrlParam,
    encode_query,
    merge_query,
    query_string,
    url_spec,
)
from component_framework.testing import ComponentTester


class Products(Component):
    url_state = {
        "search": UrlParam(str, default="", name="q"),
        "page": UrlParam(Annotated[int, Field(ge=1)], default=1, history="push"),
        "sort": UrlParam(Literal["name", "-name", "price"], default="name"),
        "tags": UrlParam(list[str], default=[]),
        "mode": str,  # no default: a URL without it leaves mount()'s value
    }

    def mount(self) -> None:
        super().mount()
        self.state.update(page=7, mode="grid")  # the URL's values (or defaults) come after

    def render(self) -> str:
        return "<p>" + ",".join(f"{k}={self.state[k]}" for k in sorted(self.state)) + "</p>"

    def on_next(self) -> None:
        self.state["page"] += 1

    def on_search(self, value: str) -> None:
        self.state["search"] = value
        self.state["page"] = 1

    def on_jump(self, page: Annotated[int, Field(ge=1)]) -> None:
        self.state["page"] = page

    def on_leave(self) -> None:
        self.state["page"] = 9
        self.navigate("/elsewhere")


@pytest.fixture
def config(fresh_registry: ComponentRegistry, signer: Signer) -> AppConfig:
    fresh_registry.register("products")(Products)
    return AppConfig(registry=fresh_registry, signer=signer)


def first_render(config: AppConfig, query: str) -> dict[str, Any]:
    reply = render_component("products", config=config, url=query)
    state: dict[str, Any] = json.loads(reply["state"])
    return state


def test_the_first_render_reads_declared_keys_by_their_names(config: AppConfig) -> None:
    state = first_render(config, "?q=oak+lamp&page=3&tags=a&tags=b&sort=-name&mode=list")
    assert state == {
        "search": "oak lamp",
        "page": 3,
        "sort": "-name",
        "tags": ["a", "b"],
        "mode": "list",
    }


def test_absent_keys_take_their_default_or_keep_what_mount_gave(config: AppConfig) -> None:
    state = first_render(config, "")
    assert state == {"search": "", "page": 1, "sort": "name", "tags": [], "mode": "grid"}


def test_unknown_parameters_are_left_to_the_page(config: AppConfig) -> None:
    assert first_render(config, "utm_source=mail&search=x&page=2")["page"] == 2
    assert first_render(config, "utm_source=mail&search=x")["search"] == ""  # "q" is its name


def test_a_scalar_named_twice_takes_the_last_value(config: AppConfig) -> None:
    assert first_render(config, "page=2&page=5")["page"] == 5


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("page=abc", "page", "page: Input should be a valid integer"),
        ("page=0", "page", "page: Input should be greater than or equal to 1 (got '0')"),
        ("page=", "page", "page: Input should be a valid integer"),
        ("sort=%3Cscript%3E", "sort", "sort: Input should be 'name', '-name' or 'price'"),
        ("page=99999999999999999999999", "page", "page:"),
    ],
)
def test_values_of_the_wrong_type_are_refused_with_their_name(
    config: AppConfig, query: str, name: str, message: str
) -> None:
    with pytest.raises(InvalidUrlError, match="Invalid URL for Products") as raised:
        render_component("products", config=config, url=query)
    assert message in str(raised.value)
    assert set(raised.value.problems) == {name}
    assert raised.value.status == 400 and raised.value.code == "invalid_url"


def test_a_long_query_string_is_refused_before_it_is_read(config: AppConfig) -> None:
    with pytest.raises(InvalidUrlError, match=r"10,242 bytes \(limit: 4,096\)") as raised:
        render_component("products", config=config, url="q=" + "x" * 10_240)
    assert raised.value.problems == {"": "too long"}


def test_the_limit_is_the_apps(fresh_registry: ComponentRegistry, signer: Signer) -> None:
    fresh_registry.register("products")(Products)
    config = AppConfig(registry=fresh_registry, signer=signer, limits=Limits(max_query_bytes=20))
    with pytest.raises(InvalidUrlError, match="limit: 20"):
        render_component("products", config=config, url="q=" + "x" * 30)


def test_too_many_parameters_are_refused(config: AppConfig) -> None:
    with pytest.raises(InvalidUrlError, match="more than 100 parameters"):
        render_component("products", config=config, url="&".join(["a=1"] * 101))


def test_an_event_that_changes_url_keys_patches_the_url(config: AppConfig) -> None:
    tester = ComponentTester("products", registry=config.registry, url="/products?q=oak&page=2")
    tester.call("next")
    assert tester.effects == [
        {"type": "patch_url", "url": None, "query": {"page": "3"}, "history": "push"}
    ]
    tester.assert_url("/products?page=3&q=oak")
    # Back to a default: the parameter goes; only "replace" keys changed: no new entry.
    tester.call("search", value="")
    assert tester.effects == [
        {"type": "patch_url", "url": None, "query": {"q": None, "page": None}, "history": "push"}
    ]
    tester.assert_url("/products")


def test_an_event_that_changes_no_url_key_patches_nothing(config: AppConfig) -> None:
    tester = ComponentTester("products", registry=config.registry)
    tester.call("search", value="")
    assert tester.effects == []
    assert "effects" not in tester.reply  # the reply's documented shape, exactly


def test_a_page_left_by_the_event_keeps_its_url(config: AppConfig) -> None:
    tester = ComponentTester("products", registry=config.registry, url="/products")
    tester.call("leave")
    assert [e["type"] for e in tester.effects] == ["navigate"]
    tester.assert_url("/products")


def test_the_tester_renders_a_bad_url_as_the_page_does(config: AppConfig) -> None:
    tester = ComponentTester("products", registry=config.registry, url="/products?q=oak&page=abc")
    tester.assert_state(search="oak", page=1)  # the good value kept, the default page
    tester.assert_url_error("page").assert_see("shows its defaults instead (page: ")
    assert tester.url_error is not None
    assert tester.url_error.problems == {
        "page": "Input should be a valid integer, unable to parse string as an integer (got 'abc')"
    }
    assert tester.html.startswith('<div role="alert" data-cf-error="url">')
    tester.call("next").assert_state(page=2).assert_dont_see("shows its defaults")
    with pytest.raises(AssertionError, match="no URL error for \\['sort'\\]"):
        tester.assert_url_error("sort")
    fine = ComponentTester("products", registry=config.registry, url="/products?page=2")
    assert fine.url_error is None
    with pytest.raises(AssertionError, match="fits products's URL state"):
        fine.assert_url_error()


def test_a_render_from_the_url_hydrates_then_reads_the_url(config: AppConfig) -> None:
    tester = ComponentTester("products", registry=config.registry, url="/products?page=4")
    tester.call("search", value="oak")
    tester.visit("/products?page=4&mode=list")
    tester.assert_state(page=4, search="", mode="list")
    assert tester.effects == []  # the address bar is already there


def test_a_bad_url_for_a_render_from_the_url_is_a_400_reply(config: AppConfig) -> None:
    reply = render_component("products", config=config)
    message = {
        "component": "products",
        "component_id": reply["component_id"],
        "state": reply["state"],
        "checksum": reply["checksum"],
        "url": "page=-1",
    }
    answer = asyncio.run(handle_message(message, config=config))
    assert answer["code"] == "invalid_url"
    assert answer["error"] == (
        "Invalid URL for Products: page: Input should be greater than or equal to 1 (got '-1')"
    )
    for bad in ({"url": 3}, {"url": "\ud800"}):
        answer = asyncio.run(handle_message({**message, **bad}, config=config))
        assert answer["type"] == "error" and answer["code"] in ("bad_message", "invalid_url")


def test_the_root_of_a_bad_url_shows_why_and_keeps_the_good_values(config: AppConfig) -> None:
    html = component_root(
        "products", None, params={}, config=config, endpoint="/cf", query="q=oak&page=x%3Cb%3E"
    )
    assert (
        '<div role="alert" data-cf-error="url">This page&#39;s address has values it cannot '
        "use, so it shows its defaults instead (page: Input should be a valid integer, unable "
        "to parse string as an integer (got &#39;x&lt;b&gt;&#39;)). Check the link, or choose "
        "again on the page.</div>"
    ) in html
    assert "Products" not in html.partition("</div>")[0]  # no class name for the end user
    assert "page=1" in html and "search=oak" in html  # the default page, the good search
    assert 'data-cf-url="history"' in html


def test_the_root_of_a_long_url_renders_the_defaults(config: AppConfig) -> None:
    html = component_root(
        "products", None, params={}, config=config, endpoint="/cf", query="q=" + "x" * 5000
    )
    assert "(the address is too long)" in html and "search=," in html.replace("</p>", ",")


def test_server_held_state_is_restored_from_the_url(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    class Held(Products):
        state_store = InMemoryStateStore()

    fresh_registry.register("held")(Held)
    config = AppConfig(registry=fresh_registry, signer=signer)
    html = component_root("held", None, params={}, config=config, endpoint="/cf", query="")
    assert 'data-cf-url="server"' in html


def test_a_component_without_url_state_ignores_the_url(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    class Plain(Component):
        def render(self) -> str:
            return "<p>plain</p>"

    fresh_registry.register("plain")(Plain)
    config = AppConfig(registry=fresh_registry, signer=signer)
    html = component_root("plain", None, params={}, config=config, endpoint="/cf", query="x=%%")
    assert "data-cf-url" not in html and "alert" not in html
    assert url_spec(Plain) is None


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"page": UrlParam(int, name="p"), "other": UrlParam(int, name="p")}, "both use"),
        ({"": int}, "must be state keys"),
        ({"a b": int}, "cannot be a query name"),
    ],
)
def test_bad_declarations_are_configuration_errors(declared: dict[str, Any], message: str) -> None:
    bad = type("Bad", (Component,), {"url_state": declared})
    with pytest.raises(ConfigurationError, match=message):
        url_spec(bad)


def test_bad_url_params_are_refused_where_they_are_written() -> None:
    with pytest.raises(ConfigurationError, match="history must be 'replace' or 'push'"):
        UrlParam(int, history="pushed")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="must be 1-64 characters"):
        UrlParam(int, name="a&b")
    assert repr(UrlParam(int, default=1, name="p", history="push")) == (
        "UrlParam(int, default=1, name='p', history='push')"
    )


def test_url_state_that_is_not_a_mapping_is_a_configuration_error() -> None:
    bad = type("Bad", (Component,), {"url_state": ["page"]})
    with pytest.raises(ConfigurationError, match="must be a dict of state keys"):
        url_spec(bad)


def test_query_strings_for_links(config: AppConfig) -> None:
    products = Products()
    products.state = {"search": "oak & ash", "page": 1, "sort": "price", "tags": ["a"], "mode": "x"}
    assert query_string(products) == "q=oak+%26+ash&sort=price&tags=a&mode=x"
    assert query_string(products, page=3, search="") == "page=3&sort=price&tags=a&mode=x"
    assert query_string(Component()) == ""
    assert encode_query({"a": ["1", "2"], "b": "x y"}) == "a=1&a=2&b=x+y"
    assert merge_query("?a=1&b=2", {"a": None, "c": ["3", "4"]}) == "b=2&c=3&c=4"


def test_values_are_written_as_the_url_reads_them() -> None:
    class Kinds(Component):
        url_state = {"flag": bool, "ratio": float, "tags": list[str], "when": dict[str, int]}

    spec = url_spec(Kinds)
    assert spec is not None
    query = spec.query_of({"flag": True, "ratio": 0.5, "tags": ["x", "y"], "when": {"a": 1}})
    assert query == {"flag": "true", "ratio": "0.5", "tags": ["x", "y"], "when": '{"a":1}'}
    assert spec.read(encode_query(query)) == {
        "flag": True,
        "ratio": 0.5,
        "tags": ["x", "y"],
        "when": {"a": 1},
    }


def test_a_mount_without_a_url_takes_the_defaults(config: AppConfig) -> None:
    # A mount by an event message (or cf dispatch) with no URL: as a URL without the keys.
    reply = asyncio.run(handle_message({"component": "products"}, config=config))
    assert json.loads(reply["state"]) == {
        "search": "",
        "page": 1,
        "sort": "name",
        "tags": [],
        "mode": "grid",
    }


def test_a_bad_url_value_and_a_bad_payload_value_get_the_same_words(config: AppConfig) -> None:
    tester = ComponentTester("products", registry=config.registry, url="/products?q=oak&page=0")
    with pytest.raises(InvalidPayloadError) as raised:
        tester.call("jump", page=0)
    assert tester.url_error is not None
    said = "Input should be greater than or equal to 1 (got 0)"
    assert str(raised.value) == f"Invalid payload for jump: page: {said}"
    assert tester.url_error.problems["page"] == said.replace("(got 0)", "(got '0')")


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("&".join(f"x{i}=1" for i in range(101)), "(the address has too many parameters)"),
        ("q=\ud800", "(the address holds text that is not valid Unicode)"),
    ],
)
def test_the_root_says_what_is_wrong_with_the_whole_address(
    config: AppConfig, query: str, said: str
) -> None:
    html = component_root("products", None, params={}, config=config, endpoint="/cf", query=query)
    assert said in html
