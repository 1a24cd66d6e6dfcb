"""The example app's /interactivity page in Chromium, against its real server (issue 22).

Loading states, cf-disable-with and double submits, cf-confirm, cf-dirty and the leave warning,
cf-blur, Escape and click-away, infinite scroll, transitions with optimistic classes, hooks
with browser events, events between components, and cf-model on a plain component. Requests
the test wants to watch in flight are held (``Held``) and let through when it says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, expect

pytestmark = pytest.mark.browser


class Held:
    """Hold every component event the page sends until ``release()`` lets it through."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.routes: list[Route] = []
        page.route("**/cf/event", self._hold)

    def _hold(self, route: Route) -> None:
        self.routes.append(route)

    def wait(self, count: int = 1) -> None:
        """Wait until *count* events are held."""
        for _ in range(300):  # Playwright delivers routes while the test waits on it
            if len(self.routes) >= count:
                return
            self.page.wait_for_timeout(20)
        raise AssertionError(f"{len(self.routes)} events held, expected {count}")

    def release(self) -> None:
        """Let the held events through (to the real server), and the next ones too."""
        for route in self.routes:
            route.continue_()
        self.routes.clear()
        self.page.unroute("**/cf/event")


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """The /interactivity page, cf.js ready; a JavaScript error on it fails the test."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/interactivity")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def demo(page: Page, name: str) -> Any:
    return page.locator(f'[data-cf-component="{name}"]')


# ---------- Loading states, cf-disable-with, cf-confirm, cf-dirty, cf-blur ----------


def test_saving_shows_progress_and_sends_one_event_for_a_double_click(page: Page) -> None:
    note = demo(page, "note_editor")
    note.get_by_label("Title").fill("Groceries")
    held = Held(page)
    note.get_by_role("button", name="Save").dblclick()
    held.wait()
    expect(note.get_by_role("button", name="Saving...")).to_be_disabled()
    expect(note.get_by_role("status")).to_have_text("Saving your note…")
    expect(note.get_by_role("status")).to_be_visible()
    page.wait_for_timeout(100)
    assert len(held.routes) == 1  # the second click met a disabled button
    held.release()
    expect(note.get_by_text("Saved 1 time.")).to_be_visible()
    expect(note.get_by_role("button", name="Save")).to_be_enabled()
    expect(note.get_by_role("status")).to_be_hidden()


def test_unsaved_changes_are_marked_until_saved(page: Page) -> None:
    note = demo(page, "note_editor")
    form, unsaved = note.locator("form"), note.get_by_text("You have unsaved changes.")
    expect(unsaved).to_be_hidden()
    note.get_by_label("Note").fill("Milk, bread, eggs")
    expect(form).to_have_class("unsaved")
    expect(unsaved).to_be_visible()
    expect(note.get_by_label("Note")).to_have_attribute("data-cf-dirty", "")
    note.get_by_role("button", name="Save").click()
    expect(note.get_by_text("Saved 1 time.")).to_be_visible()
    expect(unsaved).to_be_hidden()
    expect(note.get_by_label("Note")).to_have_value("Milk, bread, eggs")


def test_leaving_with_unsaved_changes_asks_first(page: Page) -> None:
    seen: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        seen.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    demo(page, "note_editor").get_by_label("Title").fill("Changed")
    page.close(run_before_unload=True)
    page.wait_for_timeout(200)
    assert seen == ["beforeunload"]
    assert not page.is_closed()


def test_delete_asks_first(page: Page) -> None:
    note = demo(page, "note_editor")
    answers = iter([False, True])
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        (dialog.accept if next(answers) else dialog.dismiss)()

    page.on("dialog", answer)
    note.get_by_role("button", name="Delete").click()
    expect(note.get_by_label("Title")).to_be_visible()  # declined: nothing sent
    note.get_by_role("button", name="Delete").click()
    expect(note.get_by_text("Note deleted.")).to_be_visible()
    assert questions == ["Delete this note?", "Delete this note?"]


def test_leaving_an_empty_title_shows_the_servers_check(page: Page) -> None:
    note = demo(page, "note_editor")
    note.get_by_label("Title").fill("")
    note.get_by_label("Note").focus()
    expect(note.get_by_text("A note needs a title.")).to_be_visible()
    note.get_by_label("Title").fill("Back")
    note.get_by_label("Note").focus()
    expect(note.get_by_text("A note needs a title.")).to_be_hidden()


# ---------- Escape and click-away ----------


def test_escape_and_a_click_outside_close_the_dialog(page: Page) -> None:
    box = demo(page, "rename_dialog")
    dialog = box.get_by_role("dialog")
    box.get_by_role("button", name="Rename…").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    box.get_by_role("button", name="Rename…").click()
    expect(dialog).to_be_visible()
    dialog.get_by_label("New name").click()  # inside: stays open
    page.get_by_role("heading", name="Infinite scroll (cf-visible)").click()
    expect(dialog).to_be_hidden()
    box.get_by_role("button", name="Rename…").click()
    dialog.get_by_label("New name").fill("Plan")
    dialog.get_by_role("button", name="Rename").click()
    expect(box.locator("strong")).to_have_text("Plan")


# ---------- cf-visible ----------


def test_the_feed_loads_more_as_its_end_scrolls_into_view(page: Page) -> None:
    feed = demo(page, "feed")
    expect(feed.get_by_text("10 of 50 posts.")).to_be_visible()
    feed.get_by_text("Post 10", exact=True).scroll_into_view_if_needed()
    expect(feed.get_by_text("20 of 50 posts.")).to_be_visible()
    for shown in (30, 40, 50):
        feed.locator("li").last.scroll_into_view_if_needed()
        expect(feed.get_by_text(f"{shown} of 50 posts.")).to_be_visible()
    page.wait_for_timeout(200)
    expect(feed.locator("li")).to_have_count(50)


# ---------- Transitions and optimistic classes ----------


def test_tasks_tick_and_go_at_once_then_as_the_server_says(page: Page) -> None:
    tasks = demo(page, "tasks")
    tasks.get_by_label("New task").fill("Post the letter")
    tasks.get_by_label("New task").press("Enter")
    letter = tasks.locator("li", has_text="Post the letter")
    expect(letter).to_be_visible()
    expect(letter).not_to_have_class("fade-enter-active")  # the transition ended
    held = Held(page)
    letter.get_by_role("button", name="Tick").click()
    held.wait()
    expect(letter).to_have_class("done")  # at once, before the server answers
    held.release()
    expect(tasks.locator("[data-cf-loading]")).to_have_count(0)
    expect(letter).to_have_class("done")
    plants = tasks.locator("li", has_text="Water the plants")
    held = Held(page)
    plants.get_by_role("button", name="Remove").click()
    held.wait()
    expect(plants).to_be_hidden()
    held.release()
    expect(plants).to_have_count(0)
    expect(tasks.locator("li")).to_have_count(1)
