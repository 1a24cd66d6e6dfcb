"""Two-way binding on a plain component: cf-model sets the declared state keys."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from component_framework.core import Component, registry

CITIES = (  # split into names where they are read
    "Amsterdam Athens Berlin Bern Lisbon London Lyon Madrid Milan Oslo Paris Prague Rome "
    "Vienna Warsaw Zurich"
)


@registry.register("city_search")
class CitySearch(Component):
    template_name = "city_search.html"
    bindable: ClassVar[dict[str, Any]] = {
        "query": Annotated[str, Field(max_length=40)],
        "limit": Annotated[int, Field(ge=1, le=10)],
    }

    def mount(self) -> None:
        super().mount()
        self.state.update(query="", limit=5)

    def get_context(self) -> dict[str, Any]:
        query = self.state["query"].strip().lower()
        found = [city for city in CITIES.split() if query in city.lower()]
        return {**super().get_context(), "found": found[: self.state["limit"]]}
