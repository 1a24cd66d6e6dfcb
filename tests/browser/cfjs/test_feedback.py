"""Asking first and showing unsaved changes: ``cf-confirm``, ``cf-dirty``, ``cf-dirty-warn``.

``cf-confirm`` asks before an event is sent: ``cf:confirm`` on the element first (an app that
cancels it asks its own way and calls ``detail.proceed()``), else the browser's ``confirm()``.
``cf-dirty`` marks an element while one of its controls differs from the server's render;
``cf-dirty-warn`` makes the browser ask before such a page is left.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Dialog, expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

DELETE = '<button type="button" cf-click="delete" cf-confirm="Delete this item?">Delete</button>'


def answer_dialogs(cf_page: ClientPage, accept: bool) -> list[str]:
    """Answer every dialog of the page; returns the messages (type: message) seen."""
    seen: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    cf_page.page.on("dialog", on_dialog)
    return seen


def test_confirm_sends_once_the_user_agrees(cf_page: ClientPage) -> None:
    cf_page.open(component("c", DELETE))
    seen = answer_dialogs(cf_page, accept=True)
    cf_page.page.get_by_role("button").click()
    request = cf_page.next_request()
    assert request.message["event"] == "delete"
    assert seen == ["confirm: Delete this item?"]
    request.render(DELETE)


def test_confirm_sends_nothing_when_the_user_declines(cf_page: ClientPage) -> None:
    cf_page.open(component("c", DELETE + '<button type="button" cf-click="keep">Keep</button>'))
    seen = answer_dialogs(cf_page, accept=False)
    cf_page.page.get_by_role("button", name="Delete").click()
    cf_page.page.get_by_role("button", name="Keep").click()  # the next event goes out
    assert cf_page.next_request().message["event"] == "keep"
    assert seen == ["confirm: Delete this item?"]
    expect(cf_page.page.get_by_role("button", name="Delete")).to_be_enabled()


APP_DIALOG = """() => {
  window.asked = [];
  document.addEventListener("cf:confirm", (event) => {
    event.preventDefault();  // no native dialog: the app asks
    window.asked.push({ message: event.detail.message, event: event.detail.event,
                        target: event.target.textContent });
    window.proceed = event.detail.proceed;
  });
}"""


def test_an_app_answers_cf_confirm_with_its_own_dialog(cf_page: ClientPage) -> None:
    cf_page.open(component("c", DELETE))
    seen = answer_dialogs(cf_page, accept=False)
    cf_page.page.evaluate(APP_DIALOG)
    cf_page.page.get_by_role("button").click()
    asked = cf_page.page.evaluate("window.asked")
    assert asked == [{"message": "Delete this item?", "event": "delete", "target": "Delete"}]
    assert cf_page.requests == []  # waiting for the app's answer
    cf_page.page.evaluate("window.proceed(); window.proceed()")  # twice: sent once
    cf_page.next_request().render(DELETE)
    cf_page.page.wait_for_function("!document.querySelector('[data-cf-loading]')")
    assert cf_page.requests == []
    assert seen == []


def test_a_form_asks_from_its_submit_button(cf_page: ClientPage) -> None:
    form = (
        '<form cf-submit="remove"><input name="id" value="7" aria-label="Id">'
        '<button cf-confirm="Remove 7?">Remove</button></form>'
    )
    cf_page.open(component("c", form))
    seen = answer_dialogs(cf_page, accept=True)
    cf_page.page.get_by_role("button").click()
    request = cf_page.next_request()
    assert request.message["payload"] == {"form_data": {"id": "7"}}
    assert seen == ["confirm: Remove 7?"]
    request.render(form)


# ---------- cf-dirty ----------

FIELDS = (
    '<form cf-submit="save" cf-dirty="unsaved">'
    '<input name="title" value="Draft" aria-label="Title" cf-dirty>'
    '<label><input type="checkbox" name="public"> Public</label>'
    '<select name="size" aria-label="Size"><option>s</option><option selected>m</option></select>'
    "<button>Save</button></form>"
)


def test_a_control_is_dirty_while_it_differs_from_the_server(cf_page: ClientPage) -> None:
    cf_page.open(component("c", FIELDS))
    page = cf_page.page
    title, form = page.get_by_label("Title"), page.locator("form")
    expect(title).not_to_have_attribute("data-cf-dirty", "")
    title.fill("Draft 2")
    expect(title).to_have_attribute("data-cf-dirty", "")
    assert title.get_attribute("class") is None  # a bare cf-dirty adds only the attribute
    expect(form).to_have_class("unsaved")
    title.fill("Draft")  # back to what the server rendered
    expect(title).not_to_have_attribute("data-cf-dirty", "")
    expect(form).not_to_have_class("unsaved")


@pytest.mark.parametrize(
    ("change", "undo"),
    [
        (
            lambda page: page.get_by_label("Public").check(),
            lambda p: p.get_by_label("Public").uncheck(),
        ),
        (
            lambda page: page.get_by_label("Size").select_option("s"),
            lambda page: page.get_by_label("Size").select_option("m"),
        ),
    ],
    ids=["checkbox", "select"],
)
def test_checkboxes_and_selects_make_their_form_dirty(
    cf_page: ClientPage, change: Any, undo: Any
) -> None:
    cf_page.open(component("c", FIELDS))
    form = cf_page.page.locator("form")
    change(cf_page.page)
    expect(form).to_have_attribute("data-cf-dirty", "")
    undo(cf_page.page)
    expect(form).not_to_have_attribute("data-cf-dirty", "")


def test_a_form_is_clean_once_the_server_rendered_what_was_sent(cf_page: ClientPage) -> None:
    cf_page.open(component("c", FIELDS))
    page = cf_page.page
    page.get_by_label("Title").fill("Final")
    page.get_by_role("button", name="Save").click()
    request = cf_page.next_request()
    expect(page.locator("form")).to_have_attribute("data-cf-dirty", "")  # not saved yet
    request.render(FIELDS.replace('value="Draft"', 'value="Final"'))
    expect(page.locator("form")).not_to_have_attribute("data-cf-dirty", "")
    expect(page.get_by_label("Title")).to_have_value("Final")


def test_a_refused_save_stays_dirty(cf_page: ClientPage) -> None:
    cf_page.open(component("c", FIELDS))
    page = cf_page.page
    page.get_by_label("Title").fill("Final")
    page.get_by_role("button", name="Save").click()
    cf_page.next_request().refuse("Title taken.", "invalid_payload")
    expect(page.get_by_role("alert")).to_have_text("Title taken.")
    expect(page.locator("form")).to_have_attribute("data-cf-dirty", "")


def test_a_reset_form_is_clean(cf_page: ClientPage) -> None:
    form = FIELDS.replace("<form ", "<form cf-reset ").replace('value="Draft"', "")
    cf_page.open(component("c", form))
    page = cf_page.page
    page.get_by_label("Title").fill("An item")
    page.get_by_role("button", name="Save").click()
    cf_page.next_request().render(form)
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.locator("form")).not_to_have_attribute("data-cf-dirty", "")


def test_leaving_a_page_with_unsaved_changes_asks_first(cf_page: ClientPage) -> None:
    cf_page.open(component("c", FIELDS.replace("<form ", "<form cf-dirty-warn ")))
    seen = answer_dialogs(cf_page, accept=False)
    page = cf_page.page
    page.get_by_label("Title").fill("Unsaved")
    with page.expect_event("dialog"):
        page.close(run_before_unload=True)
    assert [kind.split(":")[0] for kind in seen] == ["beforeunload"]
    # Dismissed: the page stays, with what was typed (this waits for the dialog to be gone).
    expect(page.get_by_label("Title")).to_have_value("Unsaved")
    page.get_by_label("Title").fill("Draft")  # clean again: leaving asks nothing
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert len(seen) == 1


def test_without_cf_dirty_warn_leaving_asks_nothing(cf_page: ClientPage) -> None:
    cf_page.open(component("c", FIELDS))
    seen = answer_dialogs(cf_page, accept=False)
    page = cf_page.page
    page.get_by_label("Title").fill("Unsaved")
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert seen == []
