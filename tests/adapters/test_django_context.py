"""While a handler runs, the request (its session, its language code) is at hand."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from component_framework.core import Component
from component_framework.django import current_request
from component_framework.django._config import config
from examples.django_site.shop.components import renderer

pytestmark = pytest.mark.django_db(transaction=True)


class Probe(Component):
    """Records, from inside a sync handler (a worker thread), what Django has active."""

    template_name = "counter.html"
    renderer = renderer

    def mount(self) -> None:
        super().mount()
        self.state["count"] = 0

    def on_probe(self) -> None:
        request = current_request()
        request.session["probes"] = request.session.get("probes", 0) + 1
        self.state["language"] = request.LANGUAGE_CODE  # set by Django's LocaleMiddleware
        self.state["probes"] = request.session["probes"]


@pytest.fixture(autouse=True)
def probe() -> None:
    registry = config().registry
    registry.register("probe")(Probe)
    yield
    registry.unregister("probe")


def test_session_and_language_code_while_the_handler_runs() -> None:
    client = Client()
    message = json.dumps({"component": "probe", "event": "probe"})
    headers = {"X-CF-Request": "1", "Accept-Language": "fr"}
    for visits in (1, 2):
        response = client.post(
            "/cf/event", message, content_type="application/json", headers=headers
        )
        assert response.status_code == 200, response.content
        state = json.loads(response.json()["state"])
        assert state["language"] == "fr"
        assert state["probes"] == visits  # the session was saved by Django's middleware


def test_the_request_does_not_outlive_its_event_under_wsgi() -> None:
    # Under WSGI asgiref copies the view's context back to the thread; a later render on that
    # thread without a request must not pick up this one (its user, its CSRF token).
    message = json.dumps({"component": "probe", "event": "probe"})
    response = Client().post(
        "/cf/event", message, content_type="application/json", headers={"X-CF-Request": "1"}
    )
    assert response.status_code == 200, response.content
    assert current_request() is None
