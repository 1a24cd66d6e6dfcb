"""examples/admin in Chromium: the back office as its README runs it (uvicorn, two workers,
DEBUG=0, one SQLite file), driven like a user: search, sort and pages in the URL, back and
forward, hand-edited URLs, create, edit and delete with "Saved." after the redirect, a reload
on every screen.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests._net import free_port

from .conftest import ROOT, TIMEOUT_MS, _wait_for

pytestmark = pytest.mark.browser

ADMIN = ROOT / "examples" / "admin"


class Admin:
    """The running back office: its URL, its database, its worker processes."""

    def __init__(self, url: str, database: Path, server: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.database = database
        self.server = server

    def add(self, name: str, sku: str, price: float = 10.0, stock: int = 1) -> int:
        with sqlite3.connect(self.database) as db:
            cursor = db.execute(
                "INSERT INTO products (name, sku, price, stock) VALUES (?, ?, ?, ?)",
                (name, sku, price, stock),
            )
            return cursor.lastrowid or 0

    def names(self, like: str) -> list[str]:
        with sqlite3.connect(self.database) as db:
            rows = db.execute("SELECT name FROM products WHERE name LIKE ?", (like,)).fetchall()
        return [row[0] for row in rows]

    def workers(self) -> list[str]:
        """The worker processes uvicorn started (its children, but multiprocessing's tracker)."""
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        found = []
        for pid in children.read_text().split():
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        return found


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admin]:
    database = tmp_path_factory.mktemp("admin") / "admin.db"
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "CF_SECRET_KEY": "admin-browser-tests-secret-key-0123456789",
        "ADMIN_DB": str(database),
        "ADMIN_MEDIA": str(database.parent / "media"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "uvicorn", "admin.app:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "2", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ADMIN, env=env)
    try:
        _wait_for(port, server, timeout=30)
        yield Admin(f"http://127.0.0.1:{port}", database, server)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def page(browser: Browser, admin: Admin) -> Iterator[Page]:
    context = browser.new_context(base_url=admin.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"a dialog opened: {dialog.message}"))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_list(page: Page, query: str = "") -> None:
    page.goto(f"/products{query}")
    page.wait_for_selector("[data-cf-component='product_list'][data-cf-ready]")


def events(page: Page) -> list[Request]:
    """Every request cf.js sends from now on (component events)."""
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r) if "/cf/" in r.url else None)
    return sent


def rows(page: Page) -> list[str]:
    return page.locator("tbody tr td:first-child").all_inner_texts()


def test_it_runs_with_two_workers(admin: Admin, page: Page) -> None:
    assert len(admin.workers()) == 2
    open_list(page)
    expect(page.get_by_text("Page 1 of")).to_be_visible()


def test_search_sort_and_pages_live_in_the_url(page: Page) -> None:
    open_list(page)
    search = page.get_by_label("Search")
    entries = page.evaluate("history.length")
    search.fill("oak")
    expect(page.locator("caption")).to_have_text("10 products matching “oak”")
    page.wait_for_url("**/products?q=oak")
    assert page.evaluate("history.length") == entries  # typing rewrites the entry
    page.get_by_role("button", name="Price").click()
    expect(page.get_by_role("columnheader", name="Price")).to_have_attribute(
        "aria-sort", "ascending"
    )
    page.wait_for_url("**/products?q=oak&sort=price")
    page.get_by_role("button", name="Price ▲").click()
    expect(page.get_by_role("columnheader", name="Price")).to_have_attribute(
        "aria-sort", "descending"
    )
    page.wait_for_url("**/products?q=oak&sort=-price")
    prices = [float(p) for p in page.locator("tbody td.number:nth-child(2)").all_inner_texts()]
    assert prices == sorted(prices, reverse=True)
    # The URL alone gives the same list: a reload, or the link opened elsewhere.
    shown = rows(page)
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("oak")
    assert rows(page) == shown


def test_back_and_forward_restore_the_list_exactly_without_asking_the_server(page: Page) -> None:
    open_list(page, "?sort=-stock")
    first = rows(page)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    second = rows(page)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 3 of")).to_be_visible()
    page.wait_for_url("**/products?sort=-stock&page=3")
    sent = events(page)
    page.go_back()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    assert page.url.endswith("/products?sort=-stock&page=2")
    assert rows(page) == second
    page.go_back()
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    assert rows(page) == first
    page.go_forward()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    assert rows(page) == second
    assert sent == []  # all from the history entries
    # And the restored list goes on from where it is.
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 3 of")).to_be_visible()


@pytest.mark.parametrize(
    ("query", "shown", "message"),
    [
        ("?page=abc", "Page 1 of", "page: Input should be a valid integer"),
        ("?page=0", "Page 1 of", "page: Input should be greater than or equal to 1"),
        ("?sort=price;drop", "Page 1 of", "sort: Input should be 'name', '-name'"),
        ("?q=" + "x" * 10_000, "Page 1 of", "the address is too long"),
    ],
)
def test_a_hand_edited_url_with_bad_values_shows_why(
    page: Page, query: str, shown: str, message: str
) -> None:
    response = page.goto(f"/products{query}")
    assert response is not None and response.status == 200
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.get_by_text(shown)).to_be_visible()
    # The list still works, and the next event clears the notice.
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_page_past_the_end_shows_the_last_one(page: Page) -> None:
    open_list(page, "?page=999")
    expect(page.get_by_role("status").filter(has_text="There is no page 999")).to_be_visible()
    expect(page.get_by_text("Page 6 of 6")).to_be_visible()


def test_an_unknown_parameter_is_left_alone(page: Page) -> None:
    open_list(page, "?utm_source=mail&page=2")
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**/products?utm_source=mail&page=3")


def test_create_with_validation_then_saved_after_the_redirect(page: Page, admin: Admin) -> None:
    open_list(page)
    page.get_by_role("link", name="New product").click()
    expect(page.get_by_role("heading", name="New product")).to_be_visible()
    assert page.url.endswith("/products/new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Use at least 2 characters.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Name").fill("Teak Table 1")
    page.get_by_label("SKU").fill("bad sku")
    page.get_by_label("Price").fill("-3")
    page.get_by_label("In stock").fill("4")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter 0 or more.")).to_be_visible()
    expect(page.locator(".field.invalid")).to_have_count(2)  # SKU and price
    assert admin.names("Teak%") == []
    page.get_by_label("SKU").fill("TEA-0001")
    page.get_by_label("Price").fill("120.50")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/products")
    flash = page.get_by_role("status").filter(has_text="Saved.")
    expect(flash).to_be_visible()
    assert admin.names("Teak%") == ["Teak Table 1"]
    # Shown once: a reload does not show it again.
    page.reload()
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    expect(page.get_by_text("Saved.")).to_have_count(0)
    # A product with the same SKU is refused.
    page.goto("/products/new")
    for label, value in (("Name", "Teak Table 2"), ("SKU", "TEA-0001"), ("Price", "1")):
        page.get_by_label(label).fill(value)
    page.get_by_label("In stock").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Another product has this SKU.")).to_be_visible()


def test_edit_returns_to_the_same_list_and_back_goes_back(page: Page, admin: Admin) -> None:
    for n in range(12):
        admin.add(f"Maple Stool {n:02}", f"MAP-{2000 + n}")
    open_list(page, "?q=maple")
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_role("link", name="Maple Stool 10").click()
    expect(page.get_by_role("heading", name="Maple Stool 10")).to_be_visible()
    page.get_by_label("Price").fill("99.90")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/products?q=maple&page=2")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    row = page.locator("tr", has_text="Maple Stool 10")
    expect(row).to_contain_text("99.90")
    page.go_back()
    expect(page.get_by_role("heading", name="Maple Stool 10")).to_be_visible()
    expect(page.get_by_label("Price")).to_have_value("99.90")
    page.go_back()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.get_by_label("Search")).to_have_value("maple")


def test_delete_in_the_list_asks_first_and_says_so(page: Page, admin: Admin) -> None:
    admin.add("Birch Crate <i>1</i>", "BIR-3001")
    open_list(page, "?q=birch")
    page.get_by_role("button", name="Delete Birch Crate <i>1</i>").click()
    row = page.locator("tr", has_text="Delete Birch Crate <i>1</i>?")
    row.get_by_role("button", name="No").click()
    expect(page.get_by_text("Delete Birch Crate <i>1</i>?")).to_have_count(0)
    page.get_by_role("button", name="Delete Birch Crate <i>1</i>").click()
    page.get_by_role("button", name="Yes, delete").click()
    flash = page.get_by_role("status").filter(has_text="Deleted Birch Crate <i>1</i>.")
    expect(flash).to_be_visible()  # the markup shown as text
    expect(page.locator("i")).to_have_count(0)
    expect(page.get_by_text("No products match.")).to_be_visible()
    assert admin.names("Birch%") == []
    flash.get_by_role("button", name="Dismiss").click()
    expect(flash).to_have_count(0)


def test_delete_from_the_form_navigates_back_with_the_message(page: Page, admin: Admin) -> None:
    product = admin.add("Pine Box", "PIN-4001")
    open_list(page, "?q=pine")
    page.get_by_role("link", name="Pine Box").click()
    expect(page.get_by_role("heading", name="Pine Box")).to_be_visible()
    page.evaluate("window.sameDocument = true")
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/products?q=pine")
    expect(page.get_by_role("status").filter(has_text="Deleted Pine Box.")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True  # a live navigation
    response = page.goto(f"/products/{product}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_a_back_parameter_to_another_site_is_ignored(page: Page, admin: Admin) -> None:
    product = admin.add("Rattan Seat", "RAT-5001")
    page.goto(f"/products/{product}?back=https://evil.example/")
    expect(page.get_by_role("link", name="Cancel")).to_have_attribute("href", "/products")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/products")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()


def test_a_reload_on_every_screen_shows_the_same_screen(page: Page, admin: Admin) -> None:
    product = admin.add("Cork Board", "COR-6001")
    screens = [
        (
            "/products?q=cork&sort=-price",
            lambda: expect(page.get_by_label("Search")).to_have_value("cork"),
        ),
        ("/products?page=3", lambda: expect(page.get_by_text("Page 3 of")).to_be_visible()),
        (
            "/products/new",
            lambda: expect(page.get_by_role("heading", name="New product")).to_be_visible(),
        ),
        (
            f"/products/{product}",
            lambda: expect(page.get_by_label("Name")).to_have_value("Cork Board"),
        ),
    ]
    for url, same in screens:
        page.goto(url)
        same()
        page.reload()
        same()
    # After live navigation and history too: the address bar is the truth.
    open_list(page)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    page.get_by_role("link", name="New product").click()
    expect(page.get_by_role("heading", name="New product")).to_be_visible()
    page.go_back()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Page 2 of")).to_be_visible()


def test_notes_typed_on_one_page_stay_across_live_navigation(page: Page) -> None:
    open_list(page)
    page.get_by_label("Notes").fill("call the supplier")
    page.get_by_role("link", name="New product").click()
    expect(page.get_by_role("heading", name="New product")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("call the supplier")
    page.go_back()
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("call the supplier")


def test_a_photo_is_previewed_sent_with_progress_and_saved(
    page: Page, admin: Admin, tmp_path: Path
) -> None:
    product_id = admin.add("Photo Lamp", "PHO-1234")
    page.goto(f"/products/{product_id}")
    page.wait_for_selector("[data-cf-component='product_form'][data-cf-ready]")
    png = tmp_path / "lamp.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(300_000))
    photo = page.get_by_label("Photo", exact=True)
    expect(photo).to_have_attribute("accept", "image/png,image/jpeg,image/webp,image/gif")
    page.evaluate(
        """() => { window.sent = [];
        document.addEventListener("cf:upload-progress", (e) => window.sent.push(e.detail.progress));
        }"""
    )
    photo.set_input_files(png)
    # Saved by on_photo as soon as it arrived: the page shows the stored file.
    preview = page.locator("img.preview")
    expect(preview).to_have_attribute("src", re.compile(r"^/media/[0-9a-f]{16}\.png$"))
    src = preview.get_attribute("src") or ""
    # Progress went to the end (the reply that saved it then clears the finished upload).
    assert page.evaluate("window.sent")[-1] == 1
    assert httpx.get(admin.url + src).content == png.read_bytes()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    with sqlite3.connect(admin.database) as db:
        (stored,) = db.execute("SELECT photo FROM products WHERE id = ?", (product_id,)).fetchone()
    assert f"/media/{stored}" == src
