"""Live navigation and back from history, in Chromium, against examples/admin under uvicorn.

The back office runs as its README says (uvicorn, two workers, DEBUG=0, a fresh SQLite file);
one headless Chromium drives it, sides interleaved in each round:

* ``full load``: from one list page to the other (``/products?page=2`` and ``?page=3``) by a
  normal page load; timed by Navigation Timing, from the navigation's start to the end of the
  load event (the page's HTML, its stylesheet and cf.js fetched, parsed and run).
* ``live navigation``: the same pages by ``cf.navigate(url)``, what a click on a cf-navigate
  link does; timed from its start to the end of the body's swap (``performance.measure
  "cf:navigate"``: the fetch, the parse, the head merge, the morph, the new components started).
* ``live, prefetched``: the same after ``cf.prefetch(url)`` (what hovering a link with
  cf-prefetch does), timed from the click as above.
* ``back from history``: on a list page, the next page (a component event that pushes a history
  entry), then ``history.back()``: timed until the list is restored from the entry's snapshot
  (``cf:restore``), with no request.
* ``back from the server``: the same, with the component marked as server-held so the page
  asks the server to render it from the URL; timed until its reply is applied (``cf:update``).

Target: live navigation <= 0.5x the full load. Medians over the rounds.

Run:  python bench/navigation.py [--rounds 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _chromium import chromium

from _servers import free_port, start  # isort: skip (bench/ on sys.path)

ROOT = Path(__file__).resolve().parent.parent
ADMIN = ROOT / "examples" / "admin"

PAGES = ["/products?page=2", "/products?page=3"]

FULL_LOAD = """() => {
  const [entry] = performance.getEntriesByType("navigation");
  return entry.loadEventEnd - entry.startTime;
}"""

LIVE = """async (url) => {
  performance.clearMeasures("cf:navigate");
  await cf.navigate(url);
  return performance.getEntriesByName("cf:navigate").pop().duration;
}"""

PREFETCHED = """async (url) => {
  await cf.prefetch(url);
  performance.clearMeasures("cf:navigate");
  await cf.navigate(url);
  return performance.getEntriesByName("cf:navigate").pop().duration;
}"""

# A page event that pushes an entry, then back; *server*: the restore asks the server.
BACK = """async (server) => {
  const root = document.querySelector('[data-cf-component="product_list"]');
  if (server) root.setAttribute("data-cf-url", "server");
  await cf.send(root, "page", { page: 2 });
  const done = new Promise((resolve) => {
    const type = server ? "cf:update" : "cf:restore";
    root.addEventListener(type, () => resolve(performance.now()), { once: true });
  });
  const start = performance.now();
  history.back();
  return (await done) - start;
}"""


def serve(workers: int, database: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "CF_SECRET_KEY": "navigation-bench-secret-key-0123456789",
        "ADMIN_DB": str(database),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "uvicorn", "admin.app:app", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    return start(command, port, cwd=ADMIN, env=env), f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[float]] = {
        name: []
        for name in (
            "full load",
            "live navigation",
            "live, prefetched",
            "back from history",
            "back from the server",
        )
    }
    with tempfile.TemporaryDirectory() as folder:
        server, url = serve(args.workers, Path(folder) / "admin.db")
        try:
            with chromium() as browser:
                page = browser.new_page(base_url=url)
                page.goto(PAGES[0])  # warm both workers' templates and the browser's cache
                for n in range(args.rounds + 2):
                    target = PAGES[n % 2]
                    page.goto(target, wait_until="load")
                    full = page.evaluate(FULL_LOAD)
                    page.wait_for_function("() => window.cf")
                    live = page.evaluate(LIVE, PAGES[(n + 1) % 2])
                    prefetched = page.evaluate(PREFETCHED, target)
                    page.goto("/products", wait_until="load")
                    history = page.evaluate(BACK, False)
                    page.goto("/products", wait_until="load")
                    from_server = page.evaluate(BACK, True)
                    if n < 2:
                        continue  # warm-up rounds
                    for name, value in zip(
                        results, (full, live, prefetched, history, from_server), strict=True
                    ):
                        results[name].append(value)
        finally:
            server.terminate()
            server.wait(timeout=20)
    full = statistics.median(results["full load"])
    print(f"{args.rounds} rounds, {args.workers} workers (median ms, ratio to the full load)")
    for name, values in results.items():
        median = statistics.median(values)
        ratio = f"{median / full:.2f}x" if name.startswith(("full", "live")) else ""
        print(f"  {name:22} {median:8.1f}   {ratio}")


if __name__ == "__main__":
    main()
