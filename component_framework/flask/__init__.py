"""Components in Flask: the event, stream, cf.js and WebSocket endpoints, template globals, pushes.

Example:

    from flask import Flask
    from component_framework.flask import Components

    app = Flask(__name__)
    components = Components(app)   # serves /cf/event, /cf/stream, /cf/ws, /cf/cf.js

    # templates/page.html: {{ component("counter", start=3) }} ... {{ cf_scripts() }}

Flask-Login's ``current_user`` reaches the components' permission classes; with Flask-WTF's
``CSRFProtect`` the page's token is sent with every event. Flask is an optional dependency:
``pip install 'cf-components[flask]'``.
"""

from component_framework.core._require import require as _require

_require("flask", "flask", "component_framework.flask")
_require("simple_websocket", "flask", "component_framework.flask")

from ._extension import Components  # noqa: E402
from ._request import ComponentRequest  # noqa: E402

__all__ = ["ComponentRequest", "Components"]
