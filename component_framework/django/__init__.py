"""Components in Django: an app, URLs, template tags, model forms and (with Channels) WebSocket.

Add the app and the URLs, then use the tags in any Django template:

    # settings.py
    INSTALLED_APPS = [..., "component_framework.django"]

    # urls.py
    urlpatterns = [..., path("cf/", include("component_framework.django.urls"))]

    # page.html
    {% load cf %}{% component "counter" start=3 %} ... {% cf_scripts %}

Django itself is an optional dependency: ``pip install 'cf-components[django]'``.
"""

from component_framework.core._require import require as _require

_require("django", "django", "component_framework.django")

from ._model import DjangoModelMixin, InstanceNotFoundError  # noqa: E402
from ._push import push_event  # noqa: E402
from ._render import current_request, render_component_html, render_scripts_html  # noqa: E402

__all__ = [
    "DjangoModelMixin",
    "InstanceNotFoundError",
    "current_request",
    "push_event",
    "render_component_html",
    "render_scripts_html",
]
