"""``cf dev`` gallery at scale: 200 components x 3 stories, opened, searched and live-updated.

One run, on a throwaway project in a temporary folder (each component its own module and
template), measures in headless Chromium:

* ``open``: from navigation start to the page's load event, every preview rendered (the
  previews are server-rendered into shadow roots, so load means all 600 are on screen); the
  count of rendered previews is checked.
* ``search``: typing a query until the gallery is filtered and laid out (the filter runs on the
  input event; the time includes a forced layout), for a few queries (each
  round of them narrows the gallery, then clears the query: all 200 cards shown again).
* ``template save``: from a template's save to every story of that component showing the change
  (the three previews of one component; the rest of the gallery stays as it is).

Run:  python bench/devserver_gallery.py [--components 200] [--edits 20]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from _servers import free_port, wait_listening  # isort: skip (bench/ on sys.path)

CHROMIUM = os.environ.get("CF_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

COMPONENT = '''from component_framework.core import Component, registry


@registry.register("card_{n}")
class Card{n}(Component):
    """Card number {n}: a title, a count and a button."""

    template_name = "card_{n}.html"
    stories = {{
        "empty": {{"doc": "Nothing yet."}},
        "some": {{"params": {{"start": 3}}}},
        "many": {{"state": {{"count": 999, "title": "Busy card {n}"}}}},
    }}

    def mount(self):
        super().mount()
        self.state["count"] = self.params.get("start", 0)
        self.state["title"] = "Card {n}"

    def on_increment(self, amount: int = 1):
        self.state["count"] += amount
'''
TEMPLATE = (
    '<article class="card" data-v="{v}"><h3>{{{{ state.title }}}}</h3>'
    '<p class="count">{{{{ state.count }}}}</p>'
    '<button type="button" cf-click="increment">Add</button></article>\n'
)
CSS = ":root { --ink: #123; } .card { color: var(--ink); border: 1px solid #ccc; padding: 8px; }\n"


def make_project(root: Path, components: int) -> Path:
    package = root / "galleryapp"
    (package / "components").mkdir(parents=True)
    (package / "templates").mkdir()
    (root / "static").mkdir()
    (root / "static" / "app.css").write_text(CSS)
    (package / "__init__.py").write_text("")
    (package / "components" / "__init__.py").write_text("")
    for n in range(components):
        (package / "components" / f"card_{n}.py").write_text(COMPONENT.format(n=n))
        (package / "templates" / f"card_{n}.html").write_text(TEMPLATE.format(v=0))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "galleryapp"\nversion = "0"\n\n[tool.cf]\n'
        'components = ["galleryapp.components"]\ntemplates = ["galleryapp/templates"]\n'
        'styles = ["static/app.css"]\n'
    )
    return package


OPEN = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const rendered = Array.from(document.querySelectorAll(".cf-preview"))
    .filter((host) => host.shadowRoot && host.shadowRoot.querySelector(".card")).length;
  return { ms: nav.loadEventEnd - nav.startTime, rendered: rendered };
}"""

SEARCH = """(query) => {
  const input = document.getElementById("cf-search");
  const started = performance.now();
  input.value = query;
  input.dispatchEvent(new Event("input"));
  const filtered = performance.now() - started;
  document.body.offsetHeight;  // force the layout the filter caused
  const visible = document.querySelectorAll(".cf-story:not([hidden])").length;
  return { ms: performance.now() - started, js: filtered, visible: visible };
}"""

# Each round narrows the gallery, then shows it all again ("": every card laid out anew).
QUERIES = ("card_1", "busy", "card_19 many", "nothing-matches", "")

# Stamps the wall clock when all three previews of card_0 show data-v=VERSION.
WATCH = """(version) => {
  window.__done = null;
  const hosts = Array.from(document.querySelectorAll('.cf-preview[data-story^="card_0/"]'));
  const check = () => {
    if (window.__done) return;
    const ok = hosts.every((h) => h.shadowRoot.querySelector('.card[data-v="' + version + '"]'));
    if (ok) window.__done = performance.timeOrigin + performance.now();
  };
  hosts.forEach((h) => new MutationObserver(check).observe(h.shadowRoot,
    { subtree: true, childList: true, attributes: true }));
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=200)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--searches", type=int, default=3, help="rounds of the queries")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cf-bench-gallery-"))
    package = make_project(root, args.components)
    port = free_port()
    command = [sys.executable, "-c", "from component_framework.cli import main; main()"]
    server = subprocess.Popen(
        [*command, "dev", "--port", str(port)], cwd=root, stdout=subprocess.DEVNULL
    )
    results: dict[str, list[float]] = {"open": [], "search": [], "template": []}
    try:
        wait_listening(port, server, timeout=120)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")  # warm-up: imports, Jinja compiles
            for _ in range(args.opens):
                page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
                opened = page.evaluate(OPEN)
                if opened["rendered"] != args.components * 3:
                    raise AssertionError(f"only {opened['rendered']} previews rendered")
                results["open"].append(opened["ms"])
            for _ in range(args.searches):
                for query in QUERIES:
                    searched = page.evaluate(SEARCH, query)
                    results["search"].append(searched["ms"])
                    results.setdefault("search_filter_only", []).append(searched["js"])
                    results.setdefault(f"search {query!r}", []).append(searched["ms"])
            page.wait_for_selector("#cf-dev-status[data-state=live]")
            template = package / "templates" / "card_0.html"
            for version in range(1, args.edits + 1):
                time.sleep(0.3)
                page.evaluate(WATCH, version)
                saved = time.time() * 1000
                template.write_text(TEMPLATE.format(v=version))
                page.wait_for_function("() => window.__done", timeout=30_000)
                results["template"].append(page.evaluate("window.__done") - saved)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(root, ignore_errors=True)
    summary = {
        key: {
            "p50_ms": round(statistics.median(values), 1),
            "max_ms": round(max(values), 1),
            "n": len(values),
        }
        for key, values in results.items()
    }
    summary["previews"] = {"components": args.components, "stories": args.components * 3}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
