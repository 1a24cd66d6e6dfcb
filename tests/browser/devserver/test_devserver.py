"""``cf dev`` in a real browser: playground, live reload with state kept, the error overlay.

The dev server runs as ``component_framework.devserver.run`` in a subprocess, on a copy of
tests/devserver/demo_project made for this session; tests edit that copy, never the repository,
and put every file back when they finish.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from .helpers import DevServer, edit, fire, open_playground, stage

pytestmark = pytest.mark.browser


def test_gallery_lists_components_and_searches(page: Page) -> None:
    page.goto("/")
    expect(page.locator(".cf-card")).to_have_count(3)
    counter = page.locator('.cf-card[data-name="counter"]')
    expect(counter).to_contain_text("on_increment")
    expect(counter).to_contain_text("basic")
    expect(page.locator('.cf-card[data-name="signup"]')).to_contain_text("form")
    page.fill("#cf-search", "signup")
    expect(counter).to_be_hidden()
    expect(page.locator('.cf-card[data-name="signup"]')).to_be_visible()
    page.fill("#cf-search", "")
    page.select_option("#cf-kind", "form")
    expect(counter).to_be_hidden()
    page.select_option("#cf-kind", "")
    page.click('.cf-card[data-name="counter"] a')
    expect(stage(page).locator(".count")).to_have_text("0")


def test_playground_fires_events_logs_them_and_replays(page: Page) -> None:
    open_playground(page, "counter")
    frame = stage(page)
    frame.locator("button.increment").click()  # the component's own binding, through cf.js
    expect(frame.locator(".count")).to_have_text("1")
    fire(page, "increment", '{"amount": 5}')
    expect(frame.locator(".count")).to_have_text("6")

    entries = page.locator("#cf-log .cf-log-entry")
    expect(entries).to_have_count(2)
    latest = entries.nth(1)
    expect(latest.locator(".cf-log-event")).to_have_text("increment")
    expect(latest.locator(".cf-diff")).to_have_text("~ count: 1 → 6")
    expect(latest.locator(".cf-log-ms")).to_contain_text(" ms")
    command = (
        'cf dispatch counter increment --state \'{"count":1,"step":1}\' --payload \'{"amount":5}\''
    )
    expect(latest.locator(".cf-copy")).to_have_attribute("data-command", command)
    latest.locator(".cf-copy").click()
    expect(latest.locator(".cf-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == command

    expect(page.locator("#cf-state-json")).to_have_value('{\n  "count": 6,\n  "step": 1\n}')
    page.fill("#cf-state-json", '{"count": 40, "step": 1}')
    page.click("#cf-state-apply")
    expect(frame.locator(".count")).to_have_text("40")
    frame.locator("button.increment").click()
    expect(frame.locator(".count")).to_have_text("41")

    page.click("#cf-replay")  # from the mount state: +1, +5, +1 (the edited state is not replayed)
    expect(page.locator("body")).to_have_attribute("data-dev-replayed", "3")
    expect(frame.locator(".count")).to_have_text("7")
    expect(entries).to_have_count(3)


def test_a_refused_event_shows_its_error(page: Page) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": "lots"}')
    expect(page.locator("#cf-event-error")).to_contain_text("Invalid payload for increment")
    expect(page.locator("#cf-log .cf-failed")).to_have_count(1)


def test_replay_goes_on_past_an_event_that_had_failed(page: Page) -> None:
    open_playground(page, "counter")
    frame = stage(page)
    fire(page, "increment", '{"amount": 2}')
    expect(frame.locator(".count")).to_have_text("2")
    fire(page, "increment", '{"amount": "lots"}')  # refused: the state stays as it was
    expect(page.locator("#cf-log .cf-failed")).to_have_count(1)
    fire(page, "increment", '{"amount": 3}')
    expect(frame.locator(".count")).to_have_text("5")

    page.click("#cf-replay")
    expect(page.locator("body")).to_have_attribute("data-dev-replayed", "3")
    expect(frame.locator(".count")).to_have_text("5")
    expect(page.locator("#cf-log .cf-log-entry")).to_have_count(3)
    expect(page.locator("#cf-event-error")).to_be_hidden()


def test_mount_params_from_typed_inputs(page: Page) -> None:
    open_playground(page, "counter")
    start = page.locator("#cf-params-fields-start")
    expect(start).to_have_attribute("type", "number")
    start.fill("12")
    expect(page.locator("#cf-params-json")).to_have_value('{\n  "start": 12\n}')
    page.click("#cf-mount")
    expect(stage(page).locator(".count")).to_have_text("12")


def test_the_event_log_shows_browser_events_and_events_between_components(page: Page) -> None:
    open_playground(page, "counter")
    frame = stage(page)
    frame.locator("button.increment").click()
    expect(frame.locator(".count")).to_have_text("1")
    fire(page, "reset", "{}")
    entries = page.locator("#cf-log .cf-log-entry")
    # reset, then the increment the page sent because reset emitted it to every counter.
    expect(entries.locator(".cf-log-event")).to_have_text(["increment", "reset", "increment"])
    expect(entries.nth(1).locator(".cf-effects li")).to_have_text(
        [
            '→ browser_event name="counter:reset" detail={"count":0}',
            '→ emit event="increment" payload={"amount":0} to="counter"',
        ]
    )
    expect(entries.nth(2).locator(".cf-effects")).to_have_count(0)
    expect(frame.locator(".count")).to_have_text("0")


def test_a_streaming_event_updates_frame_by_frame_and_is_logged(page: Page) -> None:
    open_playground(page, "countdown")
    fire(page, "run", "{}")
    expect(stage(page).locator(".countdown")).to_have_text("Lift-off!")
    entry = page.locator("#cf-log .cf-log-entry")
    expect(entry).to_have_count(1)
    expect(entry.locator(".cf-diff")).to_have_text("~ left: 3 → 0")


def test_form_fields_are_typed_inputs(page: Page) -> None:
    open_playground(page, "signup")
    expect(page.locator("#cf-form-fields-age")).to_have_attribute("type", "number")
    expect(page.locator("#cf-form-fields-newsletter")).to_have_attribute("type", "checkbox")
    page.fill("#cf-form-fields-name", "Ada")
    page.click("#cf-state-apply")
    fire(page, "submit", '{"form_data": {"name": "Ada", "age": 36}}')
    expect(stage(page).locator(".ok")).to_have_text("Welcome Ada")


def test_template_edit_rerenders_in_place_with_state_kept(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 3}')
    expect(stage(page).locator(".count")).to_have_text("3")
    edit(
        dev.package / "templates" / "counter.html",
        '<b class="count">',
        '<b class="count" data-v="2">',
    )
    expect(stage(page).locator('.count[data-v="2"]')).to_have_text("3")
    expect(page.locator("#cf-dev-overlay")).to_be_hidden()


def test_python_edit_rerenders_with_state_kept(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 4}')
    expect(stage(page).locator(".count")).to_have_text("4")
    edit(dev.package / "components" / "counter.py", 'LABEL = "Count"', 'LABEL = "Total"')
    expect(stage(page).locator(".label")).to_have_text("Total")
    expect(stage(page).locator(".count")).to_have_text("4")
    fire(page, "increment", '{"amount": 1}')  # state signed before the reload still verifies
    expect(stage(page).locator(".count")).to_have_text("5")


def test_a_syntax_error_shows_the_overlay_and_recovers(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 2}')
    expect(stage(page).locator(".count")).to_have_text("2")
    module = dev.package / "components" / "counter.py"
    edit(module, 'LABEL = "Count"', 'LABEL = "Count')
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("SyntaxError")
    expect(overlay.locator(".cf-overlay-where")).to_have_text(f"{module.resolve()}:9")
    link = overlay.locator(".cf-overlay-where a")
    expect(link).to_have_attribute("href", f"vscode://file/{module.resolve()}:9")
    edit(module, 'LABEL = "Count', 'LABEL = "Fixed"')
    expect(overlay).to_be_hidden()
    expect(stage(page).locator(".label")).to_have_text("Fixed")
    expect(stage(page).locator(".count")).to_have_text("2")


def test_a_template_error_shows_the_overlay_and_recovers(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    fire(page, "increment", '{"amount": 2}')
    # Rendered before the template breaks (else the event itself meets the broken template).
    expect(stage(page).locator(".count")).to_have_text("2")
    template = dev.package / "templates" / "counter.html"
    edit(template, "{{ state.count }}", "{{ state.count }")
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("TemplateSyntaxError")
    expect(overlay.locator(".cf-overlay-where")).to_contain_text("counter.html:1")
    edit(template, "{{ state.count }", "<i>{{ state.count }}</i>")
    expect(overlay).to_be_hidden()
    expect(stage(page).locator(".count i")).to_have_text("2")


def test_an_import_error_in_a_page_opened_later_shows_at_once(page: Page, dev: DevServer) -> None:
    module = dev.package / "components" / "counter.py"
    edit(module, "from typing import Any", "from typing import Any\nimport not_a_module_anywhere")
    dev.wait_until(lambda s: s["errors"], "the import error")
    page.goto("/")
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("not_a_module_anywhere")
    expect(overlay.locator(".cf-overlay-where")).to_have_text(f"{module.resolve()}:6")
    edit(module, "\nimport not_a_module_anywhere", "")
    expect(overlay).to_be_hidden()


def test_a_new_component_appears_in_the_gallery(page: Page, dev: DevServer) -> None:
    page.goto("/")
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    (dev.package / "components" / "badge.py").write_text(
        "from component_framework.core import Component, registry\n\n\n"
        '@registry.register("badge")\n'
        "class Badge(Component):\n"
        '    """A new badge."""\n\n'
        '    template_name = "counter.html"\n'
    )
    card = page.locator('.cf-card[data-name="badge"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text("A new badge.")


def test_state_inspector_shows_and_edits_server_held_state(page: Page, dev: DevServer) -> None:
    (dev.package / "components" / "vault.py").write_text(
        "from component_framework.core import registry\n"
        "from component_framework.core.state import InMemoryStateStore\n\n"
        "from .counter import Counter\n\n\n"
        '@registry.register("vault")\n'
        "class Vault(Counter):\n"
        '    """A counter whose state stays on the server."""\n\n'
        "    state_store = InMemoryStateStore()\n"
    )
    dev.wait_for_component("vault")
    open_playground(page, "vault")
    frame = stage(page)
    root = frame.locator("[data-cf-component]")
    assert json.loads(root.get_attribute("data-cf-state") or "")["component"] == "vault"
    state = page.locator("#cf-state-json")
    expect(state).to_have_value('{\n  "count": 0,\n  "step": 1\n}')
    frame.locator("button.increment").click()
    expect(frame.locator(".count")).to_have_text("1")
    expect(state).to_have_value('{\n  "count": 1,\n  "step": 1\n}')
    page.fill("#cf-state-json", '{"count": 40, "step": 1}')
    page.click("#cf-state-apply")
    expect(frame.locator(".count")).to_have_text("40")
    frame.locator("button.increment").click()
    expect(frame.locator(".count")).to_have_text("41")
    expect(state).to_have_value('{\n  "count": 41,\n  "step": 1\n}')
    held = json.loads(root.get_attribute("data-cf-state") or "")
    assert set(held) == {"component", "id", "key", "version"}  # the page holds no count
    # The event log shows the stored states, not the references the page holds.
    entries = page.locator("#cf-log .cf-log-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).locator(".cf-diff")).to_have_text("~ count: 0 → 1")
    command = "cf dispatch vault increment --state '{\"count\":40,\"step\":1}' --payload '{}'"
    expect(entries.nth(1).locator(".cf-copy")).to_have_attribute("data-command", command)
    page.click("#cf-replay")  # from the mount state, back in the store: +1, +1
    expect(page.locator("body")).to_have_attribute("data-dev-replayed", "2")
    expect(frame.locator(".count")).to_have_text("2")
    expect(state).to_have_value('{\n  "count": 2,\n  "step": 1\n}')


TICKER = '''
from component_framework.core import Component, registry, ws_manager


@registry.register("ticker")
class Ticker(Component):
    """Ticks on every page when one of them announces."""

    template_name = "ticker.html"
    live = True

    def mount(self):
        super().mount()
        self.state["ticks"] = 0

    async def on_announce(self):
        await ws_manager.push_event("ticker", "tick", {"by": 1})

    def on_tick(self, by: int = 1):
        self.state["ticks"] += by
        self.flash("info", "Ticked.")
'''


def test_a_push_event_under_cf_dev_reaches_the_page_and_the_event_log(
    page: Page, browser: Browser, dev: DevServer
) -> None:
    (dev.package / "templates" / "ticker.html").write_text(
        '<div class="ticker"><b class="ticks">{{ state.ticks }}</b></div>'
    )
    (dev.package / "components" / "ticker.py").write_text(TICKER)
    dev.wait_for_component("ticker")
    open_playground(page, "ticker")
    frame = stage(page)
    expect(frame.locator("[data-cf-component][data-cf-subscribed]")).to_have_count(1)
    fire(page, "announce", "{}")
    expect(frame.locator(".ticks")).to_have_text("1")
    expect(frame.get_by_role("status")).to_contain_text("Ticked.")
    entries = page.locator("#cf-log .cf-log-entry")
    # The push, in whichever order it arrived beside the event that made it: one entry, though
    # the page (its own request in flight) answered it instead of taking the server's run.
    expect(entries).to_have_count(2)
    tick = entries.filter(has=page.locator(".cf-log-pushed"))
    expect(tick.locator(".cf-log-event")).to_have_text("tick")
    expect(tick.locator(".cf-diff")).to_have_text("~ ticks: 0 → 1")
    expect(tick.locator(".cf-effects li")).to_have_text(['→ flash level="info" text="Ticked."'])
    announce = entries.filter(has_not=page.locator(".cf-log-pushed"))
    expect(announce.locator(".cf-log-event")).to_have_text("announce")
    expect(announce.locator(".cf-diff")).to_have_text("state unchanged")

    # Another session announces: this page, idle, takes the update the server ran for it.
    other = browser.new_context(base_url=dev.url).new_page()
    open_playground(other, "ticker")
    fire(other, "announce", "{}")
    expect(frame.locator(".ticks")).to_have_text("2")
    expect(entries).to_have_count(3)
    expect(entries.nth(2).locator(".cf-log-event")).to_have_text("tick")
    expect(entries.nth(2).locator(".cf-log-pushed")).to_have_count(1)
    expect(entries.nth(2).locator(".cf-diff")).to_have_text("~ ticks: 1 → 2")
    # Run by the server for every page in that state: no time of this page's.
    expect(entries.nth(2).locator(".cf-log-ms")).to_have_count(0)
    other.context.close()
