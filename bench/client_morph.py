"""cf.js morph of a list of 2,000 keyed children, this tree's cf.js against another revision's.

One headless Chromium, one page per cf.js (``--baseline`` is a git revision, default ``main``),
no server (see ``bench/_chromium.py``). Each round puts the first list in place (untimed, and
morphed once more so that each scenario starts from a list cf.js has morphed before), then
times ``await cf.send(root, ...)`` until the reply with the second list is morphed in: the
message, the reply's JSON parse, the morph, the ``cf:update`` event. Pages alternate round by
round. The floor, in the same page: parse the same reply and replace the root's children with
its HTML (what a client without a morph does: every node new, focus and caret lost). After each
morph the root must hold exactly the new HTML; ``kept`` counts the old ``<li>`` still in it.

Run:  python bench/client_morph.py [--items 2000] [--rounds 15] [--baseline main]
"""

from __future__ import annotations

import argparse
import json
import random

from _chromium import cf_source, chromium, median, open_page

ROOT_ID = "list-1"

# (name, old items, new items) over item numbers; a negative number is an unkeyed row.
Scenario = tuple[str, list[int], list[int]]


def scenarios(items: int) -> list[Scenario]:
    base = list(range(items))
    shuffled = base[:]
    random.Random(7).shuffle(shuffled)
    middle = items // 2
    return [
        ("unchanged", base, base),
        ("one text changed", base, [*base[:middle], items + middle, *base[middle + 1 :]]),
        ("one inserted first", base, [items, *base]),
        ("first removed", base, base[1:]),
        ("reversed", base, base[::-1]),
        ("shuffled", base, shuffled),
        (
            "unkeyed rows, named inputs, one changed",
            [-1 - n for n in base],
            [-1 - n for n in [*base[:middle], items + middle, *base[middle + 1 :]]],
        ),
    ]


def item(n: int, items: int) -> str:
    if n < 0:  # an unkeyed row holding a named control
        n = -1 - n
        return f'<li><span>Row {n % items}{"*" if n >= items else ""}</span><input name="qty"></li>'
    label = f"Item {n % items}" + (" (edited)" if n >= items + 1 else "")
    return f'<li id="item-{n if n == items else n % items}"><span>{label}</span></li>'


def render(numbers: list[int], items: int) -> str:
    return "<ul>" + "".join(item(n, items) for n in numbers) + "</ul>"


def reply(html: str) -> str:
    return json.dumps(
        {
            "type": "component_update",
            "component_id": ROOT_ID,
            "html": html,
            "state": "{}",
            "checksum": "bench",
        }
    )


MORPH = """async ([before, after]) => {
  const root = document.querySelector('[data-cf-id="list-1"]');
  window.__replies.set("list-1", window.__texts[before]);
  await cf.send(root, "render");
  await cf.send(root, "render"); // every node touched once, as on a page morphed before
  root.querySelectorAll("li").forEach((li) => { li.__old = true; });
  window.__replies.set("list-1", window.__texts[after]);
  window.gc();
  const started = performance.now();
  await cf.send(root, "render");
  const ms = performance.now() - started;
  const kept = Array.from(root.querySelectorAll("li")).filter((li) => li.__old).length;
  return { ms, kept, same: root.innerHTML === window.__html[after] };
}"""

FLOOR = """(after) => {
  const root = document.querySelector('[data-cf-id="list-1"]');
  window.gc();
  const started = performance.now();
  const template = document.createElement("template");
  template.innerHTML = JSON.parse(window.__texts[after]).html;
  root.replaceChildren(template.content);
  return performance.now() - started;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--baseline", default="main", help="git revision of the other cf.js")
    args = parser.parse_args()
    cases = scenarios(args.items)
    texts, html = {}, {}
    for index, (_, old, new) in enumerate(cases):
        for side, numbers in (("a", old), ("b", new)):
            html[f"{index}{side}"] = render(numbers, args.items)
            texts[f"{index}{side}"] = reply(html[f"{index}{side}"])
    body = (
        f'<div data-cf-component="list" data-cf-id="{ROOT_ID}" data-cf-state="{{}}" '
        f'data-cf-checksum="bench">{html["0a"]}</div>'
    )
    sides = {"baseline": cf_source(args.baseline), "this tree": cf_source()}
    results: dict[str, dict[str, list[float]]] = {name: {} for name, _, _ in cases}
    kept: dict[str, dict[str, int]] = {name: {} for name, _, _ in cases}
    with chromium() as browser:
        pages = {side: open_page(browser, body, source) for side, source in sides.items()}
        for page in pages.values():
            page.evaluate("([t, h]) => { window.__texts = t; window.__html = h; }", [texts, html])
        for _ in range(args.rounds):
            for index, (name, _, _) in enumerate(cases):
                for side, page in pages.items():
                    out = page.evaluate(MORPH, [f"{index}a", f"{index}b"])
                    if not out["same"]:
                        raise AssertionError(f"{side}: {name}: the morph left other HTML")
                    results[name].setdefault(side, []).append(out["ms"])
                    kept[name][side] = out["kept"]
                floor = pages["this tree"].evaluate(FLOOR, f"{index}b")
                results[name].setdefault("floor", []).append(floor)
    print(f"{args.items} children, {args.rounds} rounds, medians (ms); baseline {args.baseline}")
    print("| change | floor (replace) | baseline | this tree | baseline / this tree | kept |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, sides_ms in results.items():
        floor, before, after = (median(sides_ms[k]) for k in ("floor", "baseline", "this tree"))
        ratio = round(before / after, 1) if after else float("inf")
        print(f"| {name} | {floor} | {before} | {after} | {ratio}x | {kept[name]['this tree']} |")


if __name__ == "__main__":
    main()
