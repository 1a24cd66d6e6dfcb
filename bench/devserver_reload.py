"""``cf dev`` reload latency: from a file's save to the updated DOM, against ``uvicorn --reload``.

One run, on a throwaway project in a temporary folder, measures:

* ``template``: save a template, until the open playground shows the change (in-process: Jinja
  cache cleared, the page re-renders its component with the state it holds).
* ``python``: save a component module, until the playground shows the change, with the state
  (a count set before the first edit) kept.
* ``uvicorn --reload`` (the floor, the usual alternative): the same app served by uvicorn's
  reloader, which restarts the worker process; from the save of the module until a request
  gets the page with the change.

Browser times are read in the page (a MutationObserver stamps the wall clock when the change
lands) against the wall clock at the save, so Playwright's own round trips are not counted.

Run:  python bench/devserver_reload.py [--edits 20] [--floor-edits 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from _servers import free_port, serving  # isort: skip (bench/ on sys.path)

CHROMIUM = os.environ.get("CF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

COMPONENT = '''"""A counter whose label comes from Python."""

from component_framework.core import Component, registry

LABEL = "v0"


@registry.register("counter")
class Counter(Component):
    template_name = "counter.html"

    def mount(self):
        super().mount()
        self.state["count"] = 0

    def on_increment(self, amount: int = 1):
        self.state["count"] += amount

    def get_context(self):
        return {**super().get_context(), "label": LABEL}
'''

TEMPLATE = (
    '<div class="counter" data-v="{version}"><span class="label">{{{{ label }}}}</span>: '
    '<b class="count">{{{{ state.count }}}}</b></div>\n'
)

PYPROJECT = """[project]
name = "bench-devserver"
version = "0"

[tool.cf]
components = ["benchapp.components"]
templates = ["benchapp/templates"]
"""

FLOOR_APP = """from component_framework.devserver import create_dev_app
from component_framework.project import load_project

app = create_dev_app(load_project(), reload=False, report=None)
"""

# Stamps the wall-clock time (ms) at which each data-v / label value first appears.
OBSERVER = """() => {
  window.__seen = {};
  const stage = document.getElementById("cf-frame").contentDocument;
  const stamp = () => {
    const now = performance.timeOrigin + performance.now();
    const root = stage.querySelector(".counter");
    if (!root) return;
    const keys = ["v:" + root.getAttribute("data-v"),
                  "l:" + stage.querySelector(".label").textContent];
    for (const key of keys) if (!(key in window.__seen)) window.__seen[key] = now;
  };
  new MutationObserver(stamp).observe(stage, {subtree: true, childList: true,
    characterData: true, attributes: true});
}"""


def make_project(root: Path) -> Path:
    package = root / "benchapp"
    (package / "components").mkdir(parents=True)
    (package / "templates").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (package / "__init__.py").write_text("")
    (package / "components" / "__init__.py").write_text("")
    (package / "components" / "counter.py").write_text(COMPONENT)
    (package / "templates" / "counter.html").write_text(TEMPLATE.format(version=0))
    (root / "floor_app.py").write_text(FLOOR_APP)
    return package


@contextmanager
def serve(command: list[str], cwd: Path, port: int) -> Iterator[None]:
    env = {"PYTHONDONTWRITEBYTECODE": "1"}
    with serving(command, port, cwd=cwd, env=env, timeout=60, quiet=True):
        yield


def now_ms() -> float:
    return time.time() * 1000


def settle() -> None:
    time.sleep(0.4)  # let the previous reload finish before the next save


def measure_dev(page: Page, package: Path, edits: int) -> dict[str, list[float]]:
    template = package / "templates" / "counter.html"
    module = package / "components" / "counter.py"
    results: dict[str, list[float]] = {"template": [], "python": []}
    for i in range(1, edits + 1):
        settle()
        saved = now_ms()
        template.write_text(TEMPLATE.format(version=i))
        page.wait_for_function(f"() => window.__seen['v:{i}']", timeout=30_000)
        results["template"].append(page.evaluate(f"window.__seen['v:{i}']") - saved)
    for i in range(1, edits + 1):
        settle()
        saved = now_ms()
        module.write_text(COMPONENT.replace('LABEL = "v0"', f'LABEL = "p{i}"'))
        page.wait_for_function(f"() => window.__seen['l:p{i}']", timeout=30_000)
        results["python"].append(page.evaluate(f"window.__seen['l:p{i}']") - saved)
        count = page.frame_locator("#cf-frame").locator(".count").inner_text()
        if count != "7":
            raise AssertionError(f"state lost on a Python reload: count is {count}, not 7")
    return results


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body: bytes = response.read()
            return body.decode()
    except (urllib.error.URLError, ConnectionError, OSError):
        return None


def measure_uvicorn(root: Path, package: Path, edits: int) -> list[float]:
    port = free_port()
    module = package / "components" / "counter.py"
    module.write_text(COMPONENT)
    command = [sys.executable, "-m", "uvicorn", "floor_app:app", "--reload"]
    command += ["--port", str(port), "--log-level", "warning"]
    url = f"http://127.0.0.1:{port}/__cf__/frame/counter"
    times: list[float] = []
    with serve(command, root, port):
        for i in range(1, edits + 1):
            time.sleep(1.0)  # uvicorn's reloader must be idle and watching again
            saved = now_ms()
            module.write_text(COMPONENT.replace('LABEL = "v0"', f'LABEL = "u{i}"'))
            wanted = f'<span class="label">u{i}</span>'
            while True:
                body = fetch(url)
                if body is not None and wanted in body:
                    break
                time.sleep(0.005)
            times.append(now_ms() - saved)
    return times


def p50(values: list[float]) -> float:
    return statistics.median(values)


def show(name: str, values: list[float]) -> str:
    return f"{name:<28} p50 {p50(values):8.1f} ms   min {min(values):8.1f}   max {max(values):8.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=20, help="edits per kind (default 20)")
    parser.add_argument("--floor-edits", type=int, default=10, help="uvicorn --reload edits")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="cf-bench-dev-"))
    try:
        package = make_project(root)
        port = free_port()
        code = f"from component_framework.devserver import run; run(port={port}, banner=False)"
        with serve([sys.executable, "-c", code], root, port), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/components/counter")
            page.wait_for_selector("#cf-dev-status[data-state=live]")
            page.frame_locator("#cf-frame").locator("[data-cf-ready]").wait_for(state="attached")
            page.wait_for_selector("body[data-dev-frame=ready]", state="attached")
            page.fill("#cf-event-payload", '{"amount": 7}')
            page.click("#cf-event-fire")
            page.wait_for_function(
                "document.getElementById('cf-frame').contentDocument"
                ".querySelector('.count').textContent == '7'"
            )
            page.evaluate(OBSERVER)
            dev = measure_dev(page, package, args.edits)
            browser.close()
        floor = measure_uvicorn(root, package, args.floor_edits)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    figures = {
        "template_p50_ms": round(p50(dev["template"]), 1),
        "python_p50_ms": round(p50(dev["python"]), 1),
        "uvicorn_reload_p50_ms": round(p50(floor), 1),
        "python_vs_uvicorn": round(p50(dev["python"]) / p50(floor), 3),
        "edits": args.edits,
        "floor_edits": args.floor_edits,
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(show("template save -> DOM", dev["template"]))
    print(show("python save -> DOM (state)", dev["python"]))
    print(show("uvicorn --reload -> served", floor))
    print(
        f"python / uvicorn --reload: {figures['python_vs_uvicorn']:.3f}x (target <= 0.25x); "
        f"template p50 {figures['template_p50_ms']} ms (target <= 100 ms)"
    )


if __name__ == "__main__":
    main()
