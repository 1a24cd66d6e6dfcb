"""A small app for the presence browser test: one room, who is in it and who is typing.

``/?user=ann`` shows the room to ann (the route decides the user, as a login would). Run as
``uvicorn tests.browser.presence_app:app``.
"""

from __future__ import annotations

from typing import ClassVar

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry, ws_manager
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.presence import Track, apply_diff
from component_framework.web import ComponentApp

ROOM = """<div>
  <ul data-testid="online">{% for user, metas in state.online|dictsort %}
    <li>{{ user }}{% if metas|selectattr("typing")|list %} (typing){% endif %}</li>{% endfor %}
  </ul>
  <button cf-click="typing" cf-payload='{"on": true}' data-testid="type">Type</button>
  <button cf-click="typing" cf-payload='{"on": false}' data-testid="stop">Stop</button>
</div>"""

PAGE = """<!doctype html><html><body>
{{ component("room", user=user) }}{{ cf_scripts() }}
</body></html>"""

registry = ComponentRegistry()


@registry.register("room")
class Room(Component):
    template_name = "room.html"
    renderer = JinjaRenderer(loader=jinja2.DictLoader({"room.html": ROOM}))
    live: ClassVar[bool] = True

    def mount(self) -> None:
        super().mount()
        self.state["user"] = self.params["user"]
        self.state["online"] = ws_manager.presence.list("room:lobby")

    def track_presence(self) -> Track:
        return Track("room:lobby", self.state["user"], {"typing": False})

    def on_presence(self, joins: dict, leaves: dict, reset: bool = False) -> None:
        self.state["online"] = apply_diff(self.state["online"], joins, leaves, reset)

    def on_typing(self, on: bool) -> None:
        ws_manager.presence.update(self, typing=on)


components = ComponentApp(registry=registry)
environment = components.install_jinja(jinja2.Environment(autoescape=True))


async def room_page(request: Request) -> HTMLResponse:
    user = request.query_params.get("user", "guest")
    return HTMLResponse(environment.from_string(PAGE).render(user=user))


app = Starlette(routes=[Route("/", room_page), components.mount()])
