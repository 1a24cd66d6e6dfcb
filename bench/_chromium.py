"""Pages for the cf.js benchmarks: cf.js in headless Chromium, with no server and no network.

A page lives at ``http://cf.bench/``: Playwright answers the page and the script itself, and
``window.fetch`` answers cf.js's event requests from ``window.__replies`` (component id ->
reply text), prepared by the benchmark before it times anything. So a timed ``cf.send`` is
cf.js's own work (the message, the reply's JSON parse, the morph) and no transport.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
  // Each reply is handled in a task of its own, as one from the network would be (a real
  // Response's body is read in tasks Chromium may share between many replies).
  const response = {
    status: 200, headers: new Headers(), json: () => Promise.resolve(JSON.parse(text)),
  };
  return new Promise((resolve) => setTimeout(() => resolve(response), 0));
};
"""

# Tasks over 50 ms as Chromium reports them (``longtask`` entries), from start_probe() on.
PROBE = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  list.getEntries().forEach((entry) => window.__longTasks.push(entry.duration));
}).observe({ type: "longtask" });
"""


@dataclass
class Tasks:
    longest: float  # ms, any task: script, style, layout, paint
    longest_script: float  # ms, the tasks without style, layout or paint (cf.js's own)
    script: float  # ms, all the tasks without style, layout or paint


def traced(browser: Browser, page: Page, script: str, arg: Any = None) -> tuple[Any, Tasks]:
    """Evaluate *script* (with *arg*) in *page* under Chromium's tracing: its result, and the
    longest tasks the page's main thread ran meanwhile (``RunTask`` on ``CrRendererMain``)."""
    categories = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline"]
    browser.start_tracing(page=page, categories=categories)
    try:
        result = page.evaluate(script, arg)
    finally:
        trace = json.loads(browser.stop_tracing())
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }
    spans = [e for e in events if e.get("ph") == "X" and (e.get("pid"), e.get("tid")) in mains]
    tasks = [e for e in spans if e["name"] == "RunTask"]
    rendering = [e for e in spans if e["name"] in ("Layout", "Paint", "UpdateLayoutTree")]

    def renders(task: dict[str, Any]) -> bool:
        end = task["ts"] + task["dur"]
        return any(task["ts"] <= r["ts"] < end for r in rendering)

    script = [t["dur"] / 1000 for t in tasks if not renders(t)]
    return result, Tasks(
        longest=max((t["dur"] / 1000 for t in tasks), default=0.0),
        longest_script=max(script, default=0.0),
        script=sum(script),
    )


def cf_source(revision: str | None = None, scripts: tuple[str, ...] = ()) -> str:
    """cf.js followed by its optional *scripts* (``"navigate"``: the source of
    ``cf-navigate.js``), of the working tree or of a git *revision* (``main``, a commit)."""
    files = [CF_JS, *(CF_JS.with_name(f"cf-{name}.js") for name in scripts)]
    return "\n".join(file_source(path, revision) for path in files)


def file_source(path: Path, revision: str | None = None) -> str:
    """The text of *path* in the working tree, or at a git *revision*."""
    if revision is None:
        return path.read_text(encoding="utf-8")
    return subprocess.run(
        ["git", "show", f"{revision}:{path.relative_to(ROOT).as_posix()}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
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
