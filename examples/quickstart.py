"""The README's example: a counter component, driven the way a browser drives it."""

from pathlib import Path
from typing import Annotated

from pydantic import Field

from component_framework.core import Component, registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer

set_default_renderer(JinjaRenderer([Path(__file__).parent / "templates"]))


@registry.register("quickstart_counter")
class Counter(Component):
    template_name = "quickstart_counter.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = self.params.get("start", 0)

    def on_increment(self, amount: Annotated[int, Field(ge=1, le=100)] = 1) -> None:
        self.state["count"] += amount


if __name__ == "__main__":
    first = Counter(start=3).dispatch()
    print(first["html"])
    after = Counter(component_id=first["component_id"]).dispatch(
        "increment", {"amount": 2}, state=first["state"]
    )
    print(after["html"], after["state"])
