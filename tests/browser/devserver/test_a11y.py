"""Accessibility in the workbench: the playground's axe-core panel, and ``cf check --a11y``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import DEMO, DevServer, open_playground, stage

pytestmark = pytest.mark.browser

ICON = (
    "from component_framework.core import Component, registry\n\n\n"
    '@registry.register("icon_button")\n'
    "class IconButton(Component):\n"
    '    """A button with only an icon."""\n\n'
    '    template_name = "icon_button.html"\n'
)
UNNAMED = (
    '<div class="icon"><button type="button" class="close">\u00d7</button>'
    '<button type="button" class="bare"></button></div>\n'
)
NAMED = UNNAMED.replace('class="bare">', 'class="bare" aria-label="Close">')


def test_the_panel_lists_a_violation_highlights_it_and_clears_when_fixed(
    page: Page, dev: DevServer
) -> None:
    template = dev.package / "templates" / "icon_button.html"
    template.write_text(UNNAMED)
    page.goto("/")
    expect(page.locator("#cf-dev-status")).to_have_attribute("data-state", "live")
    (dev.package / "components" / "icon_button.py").write_text(ICON)
    expect(page.locator('.cf-card[data-name="icon_button"]')).to_be_visible()
    open_playground(page, "icon_button")
    page.click("#cf-a11y-run")
    violation = page.locator('.cf-a11y-violation[data-rule="button-name"]')
    expect(violation).to_contain_text("Buttons must have discernible text")
    expect(page.locator("#cf-a11y-status")).to_have_text("1 violation")
    violation.locator(".cf-a11y-target").click()
    flagged = stage(page).locator("[data-cf-a11y-highlight]")
    expect(flagged).to_have_class("bare")
    expect(flagged).to_have_css("outline-style", "solid")

    template.write_text(NAMED)  # the fix: a name for the button
    expect(page.locator("#cf-a11y-status")).to_have_text("No violations")
    expect(page.locator(".cf-a11y-violation")).to_have_count(0)


def _cf(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from component_framework.cli import main; main()", *args]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)


def test_cf_check_a11y_runs_every_story_and_exits_1_on_a_violation(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("__pycache__"))
    clean = _cf(project, "check", "--a11y")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "OK: 5 stories pass axe-core" in clean.stdout

    (project / "cfdev_demo" / "components" / "icon_button.py").write_text(ICON)
    (project / "cfdev_demo" / "templates" / "icon_button.html").write_text(UNNAMED)
    broken = _cf(project, "check", "--a11y")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "icon_button/default: button-name (critical)" in broken.stdout
    assert ".bare" in broken.stdout
    assert "1 accessibility problem in 6 stories" in broken.stderr


def test_cf_check_a11y_without_chromium_says_what_to_do(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("__pycache__"))
    result = _cf(project, "check", "--a11y", "--chromium", str(tmp_path / "no-chromium"))
    assert result.returncode == 1
    assert "Chromium did not start from" in result.stderr
    assert "Traceback" not in result.stderr
