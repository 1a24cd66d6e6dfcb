"""The example Django site in a real Chromium, served by uvicorn on Django's ASGI app.

CSRF is on (Django's middleware), users sign in through Django's login view, and the model
permission decides who may edit the article.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ROOT, TIMEOUT_MS, _free_port, _wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def django_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example Django site under uvicorn, on a fresh SQLite database with demo data."""
    database = tmp_path_factory.mktemp("django-site") / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "examples.django_site.settings",
        "DJANGO_DB": str(database),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    manage = [sys.executable, "-m", "examples.django_site.manage"]
    for command in (["migrate", "--verbosity", "0"], ["seed_demo"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "examples.django_site.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _page(browser: Browser, url: str, user: str | None) -> Iterator[Page]:
    context = browser.new_context(base_url=url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if user is not None:
        page.goto("/login/")
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password").fill("demo-pass")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#who")).to_have_text(f"Signed in as {user}")
    else:
        page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def anonymous(browser: Browser, django_url: str) -> Iterator[Page]:
    yield from _page(browser, django_url, None)


@pytest.fixture
def reader(browser: Browser, django_url: str) -> Iterator[Page]:
    yield from _page(browser, django_url, "reader")


@pytest.fixture
def editor(browser: Browser, django_url: str) -> Iterator[Page]:
    yield from _page(browser, django_url, "editor")


def test_counter_works_with_csrf_on(anonymous: Page) -> None:
    counter = anonymous.locator('[data-cf-component="counter"]')
    count = counter.get_by_test_id("count")
    expect(count).to_have_text("3")
    counter.get_by_role("button", name="+1").click()
    expect(count).to_have_text("4")
    counter.get_by_role("button", name="+1").click()
    expect(count).to_have_text("5")


def test_csrf_token_is_required(anonymous: Page) -> None:
    # The same request cf.js sends, without the token: Django's middleware refuses it.
    status = anonymous.evaluate(
        """async () => {
          const root = document.querySelector('[data-cf-component="counter"]');
          const response = await fetch('/cf/event', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CF-Request': '1'},
            body: JSON.stringify({component: 'counter', component_id: root.dataset.cfId,
              event: 'increment', payload: {}, state: root.dataset.cfState,
              checksum: root.dataset.cfChecksum})});
          return response.status;
        }"""
    )
    assert status == 403


def test_anonymous_user_sees_refusals(anonymous: Page) -> None:
    expect(anonymous.locator('[data-cf-component="greeting"] [role="alert"]')).to_have_text(
        "Authentication required."
    )


def test_reader_without_the_permission_cannot_edit(reader: Page) -> None:
    greeting = reader.locator('[data-cf-component="greeting"]')
    greeting.get_by_role("button", name="Wave").click()
    expect(greeting.get_by_test_id("waves")).to_have_text("Waves: 1")
    form = reader.locator('[data-cf-component="article_form"]')
    expect(form.locator('[role="alert"]')).to_have_text("Permission denied.")
    expect(form.get_by_label("Title")).to_have_count(0)


def test_editor_saves_the_article_and_sees_it_again(editor: Page) -> None:
    form = editor.locator('[data-cf-component="article_form"]')
    title = form.get_by_label("Title")
    expect(title).to_have_value("First article")
    title.fill("ab")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_test_id("title-error")).to_contain_text("at least 3 characters")
    form.get_by_label("Title").fill("Edited in the browser")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_test_id("saved")).to_have_text("Saved.")
    editor.reload()
    expect(
        editor.locator('[data-cf-component="article_form"]').get_by_label("Title")
    ).to_have_value("Edited in the browser")


def test_a_create_form_creates_a_row_on_every_submit(editor: Page) -> None:
    # Mounted without pk: every valid submit is a new article ("save and add another"),
    # validated by the model's own rules (no Pydantic schema).
    form = editor.locator('[data-cf-component="new_article"]')
    form.get_by_role("button", name="Create").click()
    expect(form.get_by_test_id("new-title-error")).to_have_text("This field is required.")
    created = []
    for title in ("Second article", "Third article"):
        form.get_by_label("New title").fill(title)
        form.get_by_role("button", name="Create").click()
        expect(form.get_by_test_id("created")).not_to_have_text(created[-1] if created else "")
        created.append(form.get_by_test_id("created").inner_text())
    assert created[0] != created[1]
    editor.reload()
    titles = editor.locator("#articles li")
    expect(titles).to_have_count(3)
    expect(titles.nth(1)).to_have_text("Second article")
    expect(titles.nth(2)).to_have_text("Third article")


def test_a_component_in_django_templates_with_a_cotton_button(editor: Page) -> None:
    # shop/templates/shop/components/tally.html: a filter, the request's user, <c-tally-button>.
    tally = editor.locator('[data-cf-component="tally"]')
    expect(tally.get_by_test_id("tally")).to_have_text("Tally: 000 (by editor)")
    tally.get_by_role("button", name="Add one").click()
    expect(tally.get_by_test_id("tally")).to_have_text("Tally: 001 (by editor)")
