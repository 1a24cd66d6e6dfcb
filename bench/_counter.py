"""The counter every benchmark measures: a count and a 50-item list, rendered by Jinja2."""

from __future__ import annotations

import jinja2

from component_framework.core import Component, ComponentRegistry
from component_framework.core.jinja import JinjaRenderer

KEY = "bench-secret-key-0123456789abcdef"
TEMPLATE = """<div class="counter">
  <span>Count: {{ state.count }}</span>
  <button cf-click="increment">+1</button>
  <ul>{% for item in state["items"] %}<li>{{ item }}</li>{% endfor %}</ul>
</div>"""

renderer = JinjaRenderer(loader=jinja2.DictLoader({"counter.html": TEMPLATE}))
bench_registry = ComponentRegistry()


@bench_registry.register("counter")
class Counter(Component):
    template_name = "counter.html"
    renderer = renderer

    def mount(self) -> None:
        super().mount()
        self.state["count"] = 0
        self.state["items"] = [f"item {i}" for i in range(50)]

    def on_increment(self, amount: int = 1) -> None:
        # A `def` handler: the whole message runs in one worker-thread hop.
        self.state["count"] += amount

    async def on_increment_async(self, amount: int = 1) -> None:
        # The same handler declared `async def`: it runs on the event loop, with no thread hop.
        self.state["count"] += amount
