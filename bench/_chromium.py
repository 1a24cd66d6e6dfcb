"""Pages for the cf.js benchmarks: cf.js in headless Chromium, with no server and no network.

A page lives at ``http://cf.bench/``: Playwright answers the page and the script itself, and
``window.fetch`` answers cf.js's event requests from ``window.__replies`` (component id ->
reply text), prepared by the benchmark before it times anything. So a timed ``cf.send`` is
cf.js's own work (the message, the reply's JSON parse, the morph) and no transport.
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CF_JS = ROOT / "component_framework" / "web" / "static" / "cf.js"
CHROMIUM = os.environ.get("CF_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--js-flags=--expose-gc",  # window.gc(): collect before each timed step, on both sides
]
ORIGIN = "http://cf.bench"

# The replies cf.js gets, prepared in advance; a request for a component without one fails.
FETCH = """
window.__replies = new Map();
window.fetch = (url, init) => {
  const text = window.__replies.get(JSON.parse(init.body).component_id);
  if (text === undefined) return Promise.reject(new TypeError("no reply prepared"));
  return Promise.resolve(new Response(text, { headers: { "Content-Type": "application/json" } }));
};
"""

# Tasks over 50 ms as Chromium reports them, and the longest gap a message-loop probe sees
# (the longest task, however short).
PROBE = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  list.getEntries().forEach((entry) => window.__longTasks.push(entry.duration));
}).observe({ type: "longtask" });
window.__probe = { max: 0, last: 0, on: false };
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  const probe = window.__probe, now = performance.now();
  probe.max = Math.max(probe.max, now - probe.last);
  probe.last = now;
  if (probe.on) channel.port2.postMessage(null);
};
window.__startProbe = () => {
  window.__longTasks = [];
  Object.assign(window.__probe, { max: 0, last: performance.now(), on: true });
  channel.port2.postMessage(null);
};
window.__stopProbe = () => { window.__probe.on = false; return window.__probe.max; };
"""


def cf_source(revision: str | None = None) -> str:
    """cf.js of the working tree, or of a git *revision* (``main``, a commit)."""
    if revision is None:
        return CF_JS.read_text(encoding="utf-8")
    path = CF_JS.relative_to(ROOT).as_posix()
    return subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def gzipped_size(source: str) -> int:
    return len(gzip.compress(source.encode("utf-8"), compresslevel=9))


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, body: str, source: str, *, load_cf: bool = True) -> Page:
    """A page at ORIGIN showing *body*; cf.js (*source*) loaded after it unless not *load_cf*."""
    script = '<script src="/cf.js"></script>' if load_cf else ""
    head = '<!doctype html><html><head><meta charset="utf-8"></head>'
    html = f"{head}<body>{body}{script}</body></html>"

    def answer(route: Route) -> None:
        if route.request.url.endswith("/cf.js"):
            route.fulfill(body=source, content_type="text/javascript")
        else:
            route.fulfill(body=html, content_type="text/html")

    page = browser.new_page()
    page.route(f"{ORIGIN}/**", answer)
    page.add_init_script(FETCH + PROBE)
    page.goto(f"{ORIGIN}/")
    if load_cf:
        page.wait_for_function("() => window.cf")
    return page


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2)
