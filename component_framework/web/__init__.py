"""The ASGI transport: components live in web pages, over HTTP, Server-Sent Events and WebSocket.

Mount it in any Starlette or FastAPI app, then render components from Jinja templates:

    from component_framework.web import ComponentApp

    components = ComponentApp()                         # needs CF_SECRET_KEY (or debug=True)
    app = Starlette(routes=[Route("/", home), components.mount()])
    templates = components.install_jinja(Jinja2Templates("templates"))

    # templates/page.html:  {{ component("counter", start=3) }} ... {{ cf_scripts() }}
"""

from component_framework.core._http import Refused as RequestRefused

from ._app import ComponentApp
from ._templates import TemplateHelpers
from ._websocket import StarletteConnection, origin_allowed

__all__ = [
    "ComponentApp",
    "RequestRefused",
    "StarletteConnection",
    "TemplateHelpers",
    "origin_allowed",
]
