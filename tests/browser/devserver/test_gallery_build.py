"""``cf gallery build DIR``: the static site of every story, opened from disk in Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .helpers import DEMO

pytestmark = pytest.mark.browser


def test_the_static_gallery_opens_from_disk_with_the_apps_look(
    browser: Browser, tmp_path: Path
) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp_path / "site"
    command = [sys.executable, "-c", "from component_framework.cli import main; main()"]
    built = subprocess.run(
        [*command, "gallery", "build", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Wrote 5 stories in 9 pages" in built.stdout
    shutil.rmtree(project)  # the site stands alone: no server, no project

    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto((site / "index.html").as_uri())
        counter = page.locator('.cf-card[data-name="counter"]')
        busy = counter.locator('.cf-preview[data-story="counter/busy"] .count')
        expect(busy).to_have_text("40")
        expect(busy).to_have_css("color", "rgb(0, 128, 0)")
        page.fill("#cf-search", "stepped")
        expect(page.locator('.cf-card[data-name="signup"]')).to_be_hidden()
        expect(counter.locator('.cf-story[data-story="counter/zero"]')).to_be_hidden()
        page.click('.cf-story[data-story="counter/stepped"] .cf-story-name')
        expect(page.locator(".count")).to_have_text("3")
        expect(page.locator(".count")).to_have_css("color", "rgb(0, 128, 0)")

        page.goto((site / "counter" / "index.html").as_uri())
        expect(page.locator(".cf-docs-doc")).to_have_text("Counts clicks.")
        expect(page.locator("#cf-docs-events")).to_contain_text("on_increment(amount: int = 1)")
        frame = page.frame_locator('iframe[title="counter/busy"]')
        expect(frame.locator(".count")).to_have_text("40")
    finally:
        context.close()
