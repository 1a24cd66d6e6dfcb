"""docs/web.md's cf:before-request listener, run on the example app under uvicorn.

The script is taken from the docs page itself (its one html block that listens to
cf:before-request), so the documented example is the one that runs here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, Request, expect

pytestmark = pytest.mark.browser

DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def documented_listener() -> str:
    blocks = re.findall(r"```html\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    [block] = [b for b in blocks if "cf:before-request" in b]
    [script] = re.findall(r"<script>(.*?)</script>", block, flags=re.S)
    return script


def test_the_documented_listener_adds_a_header_and_asks_before_big_steps(page: Page) -> None:
    page.add_script_tag(content=documented_listener())
    counter = page.locator('[data-cf-component="counter"]').first
    count = counter.get_by_test_id("count")
    expect(count).to_have_text("3")
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if "/cf/" in request.url else None)
    questions: list[str] = []

    def answer(dialog: Dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # Declined: never sent, the optimistic +5 rolls back.
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    counter.get_by_role("button", name="+5").click()
    expect(counter).not_to_have_attribute("data-cf-loading", "")
    expect(count).to_have_text("3")
    # A small step is not asked about; it is the first request the server gets.
    with page.expect_response("**/cf/event") as small:
        counter.get_by_role("button", name="+1", exact=True).click()
    expect(count).to_have_text("4")
    assert small.value.request.headers["x-page-build"] == "dev"
    # Accepted: sent, with the header.
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    with page.expect_response("**/cf/event") as big:
        counter.get_by_role("button", name="+5").click()
    expect(count).to_have_text("9")
    assert big.value.request.headers["x-page-build"] == "dev"
    assert questions == ["Add 5?", "Add 5?"]
    assert [request.post_data_json["event"] for request in sent] == ["increment", "increment"]
