"""Hooks (``cf-hook="Name"`` with ``cf.hooks.Name``) and ``cf-ignore`` regions.

A hook's ``mounted`` runs when its element is on the page, ``updated`` after each render of its
component that keeps the element, ``destroyed`` when the element goes, ``disconnected`` and
``reconnected`` when the WebSocket of its (live) component drops and comes back. Inside,
``this.el``, ``this.send(event, payload)`` and ``this.on(name, fn)`` (the component's browser
events). A hook that throws is reported and breaks nothing else. ``cf-ignore`` leaves an
element to the page's JavaScript; ``cf-ignore="children"`` only its inside.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

RECORDER = """
window.calls = [];
window.cfHooks = {
  Chart: {
    mounted() { calls.push(["mounted", this.el.id]); this.el.dataset.mounted = "yes"; },
    updated() { calls.push(["updated", this.el.id]); },
    destroyed() { calls.push(["destroyed", this.el.id]); },
    disconnected() { calls.push(["disconnected", this.el.id]); },
    reconnected() { calls.push(["reconnected", this.el.id]); },
  },
};
"""


def chart(id: str = "chart", extra: str = "") -> str:
    return f'<div id="{id}" cf-hook="Chart" {extra}></div>'


def open_with_hooks(cf_page: ClientPage, body: str, script: str = RECORDER) -> None:
    cf_page.page.add_init_script(script)
    cf_page.open(body)


def calls(cf_page: ClientPage) -> list[list[str]]:
    result: list[list[str]] = cf_page.page.evaluate("window.calls")
    return result


def test_a_hook_is_mounted_updated_and_destroyed(cf_page: ClientPage) -> None:
    open_with_hooks(cf_page, component("c", chart() + "<p>1</p>"))
    assert calls(cf_page) == [["mounted", "chart"]]
    cf_page.morph("c", chart() + "<p>2</p>")
    assert calls(cf_page)[1:] == [["updated", "chart"]]
    cf_page.morph("c", "<p>3</p>" + chart("second"))
    assert calls(cf_page)[2:] == [["mounted", "second"], ["destroyed", "chart"]]


def test_hooks_defined_after_cf_js_mount_then(cf_page: ClientPage) -> None:
    cf_page.open(component("c", chart()))
    expect(cf_page.page.locator("#chart")).not_to_have_attribute("data-mounted", "yes")
    cf_page.page.evaluate(
        """() => { window.calls = [];
        cf.hooks.Chart = { mounted() {
          calls.push(["mounted", this.el.id]);
          this.el.dataset.mounted = "yes";
        } };
        }"""
    )
    expect(cf_page.page.locator("#chart")).to_have_attribute("data-mounted", "yes")
    assert calls(cf_page) == [["mounted", "chart"]]


def test_a_changed_hook_name_mounts_the_new_hook(cf_page: ClientPage) -> None:
    script = RECORDER + "window.cfHooks.Map = { mounted() { calls.push(['map', this.el.id]); } };"
    open_with_hooks(cf_page, component("c", chart()), script)
    cf_page.morph("c", '<div id="chart" cf-hook="Map"></div>')
    assert calls(cf_page) == [["mounted", "chart"], ["destroyed", "chart"], ["map", "chart"]]


SENDER = """
window.cfHooks = {
  Picker: {
    mounted() {
      this.el.addEventListener("pick", (e) => {
        this.send("picked", { colour: e.detail }).then((reply) => { window.reply = reply; });
      });
      this.on("picker:reset", (detail) => {
        window.resets = (window.resets || []).concat([detail]);
      });
    },
  },
};
"""


def test_a_hook_sends_events_and_receives_browser_events(cf_page: ClientPage) -> None:
    picker = '<div id="picker" cf-hook="Picker"></div>'
    open_with_hooks(cf_page, component("c", picker), SENDER)
    page = cf_page.page
    page.evaluate(
        "document.getElementById('picker').dispatchEvent(new CustomEvent('pick', {detail: 'red'}))"
    )
    request = cf_page.next_request()
    assert (request.message["event"], request.message["payload"]) == ("picked", {"colour": "red"})
    effect = {"type": "browser_event", "name": "picker:reset", "detail": {"to": "blue"}}
    request.render(picker, effects=[effect])
    page.wait_for_function("window.reply")
    assert page.evaluate("window.reply.type") == "component_update"
    assert page.evaluate("window.resets") == [{"to": "blue"}]


def test_a_hook_hears_only_its_own_components_browser_events(cf_page: ClientPage) -> None:
    inner = component("inner", "<p>Inner</p>")
    open_with_hooks(cf_page, component("outer", '<div cf-hook="Picker"></div>' + inner), SENDER)
    effect = {"type": "browser_event", "name": "picker:reset", "detail": 1}
    cf_page.morph("inner", "<p>Inner 2</p>", effects=[effect])
    assert cf_page.page.evaluate("window.resets") is None


def test_a_destroyed_hook_stops_hearing_browser_events(cf_page: ClientPage) -> None:
    open_with_hooks(cf_page, component("c", '<div cf-hook="Picker"></div>'), SENDER)
    effect = {"type": "browser_event", "name": "picker:reset", "detail": 1}
    cf_page.morph("c", "<p>No picker</p>", effects=[effect])
    assert cf_page.page.evaluate("window.resets") is None


THROWER = (
    RECORDER
    + """
window.cfHooks.Broken = {
  mounted() { throw new Error("broken mounted"); },
  updated() { throw new Error("broken updated"); },
};
"""
)


def test_a_hook_that_throws_breaks_nothing_else(cf_page: ClientPage) -> None:
    body = component("a", '<div cf-hook="Broken"></div>') + component("b", chart())
    open_with_hooks(cf_page, body, THROWER)
    assert calls(cf_page) == [["mounted", "chart"]]
    cf_page.morph("a", '<div cf-hook="Broken"></div><p>Rendered</p>')
    expect(cf_page.page.get_by_text("Rendered")).to_be_visible()
    cf_page.morph("b", chart() + "<p>B</p>")
    assert calls(cf_page)[1:] == [["updated", "chart"]]
    errors = [text for kind, text in cf_page.console if kind == "error"]
    assert any("the Broken hook's mounted() threw" in text for text in errors)
    assert any("the Broken hook's updated() threw" in text for text in errors)


def test_live_hooks_hear_the_socket_drop_and_come_back(cf_page: ClientPage) -> None:
    open_with_hooks(cf_page, component("c", chart(), live=True))
    subscribe = cf_page.next_socket_message()
    assert subscribe["type"] == "subscribe"
    cf_page.reply_on_socket({"type": "subscribed", "ref": subscribe["ref"]})
    assert cf_page.socket is not None
    cf_page.socket.close()
    cf_page.page.wait_for_function("window.calls.length >= 2")
    assert calls(cf_page)[1] == ["disconnected", "chart"]
    cf_page.socket_messages.clear()
    cf_page.next_socket_message()  # it reconnected and subscribes again
    cf_page.page.wait_for_function("window.calls.length >= 3")
    assert calls(cf_page)[2] == ["reconnected", "chart"]


# ---------- cf-ignore ----------

WIDGET = """
window.cfHooks = { Widget: { mounted() {
  this.el.innerHTML = "<canvas></canvas><span>drawn by the widget</span>";
  this.el.classList.add("widget-ready");
} } };
"""


def test_cf_ignore_leaves_the_element_to_the_page(cf_page: ClientPage) -> None:
    widget = '<div id="w" cf-hook="Widget" cf-ignore data-points="{points}"></div><p>{n}</p>'
    open_with_hooks(cf_page, component("c", widget.format(points="1,2", n=1)), WIDGET)
    cf_page.mark("canvas")
    cf_page.morph("c", widget.format(points="3,4", n=2))
    page = cf_page.page
    expect(page.locator("p")).to_have_text("2")
    expect(page.locator("#w span")).to_have_text("drawn by the widget")
    assert cf_page.marks("canvas") == [0]
    expect(page.locator("#w")).to_have_class("widget-ready")
    expect(page.locator("#w")).to_have_attribute("data-points", "1,2")  # untouched


def test_cf_ignore_children_keeps_the_attributes_in_sync(cf_page: ClientPage) -> None:
    widget = '<div id="w" cf-hook="Widget" cf-ignore="children" data-points="{points}"></div>'
    open_with_hooks(cf_page, component("c", widget.format(points="1,2")), WIDGET)
    cf_page.morph("c", widget.format(points="3,4"))
    page = cf_page.page
    expect(page.locator("#w")).to_have_attribute("data-points", "3,4")
    expect(page.locator("#w")).not_to_have_class("widget-ready")  # attributes are the server's
    expect(page.locator("#w span")).to_have_text("drawn by the widget")


def test_an_element_that_stops_being_ignored_follows_the_server_again(cf_page: ClientPage) -> None:
    ignored = '<div id="w" cf-ignore><p>Server 1</p></div>'
    cf_page.open(component("c", ignored))
    cf_page.page.evaluate("document.querySelector('#w p').textContent = 'Page'")
    cf_page.morph("c", ignored.replace("1", "2"))
    expect(cf_page.page.locator("#w p")).to_have_text("Page")
    cf_page.morph("c", '<div id="w"><p>Server 3</p></div>')
    expect(cf_page.page.locator("#w p")).to_have_text("Server 3")
