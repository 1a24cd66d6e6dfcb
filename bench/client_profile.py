"""Which optional script costs what on the big page of ``bench/client_page.py``: bind and morph all.

The same no-server page (500 components, 2,000 bound elements), loading cf.js and each optional
script as a page does (``<script src>`` tags after the body, as ``cf_scripts()`` writes them: the
scripts are all in when cf.js starts, on DOMContentLoaded; ``client_page.py`` runs them after
the page loaded, when cf.js starts at once), under Chromium's sampling profiler (CDP
``Profiler``, a sample every 100 us). Bind: the page load until every root is ready; morph all:
as in ``client_page.py``. Per step and round: the main thread's busy time
(every sample but idle), and per optional script the time of the samples whose call stack holds
one of its functions (the script's own work and the core helpers it calls, such as ``own()``),
with the script's functions those samples entered through. Sampled time is a share of the
step, steadier than a wall time on a loaded machine: it says where a step's time goes, while
``client_page.py`` says how long the step and its longest task are.

Run:  python bench/client_profile.py [--components 500] [--rounds 5] [--features] [--hooks]
          [--scripts navigate,hooks,transitions,streams,lazy,poll,uploads]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from _chromium import CF_JS, FETCH, ORIGIN, PROBE, chromium, file_source, median
from client_page import PREPARE, page_body, replies
from playwright.sync_api import Browser, CDPSession, Page, Route

ALL_SCRIPTS = "navigate,hooks,transitions,streams,lazy,poll,uploads"

MORPH_ALL = """async () => {
  const roots = Array.from(document.querySelectorAll("[data-cf-component]"));
  await Promise.all(roots.map((root) => cf.send(root, "refresh")));
  return roots.length;
}"""


def attribute(profile: dict[str, Any]) -> tuple[float, Counter[str], Counter[str]]:
    """Busy ms of a CPU *profile*; ms per optional script; ms per script's entry function."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    deltas = [*profile["timeDeltas"][1:], 0]  # a sample lasts until the next one
    busy = 0.0
    per_script: Counter[str] = Counter()
    entries: Counter[str] = Counter()
    for sample, delta in zip(profile["samples"], deltas, strict=True):
        ms = delta / 1000
        if nodes[sample]["callFrame"]["functionName"] == "(idle)":
            continue
        busy += ms
        outermost: dict[str, str] = {}  # script -> its outermost function in the stack
        node_id: int | None = sample
        while node_id is not None:
            frame = nodes[node_id]["callFrame"]
            name = frame["url"].rsplit("/", 1)[-1]
            if name.startswith("cf-"):
                function = frame["functionName"] or "(anonymous)"
                outermost[name] = f"{function}:{frame['lineNumber'] + 1}"
            node_id = parent.get(node_id)
        for name, function in outermost.items():
            per_script[name] += ms
            entries[f"{name} {function}"] += ms
    return busy, per_script, entries


def load(browser: Browser, body: str, by_name: dict[str, str]) -> tuple[Page, CDPSession]:
    """A page showing *body* with a script tag per file of *by_name* (name -> source), in order,
    loaded under the profiler."""
    tags = "".join(f'<script src="/static/{name}"></script>' for name in by_name)
    head = '<!doctype html><html><head><meta charset="utf-8"></head>'
    html = f"{head}<body>{body}{tags}</body></html>"

    def answer(route: Route) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if name in by_name:
            route.fulfill(body=by_name[name], content_type="text/javascript")
        else:
            route.fulfill(body=html, content_type="text/html")

    page = browser.new_page()
    page.route(f"{ORIGIN}/**", answer)
    page.add_init_script(FETCH + PROBE)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 100})
    cdp.send("Profiler.start")
    page.goto(f"{ORIGIN}/")
    page.wait_for_function(
        "(n) => document.querySelectorAll('[data-cf-ready]').length === n",
        arg=body.count("data-cf-component="),
    )
    return page, cdp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--features", action="store_true", help="as client_page.py --features")
    parser.add_argument("--hooks", action="store_true", help="as client_page.py --hooks")
    parser.add_argument("--scripts", default=ALL_SCRIPTS, help="optional scripts (comma-separated)")
    parser.add_argument("--revision", default=None, help="git revision of the scripts")
    args = parser.parse_args()
    names = [name for name in args.scripts.split(",") if name]
    files: list[Path] = [CF_JS, *(CF_JS.with_name(f"cf-{name}.js") for name in names)]
    by_name = {path.name: file_source(path, args.revision) for path in files}
    body = page_body(args.components, args.features, args.hooks)
    answers = replies(args.components, args.features, args.hooks)
    busy: dict[str, list[float]] = {"bind": [], "morph all": []}
    per_script: dict[str, dict[str, list[float]]] = {step: {} for step in busy}
    entries: dict[str, Counter[str]] = {step: Counter() for step in busy}

    def record(step: str, profile: dict[str, Any]) -> None:
        step_busy, step_scripts, step_entries = attribute(profile)
        busy[step].append(step_busy)
        for path in files[1:]:
            per_script[step].setdefault(path.name, []).append(step_scripts[path.name])
        entries[step].update(step_entries)

    with chromium() as browser:
        for _ in range(args.rounds):
            page, cdp = load(browser, body, by_name)
            record("bind", cdp.send("Profiler.stop")["profile"])
            page.evaluate(PREPARE, answers)
            page.evaluate("window.gc()")
            cdp.send("Profiler.start")
            if page.evaluate(MORPH_ALL) != args.components:
                raise AssertionError("morph all: not every component")
            record("morph all", cdp.send("Profiler.stop")["profile"])
            page.close()
    print(
        f"{args.components} components, {args.rounds} rounds, medians per round (ms, sampled)"
        f"{'; --features' if args.features else ''}{'; --hooks' if args.hooks else ''}"
        f"; {args.revision or 'this tree'}: cf.js + {', '.join(names) or 'no script'}"
    )
    for step, values in busy.items():
        print(f"\n{step}: main thread busy {median(values)} ms")
        print("| script | ms | share |")
        print("| --- | ---: | ---: |")
        for name, ms in per_script[step].items():
            share = 100 * median(ms) / median(values) if median(values) else 0.0
            print(f"| {name} | {median(ms)} | {share:.1f}% |")
        for function, total in entries[step].most_common(5):
            print(f"  through {function}: {total / args.rounds:.2f} ms a round")


if __name__ == "__main__":
    main()
