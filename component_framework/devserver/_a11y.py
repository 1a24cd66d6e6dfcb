"""Accessibility checks of every story with axe-core, in headless Chromium (``cf check --a11y``).

The dev app serves each story's preview frame (the app's CSS, cf.js, the component) from a
loopback port in a thread; Chromium opens each one, axe-core (vendored, ``static/axe.min.js``)
runs over the component's root element, and its violations are collected. The playground's
accessibility panel runs the same rules in the browser.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import quote

from component_framework.project import Project

from ._stories import StoryError, stories_of

__all__ = ["AXE_OPTIONS", "A11yError", "StoryReport", "Violation", "check_stories"]

# WCAG 2.x A and AA rules; page-level rules (a main landmark, one h1) do not apply to a
# component shown on its own.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
_RUN = """async (options) => {
  const roots = Array.from(document.querySelectorAll("[data-cf-component]"));
  const context = roots.length ? { include: roots } : document;
  const result = await window.axe.run(context, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


class A11yError(RuntimeError):
    """The checks could not run (no Playwright, no Chromium); the message says what to do."""


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a story breaks, with the elements that break it."""

    rule: str
    impact: str
    help: str
    url: str
    targets: tuple[str, ...]


@dataclass
class StoryReport:
    """The violations of one story (``error`` when it could not be checked)."""

    story: str
    violations: list[Violation] = field(default_factory=list)
    error: str = ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(project: Project) -> tuple[Any, threading.Thread, str]:
    import uvicorn

    from .app import create_dev_app

    app = create_dev_app(project, reload=False, report=None)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise A11yError("The dev app did not start for the accessibility checks.")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def check_stories(project: Project, chromium: str | None = None) -> list[StoryReport]:
    """Run axe-core over every story of every registered component; return one report each.

    Raises:
        A11yError: Playwright is not installed, or Chromium cannot start.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise A11yError(
            "cf check --a11y needs Playwright: pip install cf-components[a11y]"
        ) from None
    from component_framework.core.registry import registry

    executable = chromium or os.environ.get("CF_CHROMIUM", "/usr/bin/chromium")
    axe = resources.files("component_framework.devserver").joinpath("static", "axe.min.js")
    server, thread, url = _serve(project)
    reports: list[StoryReport] = []
    try:
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(
                    executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
                )
            except PlaywrightError as exc:
                first = str(exc).strip().splitlines()[0]
                raise A11yError(
                    f"Chromium did not start from {executable!r} ({first}); install it "
                    "(apt-get install chromium) or pass --chromium PATH."
                ) from None
            page = browser.new_page()
            script = axe.read_text(encoding="utf-8")
            for name, cls in sorted(registry.items()):
                try:
                    stories = stories_of(name, cls)
                except StoryError as exc:
                    reports.append(StoryReport(f"{name}/*", error=str(exc)))
                    continue
                for story in stories:
                    reports.append(_check(page, url, script, name, story.name))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
    return reports


def _check(page: Any, url: str, script: str, name: str, story: str) -> StoryReport:
    report = StoryReport(f"{name}/{story}")
    page.goto(f"{url}/__cf__/frame/{quote(name)}?story={quote(story)}")
    failed = page.query_selector("#cf-story-error")
    if failed is not None:
        report.error = failed.inner_text()
        return report
    page.add_script_tag(content=script)
    for item in page.evaluate(_RUN, AXE_OPTIONS):
        report.violations.append(
            Violation(
                item["id"],
                item["impact"] or "",
                item["help"],
                item["url"],
                tuple(item["targets"]),
            )
        )
    return report
