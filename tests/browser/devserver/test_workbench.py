"""``cf dev`` as a component workbench, in a real browser: stories, the gallery of live previews,
the isolated frame with the app's CSS, the toolbar, shareable URLs, stepping through a session
and exporting it as a test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS

from .helpers import DevServer, edit, fire, open_playground, stage

pytestmark = pytest.mark.browser

GREEN = "rgb(0, 128, 0)"  # .count in the demo app's static/app.css, through a :root variable
DEV_ACCENT = "rgb(47, 111, 237)"  # the dev pages' button background (dev.css)


def query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_the_gallery_shows_every_story_live_in_the_apps_look(page: Page) -> None:
    page.goto("/")
    counter = page.locator('.cf-card[data-name="counter"]')
    expect(counter.locator(".cf-story")).to_have_count(3)
    expect(counter.locator('.cf-preview[data-story="counter/zero"] .count')).to_have_text("0")
    expect(counter.locator('.cf-preview[data-story="counter/busy"] .count')).to_have_text("40")
    expect(counter.locator('.cf-preview[data-story="counter/stepped"] .count')).to_have_text("3")
    # A component that declares no stories still gets one.
    countdown = page.locator('.cf-card[data-name="countdown"]')
    expect(countdown.locator(".cf-story")).to_have_count(1)
    expect(countdown.locator(".cf-story-name")).to_have_text("default")
    # The app's CSS (its :root variable included) styles the preview; the dev pages' does not.
    zero = counter.locator('.cf-preview[data-story="counter/zero"]')
    expect(zero.locator(".count")).to_have_css("color", GREEN)
    expect(zero.locator("button")).to_have_css("font-size", "17px")
    expect(zero.locator("button")).not_to_have_css("background-color", DEV_ACCENT)


def test_a_gallery_preview_is_a_live_component(page: Page) -> None:
    page.goto("/")
    busy = page.locator('.cf-preview[data-story="counter/busy"]')
    zero = page.locator('.cf-preview[data-story="counter/zero"]')
    expect(busy.locator("[data-cf-component]")).to_have_attribute("data-cf-ready", "")
    busy.locator("button.increment").click()
    expect(busy.locator(".count")).to_have_text("41")
    busy.locator("button.increment").click()
    expect(busy.locator(".count")).to_have_text("42")
    # Each preview is its own component: the other stories did not move.
    expect(zero.locator(".count")).to_have_text("0")
    zero.locator("button.increment").click()
    expect(zero.locator(".count")).to_have_text("1")
    expect(busy.locator(".count")).to_have_text("42")


NOTE = '''from component_framework.core import Component, registry


@registry.register("note")
class Note(Component):
    """A note: a colour chosen, a text typed and saved."""

    template_name = "note.html"

    def mount(self):
        super().mount()
        self.state.update(colour="red", typed="", saved="")

    def on_pick(self, value: str = ""):
        self.state["colour"] = value

    def on_type(self, value: str = ""):
        self.state["typed"] = value

    def on_save(self, form_data: dict):
        self.state["saved"] = form_data.get("text", "")
'''
NOTE_HTML = (
    '<div><select class="colour" cf-change="pick"><option>red</option><option>blue</option>'
    '</select><p class="chosen">{{ state.colour }}</p>'
    '<input class="typing" cf-input="type"><p class="typed">{{ state.typed }}</p>'
    '<form cf-submit="save"><input name="text" class="text"><button>Save</button></form>'
    '<p class="saved">{{ state.saved }}</p></div>\n'
)


def test_controls_and_forms_work_in_a_gallery_preview(page: Page, dev: DevServer) -> None:
    # change and submit events do not leave a shadow root; input does, retargeted to the host.
    page.goto("/")
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    (dev.package / "templates" / "note.html").write_text(NOTE_HTML)
    (dev.package / "components" / "note.py").write_text(NOTE)
    note = page.locator('.cf-preview[data-story="note/default"]')
    expect(note.locator("[data-cf-component]")).to_have_attribute("data-cf-ready", "")
    note.locator("select.colour").select_option("blue")
    expect(note.locator(".chosen")).to_have_text("blue")
    note.locator("input.typing").fill("hello")
    expect(note.locator(".typed")).to_have_text("hello")
    note.locator("input.text").fill("kept")
    note.locator("button").click()
    expect(note.locator(".saved")).to_have_text("kept")
    expect(page).to_have_url(re.compile(r"/$"))  # the form did not navigate


def test_the_gallery_search_filters_stories_and_stays_in_the_url(page: Page) -> None:
    page.goto("/")
    page.fill("#cf-search", "busy")
    counter = page.locator('.cf-card[data-name="counter"]')
    expect(counter.locator('.cf-story[data-story="counter/busy"]')).to_be_visible()
    expect(counter.locator('.cf-story[data-story="counter/zero"]')).to_be_hidden()
    expect(page.locator('.cf-card[data-name="signup"]')).to_be_hidden()
    expect(page.locator("#cf-count")).to_have_text("1 of 3 · 1 stories")
    assert query(page)["q"] == "busy"
    page.reload()
    expect(page.locator('.cf-card[data-name="signup"]')).to_be_hidden()
    page.click('.cf-story[data-story="counter/busy"] .cf-story-name')
    expect(stage(page).locator(".count")).to_have_text("40")


def test_a_template_save_updates_every_preview_of_the_component(page: Page, dev: DevServer) -> None:
    page.goto("/")
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    edit(
        dev.package / "templates" / "counter.html",
        '<b class="count">',
        '<b class="count" data-v="g">',
    )
    counter = page.locator('.cf-card[data-name="counter"]')
    expect(counter.locator('.count[data-v="g"]')).to_have_count(3)
    expect(counter.locator('.cf-preview[data-story="counter/busy"] .count')).to_have_text("40")


def test_the_frame_loads_the_apps_css_and_reloads_it_live(page: Page, dev: DevServer) -> None:
    open_playground(page, "counter")
    frame = stage(page)
    expect(frame.locator(".count")).to_have_css("color", GREEN)
    expect(frame.locator("button")).not_to_have_css("background-color", DEV_ACCENT)
    frame.locator("button.increment").click()
    expect(frame.locator(".count")).to_have_text("1")
    css = dev.project / "static" / "app.css"
    original = css.read_text()
    try:
        css.write_text(original.replace("rgb(0, 128, 0)", "rgb(200, 0, 0)"))
        expect(frame.locator(".count")).to_have_css("color", "rgb(200, 0, 0)")
        expect(frame.locator(".count")).to_have_text("1")  # no re-render, no reload: state kept
    finally:
        css.write_text(original)
    expect(frame.locator(".count")).to_have_css("color", GREEN)


def test_stories_viewports_and_theme_are_in_the_url(
    page: Page, browser: Browser, dev: DevServer
) -> None:
    open_playground(page, "counter", "?story=busy")
    frame = stage(page)
    expect(frame.locator(".count")).to_have_text("40")
    expect(page.locator('.cf-story-tab[aria-current="page"]')).to_have_text("busy")
    widths = {}
    for preset in ("mobile", "tablet", "desktop"):
        page.click(f'.cf-viewport[data-viewport="{preset}"]')
        expect(page.locator("#cf-stage")).to_have_attribute("data-viewport", preset)
        box = page.locator("#cf-frame").bounding_box()
        assert box is not None
        widths[preset] = round(box["width"])
    assert widths["mobile"] == 375 and widths["tablet"] == 768
    assert widths["desktop"] > widths["tablet"]
    page.fill("#cf-width", "500")
    page.locator("#cf-width").dispatch_event("change")
    expect(page.locator("#cf-stage")).to_have_attribute("data-viewport", "500")
    page.click('.cf-theme[data-theme="dark"]')
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    frame.locator("button.increment").click()
    expect(frame.locator(".count")).to_have_text("41")
    settings = query(page)
    assert settings["story"] == "busy" and settings["viewport"] == "500"
    assert settings["theme"] == "dark" and '"count":41' in settings["state"]

    # A colleague opening the link sees the same story, state, width and theme.
    colleague = browser.new_context(base_url=dev.url)
    other = colleague.new_page()
    try:
        other.goto(page.url)
        expect(stage(other).locator(".count")).to_have_text("41")
        expect(stage(other).locator("html")).to_have_attribute("data-theme", "dark")
        box = other.locator("#cf-frame").bounding_box()
        assert box is not None and round(box["width"]) == 500
        stage(other).locator("button.increment").click()  # the state in the link is live
        expect(stage(other).locator(".count")).to_have_text("42")
    finally:
        colleague.close()


def test_a_story_with_a_state_renders_it(page: Page) -> None:
    open_playground(page, "counter", "?story=stepped")
    expect(stage(page).locator(".count")).to_have_text("3")
    expect(page.locator("#cf-state-json")).to_have_value('{\n  "count": 3,\n  "step": 5\n}')


def test_step_back_and_forward_through_the_session_then_fork(page: Page) -> None:
    open_playground(page, "counter")
    frame = stage(page)
    for amount in (1, 2, 3):
        fire(page, "increment", f'{{"amount": {amount}}}')
    expect(frame.locator(".count")).to_have_text("6")
    expect(page.locator("#cf-step-pos")).to_have_text("3 / 3")
    page.click("#cf-step-back")
    expect(frame.locator(".count")).to_have_text("3")
    page.click("#cf-step-back")
    expect(frame.locator(".count")).to_have_text("1")
    expect(page.locator("#cf-log .cf-future")).to_have_count(2)
    page.click("#cf-step-forward")
    expect(frame.locator(".count")).to_have_text("3")
    expect(page.locator("#cf-step-pos")).to_have_text("2 / 3")

    with page.context.expect_page() as opened:
        page.click("#cf-fork")
    fork = opened.value
    expect(stage(fork).locator(".count")).to_have_text("3")
    stage(fork).locator("button.increment").click()
    expect(stage(fork).locator(".count")).to_have_text("4")
    fork.close()

    # An event fired back in time starts a new branch: the later events are dropped.
    fire(page, "increment", '{"amount": 10}')
    expect(frame.locator(".count")).to_have_text("13")
    expect(page.locator("#cf-step-pos")).to_have_text("3 / 3")
    expect(page.locator("#cf-log .cf-future")).to_have_count(0)


def test_export_as_test_writes_a_test_that_passes_then_fails_on_a_change(
    page: Page, dev: DevServer
) -> None:
    open_playground(page, "counter", '?params={"start": 2}')
    frame = stage(page)
    frame.locator("button.increment").click()
    fire(page, "increment", '{"amount": 5}')
    fire(page, "increment", '{"amount": "lots"}')  # refused: not part of the test
    expect(page.locator("#cf-log .cf-log-entry")).to_have_count(3)
    expect(frame.locator(".count")).to_have_text("8")
    page.click("#cf-export")
    result = page.locator("#cf-export-result")
    expect(result).to_have_attribute("data-state", "ok")
    path = dev.project / (result.get_attribute("data-path") or "")
    try:
        source = path.read_text()
        assert "ComponentTester('counter', start=2)" in source
        assert "tester.call('increment', amount=5)" in source
        assert "assert tester.state == {'count': 8, 'step': 1}" in source
        assert "'8'" in source  # the text the user saw
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(dev.project), *sys.path])}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
        passed = subprocess.run(command, cwd=dev.project, env=env, capture_output=True, text=True)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        module = dev.package / "components" / "counter.py"
        edit(module, 'self.state["count"] += amount', 'self.state["count"] += amount * 2')
        failed = subprocess.run(command, cwd=dev.project, env=env, capture_output=True, text=True)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "assert tester.state ==" in failed.stdout
    finally:
        path.unlink(missing_ok=True)


PHOTO = """from component_framework.core import Component, registry
from component_framework.core.uploads import Upload, UploadedFile


@registry.register("photo")
class Photo(Component):
    template_name = "photo.html"
    uploads = {"picture": Upload(accept=["image/png"])}

    def mount(self):
        super().mount()
        self.state["got"] = "nothing yet"
        self.state["owner"] = self.id  # the test is exported mounting with the session's id

    def on_keep(self, picture: UploadedFile, caption: str = ""):
        self.state["got"] = f"{caption}: {picture.name} {picture.size} {picture.content_type}"
"""


def test_the_playground_uploads_a_picked_file_and_exports_it_as_a_fixture(
    page: Page, dev: DevServer, tmp_path: Path
) -> None:
    (dev.package / "templates" / "photo.html").write_text(
        '<div><input type="file" cf-upload="picture"><p class="got">{{ state.got }}</p></div>\n'
    )
    (dev.package / "components" / "photo.py").write_text(PHOTO)
    # Loaded before the page asks: a page opened meanwhile may miss the reload it announces.
    dev.wait_for_component("photo")
    page.goto("/")
    # A reload and, below, an export replayed in a fresh process: slow on a loaded machine.
    expect(page.locator('.cf-card[data-name="photo"]')).to_be_visible(timeout=3 * TIMEOUT_MS)
    open_playground(page, "photo")
    picture = tmp_path / "sunset.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(3000))
    page.select_option("#cf-event-name", "keep")
    # The handler's upload argument is a file field offering the upload's types; picking
    # sends it through the endpoint.
    expect(page.locator("#cf-event-fields-picture")).to_have_attribute("accept", "image/png")
    page.set_input_files("#cf-event-fields-picture", picture)
    frame = stage(page)
    expect(frame.locator('[cf-upload="picture"]')).to_have_attribute("data-cf-upload-state", "done")
    page.fill("#cf-event-fields-caption", "evening")
    page.click("#cf-event-fire")
    expect(frame.locator(".got")).to_have_text("evening: sunset.png 3008 image/png")
    page.click("#cf-export")
    result = page.locator("#cf-export-result")
    expect(result).to_have_attribute("data-state", "ok", timeout=3 * TIMEOUT_MS)
    path = dev.project / (result.get_attribute("data-path") or "")
    fixtures = path.with_name(f"{path.stem}_files")
    try:
        source = path.read_text()
        assert (
            "tester.upload('picture', ('sunset.png', (FILES / '1-sunset.png').read_bytes()))"
            in source
        )
        assert "tester.call('keep', caption='evening')" in source
        assert (fixtures / "1-sunset.png").read_bytes() == picture.read_bytes()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(dev.project), *sys.path])}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
        passed = subprocess.run(command, cwd=dev.project, env=env, capture_output=True, text=True)
        assert passed.returncode == 0, passed.stdout + passed.stderr
    finally:
        path.unlink(missing_ok=True)
        shutil.rmtree(fixtures, ignore_errors=True)


def test_the_overlay_names_what_failed(page: Page, dev: DevServer) -> None:
    page.goto("/")
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    (dev.package / "components" / "fragile.py").write_text(
        "from component_framework.core import Component, registry\n\n\n"
        '@registry.register("fragile")\n'
        "class Fragile(Component):\n"
        '    template_name = "fragile.html"\n\n'
        "    def on_explode(self) -> None:\n"
        '        raise RuntimeError("exploded on purpose")\n'
    )
    (dev.package / "templates" / "fragile.html").write_text("<p class='n'>{{ 6 * 7 }}</p>\n")
    expect(page.locator('.cf-card[data-name="fragile"]')).to_be_visible()
    open_playground(page, "fragile")
    fire(page, "explode", "{}")
    overlay = page.locator("#cf-dev-overlay")
    expect(overlay.locator(".cf-overlay-kind")).to_have_text("Event handler error")
    expect(overlay).to_contain_text("exploded on purpose")
    page.click("#cf-dev-overlay-close")
    # A template that fails while re-rendering after a save: no event was fired.
    (dev.package / "templates" / "fragile.html").write_text("<p class='n'>{{ 6 // 0 }}</p>\n")
    expect(overlay).to_be_visible()
    expect(overlay.locator(".cf-overlay-kind").first).to_have_text("Template error")
    expect(overlay).to_contain_text("ZeroDivisionError")
    expect(overlay).not_to_contain_text("while handling the event")


def test_the_docs_tab_describes_the_component_from_its_code(page: Page) -> None:
    open_playground(page, "counter")
    page.click("#cf-tab-docs")
    docs = page.locator("#cf-docs")
    expect(docs).to_be_visible()
    expect(page.locator("#cf-stage")).to_be_hidden()
    expect(docs.locator(".cf-docs-doc")).to_have_text("Counts clicks.")
    expect(docs.locator("#cf-docs-state")).to_contain_text("count")
    expect(docs.locator("#cf-docs-state")).to_contain_text("int")
    expect(docs.locator("#cf-docs-events")).to_contain_text("on_increment(amount: int = 1)")
    expect(docs.locator(".cf-docs-source")).to_contain_text("class Counter(Component):")
    expect(docs.locator(".cf-docs-where")).to_contain_text("counter.py:")
    # Every file:line is a link to the editor (VS Code's scheme unless [tool.cf] editor says).
    link = docs.locator(".cf-docs-where a")
    expect(link).to_have_attribute("href", re.compile(r"^vscode://file/.*/counter\.py:\d+$"))
    assert query(page)["tab"] == "docs"
    page.reload()
    expect(page.locator("#cf-docs")).to_be_visible()
    page.click("#cf-tab-preview")
    expect(stage(page).locator(".count")).to_have_text("0")


MOVER = """from component_framework.core import Component, registry


@registry.register("mover")
class Mover(Component):
    template_name = "mover.html"

    def on_save(self):
        self.flash("success", "Saved.")
        self.redirect("/somewhere-else")
"""


def test_effects_show_in_the_log_and_a_redirect_stays_in_the_playground(
    page: Page, dev: DevServer
) -> None:
    (dev.package / "templates" / "mover.html").write_text(
        '<button class="save" cf-click="save">Save</button>\n'
    )
    (dev.package / "components" / "mover.py").write_text(MOVER)
    dev.wait_for_component("mover")
    open_playground(page, "mover")
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    frame = stage(page)
    frame.locator("button.save").click()
    entry = page.locator("#cf-log .cf-log-entry")
    expect(entry.locator('[data-effect="flash"]')).to_have_text(
        '→ flash level="success" text="Saved."'
    )
    expect(entry.locator('[data-effect="redirect"]')).to_have_text(
        '→ redirect url="/somewhere-else" flash=(signed)'
    )
    # Shown, not followed: the frame still shows the component, and the flash in the
    # preview's own region (no warning to place one: the user cannot place it there).
    expect(frame.locator("button.save")).to_be_visible()
    expect(frame.locator("#cf-flash[role=status]")).to_contain_text("Saved.")
    assert not [text for text in warnings if "no region" in text], warnings
    # In the gallery too: the page stays the gallery.
    page.goto("/")
    preview = page.locator('.cf-preview[data-story="mover/default"]')
    expect(preview.locator("[data-cf-component]")).to_have_attribute("data-cf-ready", "")
    with page.expect_console_message(lambda m: "asked for a redirect" in m.text):
        preview.locator("button.save").click()
    expect(page).to_have_url(re.compile(r"/$"))
