"""cf.js on a big page: 500 components, 2,000 bound elements; bind, morph all, longest task.

One headless Chromium, no server (see ``bench/_chromium.py``), this tree's cf.js against
another revision's (``--baseline``, default ``main``), a fresh page per side and round:

* ``bind``: the page is on screen, then cf.js runs (an inline script of its source: parse,
  compile, and the scan that makes every root live). Floor: a script marking the same roots.
* ``morph all``: ``cf.send`` to every component at once; each reply renders the component
  with a new count and choice; timed until every send resolved (every reply morphed in, each
  in a task of its own, with the frames Chromium renders meanwhile), and the time the main
  thread spent in tasks without style, layout or paint (cf.js's work).
  Floor: parse the same replies and replace each root's children with their HTML, in one loop.
* ``longest task``: the longest task the page's main thread ran during the step, however
  short (Chromium's tracing: ``RunTask`` on ``CrRendererMain``), also among the tasks that
  did no style, layout or paint (cf.js's own work); and the tasks over 50 ms the page saw
  (``longtask`` entries of a PerformanceObserver).

Also the size of cf.js, raw and gzipped (level 9), for both revisions.

``--scripts navigate,hooks,transitions``: the optional scripts run after cf.js (in the same
inline script), as on a page that loads them, on both sides (the baseline's own scripts); by
default the core alone, as on a page that uses none of them. Which script costs what:
``bench/client_profile.py``.

Run:  python bench/client_page.py [--components 500] [--rounds 7] [--baseline main] [--features]
          [--hooks] [--scripts navigate,hooks,transitions]
"""

from __future__ import annotations

import argparse
import json

from _chromium import cf_source, chromium, gzipped_size, median, open_page, traced

BOUND_PER_COMPONENT = 4


# --hooks: a page's own script, defined before the scripts run (as a page's <head> would).
HOOK = "<script>window.cfHooks = {Chart: {mounted() {}, updated() {}}};</script>"


def card(n: int, count: int, size: str, features: bool = False, hooks: bool = False) -> str:
    options = "".join(
        f"<option{' selected' if s == size else ''}>{s}</option>" for s in ("s", "m", "l")
    )
    # --features: the attributes of issue 22 on every card (inert for a cf.js without them).
    extra = (
        ('cf-disable-with="..."', 'cf-dirty="changed"', "<span cf-loading hidden>Saving</span>")
        if features
        else ("", "", "")
    )
    return (
        f'<h3>Card {n}</h3><output cf-text="count">{count}</output>'
        f'<button type="button" cf-click="increment" {extra[0]}>+1</button>'
        '<button type="button" cf-click="decrement">-1</button>'
        f'<label>Note <input name="note" cf-model="note" value="note {n}" {extra[1]}></label>'
        f'<label>Size <select name="size" cf-change="size">{options}</select></label>{extra[2]}'
        + ('<div cf-hook="Chart" cf-transition="fade"></div>' if hooks else "")
    )


def page_body(components: int, features: bool, hooks: bool = False) -> str:
    return (HOOK if hooks else "") + "".join(
        f'<div data-cf-component="card" data-cf-id="card-{n}" data-cf-state="{{}}" '
        f'data-cf-checksum="bench" data-cf-endpoint="/cf">{card(n, n, "s", features, hooks)}</div>'
        for n in range(components)
    )


def replies(components: int, features: bool, hooks: bool = False) -> dict[str, str]:
    return {
        f"card-{n}": json.dumps(
            {
                "type": "component_update",
                "component_id": f"card-{n}",
                "html": card(n, n + 1, "m", features, hooks),
                "state": "{}",
                "checksum": "bench",
            }
        )
        for n in range(components)
    }


BIND = """(source) => {
  const script = document.createElement("script");
  script.textContent = source;
  window.__longTasks = [];
  const started = performance.now();
  document.head.appendChild(script);  // an inline script runs at once
  const ms = performance.now() - started;
  return new Promise((resolve) => setTimeout(() => resolve({
    ms, longTasks: window.__longTasks, ready: document.querySelectorAll("[data-cf-ready]").length,
  }), 100));
}"""

FLOOR_BIND = """() => {
  const started = performance.now();
  document.querySelectorAll("[data-cf-component]").forEach((root) => {
    root.setAttribute("data-cf-ready", "");
  });
  return performance.now() - started;
}"""

PREPARE = """(replies) => {
  Object.entries(replies).forEach(([id, text]) => window.__replies.set(id, text));
}"""

MORPH_ALL = """async () => {
  const roots = Array.from(document.querySelectorAll("[data-cf-component]"));
  window.__longTasks = [];
  const started = performance.now();
  await Promise.all(roots.map((root) => cf.send(root, "refresh")));
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 100));
  const morphed = roots.filter((root) => root.querySelector("option:checked").value === "m");
  return { ms, longTasks: window.__longTasks, morphed: morphed.length };
}"""

FLOOR_MORPH = """(replies) => {
  const roots = Array.from(document.querySelectorAll("[data-cf-component]"));
  const started = performance.now();
  roots.forEach((root) => {
    const template = document.createElement("template");
    template.innerHTML = JSON.parse(replies[root.getAttribute("data-cf-id")]).html;
    root.replaceChildren(template.content);
  });
  return performance.now() - started;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline", default="main", help="git revision of the other cf.js")
    parser.add_argument(
        "--features",
        action="store_true",
        help="cards also use cf-loading, cf-disable-with and cf-dirty",
    )
    parser.add_argument(
        "--hooks",
        action="store_true",
        help="cards also hold a cf-hook element with cf-transition (for cf-hooks.js)",
    )
    parser.add_argument(
        "--scripts", default="", help="optional scripts after this tree's cf.js (comma-separated)"
    )
    args = parser.parse_args()
    body = page_body(args.components, args.features, args.hooks)
    answers = replies(args.components, args.features, args.hooks)
    scripts = tuple(name for name in args.scripts.split(",") if name)
    sides = {
        "baseline": cf_source(args.baseline, scripts),
        "this tree": cf_source(scripts=scripts),
    }
    found: dict[str, dict[str, list[float]]] = {side: {} for side in [*sides, "floor"]}
    over_50: dict[str, list[float]] = {side: [] for side in sides}

    def record(side: str, name: str, value: float) -> None:
        found[side].setdefault(name, []).append(value)

    with chromium() as browser:
        for _ in range(args.rounds):
            for side, source in sides.items():
                page = open_page(browser, body, source, load_cf=False)
                page.evaluate("window.gc()")
                bound, bind_tasks = traced(browser, page, BIND, source)
                if bound["ready"] != args.components:
                    raise AssertionError(f"{side}: {bound['ready']} roots ready")
                page.evaluate(PREPARE, answers)
                page.evaluate("window.gc()")
                morphed, morph_tasks = traced(browser, page, MORPH_ALL)
                if morphed["morphed"] != args.components:
                    raise AssertionError(f"{side}: {morphed['morphed']} roots morphed")
                steps = (("bind", bound, bind_tasks), ("morph all", morphed, morph_tasks))
                for step, out, tasks in steps:
                    record(side, step, out["ms"])
                    record(side, f"{step}: main thread busy without rendering", tasks.script)
                    record(side, f"{step}: longest task", tasks.longest)
                    record(side, f"{step}: longest task without rendering", tasks.longest_script)
                    over_50[side].extend(out["longTasks"])
                page.close()
            page = open_page(browser, body, sides["this tree"], load_cf=False)
            page.evaluate("window.gc()")
            record("floor", "bind", page.evaluate(FLOOR_BIND))
            page.evaluate("window.gc()")
            record("floor", "morph all", page.evaluate(FLOOR_MORPH, answers))
            page.close()
    bound_elements = args.components * BOUND_PER_COMPONENT
    print(
        f"{args.components} components, {bound_elements} bound elements, {args.rounds} rounds, "
        f"medians (ms); baseline {args.baseline}{'; --features' if args.features else ''}"
        f"{'; --hooks' if args.hooks else ''}"
        f"; both sides: cf.js{''.join(f' + cf-{name}.js' for name in scripts)}"
    )
    print("| step | floor | baseline | this tree |")
    print("| --- | ---: | ---: | ---: |")
    for name in found["this tree"]:
        floor = median(found["floor"][name]) if name in found["floor"] else ""
        print(
            f"| {name} | {floor} | {median(found['baseline'][name])} | "
            f"{median(found['this tree'][name])} |"
        )
    for side, tasks in over_50.items():
        longest = max(tasks, default=0)
        print(f"{side}: {len(tasks)} long tasks (> 50 ms) in all rounds, longest {longest:.0f} ms")
    for side, source in sides.items():
        print(f"{side}: cf.js {len(source.encode())} bytes, {gzipped_size(source)} gzipped")


if __name__ == "__main__":
    main()
