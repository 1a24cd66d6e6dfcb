"""Render cost of each template language against Jinja2, on the same template.

The counter every benchmark measures (a count, a button and a 50-item list), written once per
language with the same output: Jinja2 (``JinjaRenderer``, the floor), Django templates
(``DjangoTemplateRenderer``), Django templates with the button as a django-cotton component
(``DjangoCottonRenderer``) and JinjaX (``JinjaXRenderer``, the button a JinjaX component).
Each renderer's ``render`` is timed in this process on the same context, interleaved rounds;
reported: microseconds per render (median of rounds) and the ratio to Jinja2 (1.00x = as fast).

Run:  python bench/renderers.py [--renders 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from component_framework.core.renderer import Renderer

JINJA = """<div class="counter">
  <span>Count: {{ state.count }}</span>
  <button cf-click="increment">+1</button>
  <ul>{% for item in state["items"] %}<li>{{ item }}</li>{% endfor %}</ul>
</div>"""
DJANGO = """<div class="counter">
  <span>Count: {{ state.count }}</span>
  <button cf-click="increment">+1</button>
  <ul>{% for item in state.items %}<li>{{ item }}</li>{% endfor %}</ul>
</div>"""
BUTTON = '<button cf-click="increment">+1</button>'
COTTON = DJANGO.replace(BUTTON, '<c-plus-button event="increment" />')
COTTON_BUTTON = '<button cf-click="{{ event }}">+1</button>'
JINJAX = "{#def state #}\n" + JINJA.replace(BUTTON, '<PlusButton event="increment" />')
JINJAX_BUTTON = '{#def event #}\n<button cf-click="{{ event }}">+1</button>'


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source)


def renderers(folder: Path) -> dict[str, tuple[Renderer, str]]:
    """name -> (renderer, template name), every one rendering the counter."""
    import django
    import jinja2
    from django.conf import settings

    from component_framework.core.jinja import JinjaRenderer

    _write(
        folder,
        {
            "counter.html": DJANGO,
            "cotton_counter.html": COTTON,
            "cotton/plus_button.html": COTTON_BUTTON,
            "jinjax/Counter.jinja": JINJAX,
            "jinjax/PlusButton.jinja": JINJAX_BUTTON,
        },
    )
    settings.configure(
        DEBUG=False,
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [str(folder)],
            }
        ],
        INSTALLED_APPS=["component_framework.django"],
        SECRET_KEY="bench-renderers-secret-key-0123456789",
        CF_WEBSOCKET=False,
    )
    django.setup()
    from component_framework.django.renderers import DjangoCottonRenderer, DjangoTemplateRenderer
    from component_framework.jinjax import JinjaXRenderer

    return {
        "jinja2": (
            JinjaRenderer(loader=jinja2.DictLoader({"counter.html": JINJA})),
            "counter.html",
        ),
        "django": (DjangoTemplateRenderer(), "counter.html"),
        "cotton": (DjangoCottonRenderer(), "cotton_counter.html"),
        "jinjax": (JinjaXRenderer([folder / "jinjax"]), "Counter"),
    }


def per_render(renderer: Renderer, name: str, context: dict[str, Any], renders: int) -> float:
    """Microseconds per ``render`` call over *renders* calls."""
    start = time.perf_counter()
    for _ in range(renders):
        renderer.render(name, context)
    return (time.perf_counter() - start) / renders * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description="Render cost per template language vs Jinja2")
    parser.add_argument("--renders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    context: dict[str, Any] = {
        "state": {"count": 3, "items": [f"item {i}" for i in range(50)]},
        "errors": {},
        "component_id": "component-bench",
        "slots": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        found = renderers(Path(tmp))
        outputs = {n: " ".join(r.render(t, context).split()) for n, (r, t) in found.items()}
        for name, html in outputs.items():  # the same HTML, whitespace aside
            assert html == outputs["jinja2"], f"{name} renders differently:\n{html}"
        times: dict[str, list[float]] = {name: [] for name in found}
        for _ in range(args.rounds):
            for name, (renderer, template) in found.items():
                times[name].append(per_render(renderer, template, context, args.renders))
    floor = statistics.median(times["jinja2"])
    print(f"{args.rounds} rounds x {args.renders} renders of the counter (50-item list)")
    print(f"{'renderer':<10}{'us/render':>11}{'vs jinja2':>11}")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:<10}{median:>11.1f}{median / floor:>10.2f}x")


if __name__ == "__main__":
    main()
