"""0.6.0's Django API over this project's: its route and views, guards, rate limits, template
tags, model mixin names and renderer (``component_framework.adapters.*``)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.template import Context, Engine
from django.test import Client, RequestFactory

from component_framework.adapters import django_views
from component_framework.adapters.django_model import (
    DjangoModelComponent,
    DjangoModelMixin,
    InstanceNotFoundError,
)
from component_framework.adapters.django_permissions import (
    login_required_component,
    permission_required_component,
    staff_required_component,
)
from component_framework.adapters.django_ratelimit import (
    RateLimiter,
    RateLimitMixin,
    _parse_rate,
    rate_limit_component,
)
from component_framework.adapters.django_renderer import DjangoRenderer
from component_framework.adapters.django_views import (
    AuthenticatedComponentView,
    ComponentView,
    PermissionComponentView,
    component_view,
)
from component_framework.core import Component, ComponentRegistry
from component_framework.core.exceptions import ConfigurationError
from component_framework.django.renderers import DjangoCottonRenderer, DjangoTemplateRenderer
from examples.django_site.shop.models import Article

from .conftest import roots

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.adapters._legacy_urls"),
]

rf = RequestFactory()


def _post(path: str, body: Any, user: Any = None) -> Any:
    request = rf.post(path, data=json.dumps(body), content_type="application/json")
    request.user = user if user is not None else AnonymousUser()
    return request


def _json(response: Any) -> Any:
    return json.loads(response.content)


@pytest.fixture
def reader() -> User:
    return User.objects.create_user("reader", password="pw-reader-123")


# ---------- The old route carries this project's message ----------


def test_the_old_route_mounts_then_runs_events_with_the_signed_state() -> None:
    mounted = component_view(_post("/components/counter/", {}), "counter")
    assert mounted.status_code == 200
    reply = _json(mounted)
    assert {"html", "state", "checksum", "component_id", "subscribe_token"} <= set(reply)
    event = {key: reply[key] for key in ("state", "checksum", "component_id")}
    second = component_view(
        _post("/", {**event, "event": "increment", "payload": {"amount": 4}}), "counter"
    )
    assert second.status_code == 200
    assert json.loads(_json(second)["state"])["count"] == 4


def test_the_old_route_refuses_what_0_6_0_accepted() -> None:
    unsigned = component_view(
        _post("/", {"event": "increment", "state": '{"count": 5}'}), "counter"
    )
    assert unsigned.status_code == 400
    assert _json(unsigned)["type"] == "error"
    params = component_view(_post("/", {"params": {"start": 9}}), "counter")
    assert params.status_code == 400
    assert "'params' is not accepted" in _json(params)["error"]
    not_json = rf.post("/", data="{nope", content_type="application/json")
    assert component_view(not_json, "counter").status_code == 400
    form = rf.post("/", data={"event": "increment"})
    assert component_view(form, "counter").status_code == 400
    assert component_view(rf.get("/"), "counter").status_code == 405
    assert component_view(_post("/", {}), "missing").status_code == 404


def test_the_old_route_checks_permission_classes_and_csrf(reader: User) -> None:
    assert component_view(_post("/", {}), "greeting").status_code == 401
    assert component_view(_post("/", {}, reader), "greeting").status_code == 200
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/components/counter/", data="{}", content_type="application/json")
    assert refused.status_code == 403  # Django's CSRF middleware guards the route


def test_the_views_look_names_up_in_the_registry_set_on_the_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = ComponentRegistry()

    @own.register("only_here")
    class OnlyHere(Component):
        template_name = "unused.html"

        def render(self) -> str:
            return "<p>here</p>"

    monkeypatch.setattr(django_views, "registry", own)
    assert component_view(_post("/", {}), "only_here").status_code == 200
    assert component_view(_post("/", {}), "counter").status_code == 404
    view = ComponentView.as_view()
    assert view(_post("/", {}), name="only_here").status_code == 200


def test_class_based_views_answer_401_and_403_in_json(reader: User) -> None:
    anonymous = AuthenticatedComponentView.as_view()(_post("/", {}), name="counter")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"].startswith("application/json")
    assert _json(anonymous)["error"] == "Authentication required"
    assert (
        AuthenticatedComponentView.as_view()(_post("/", {}, reader), name="counter").status_code
        == 200
    )

    class Editors(PermissionComponentView):
        permission_required = "shop.change_article"

    assert Editors.as_view()(_post("/", {}, reader), name="counter").status_code == 403
    reader.user_permissions.add(Permission.objects.get(codename="change_article"))
    reader = User.objects.get(pk=reader.pk)  # a fresh permission cache
    assert Editors.as_view()(_post("/", {}, reader), name="counter").status_code == 200


def test_check_component_permissions_gives_the_refusal_or_none(reader: User) -> None:
    from examples.django_site.shop.components import Counter, Greeting

    view = ComponentView()
    assert view.check_component_permissions(_post("/", {}), Counter) is None
    refused = view.check_component_permissions(_post("/", {}), Greeting)
    assert refused is not None and refused.status_code == 401
    assert view.check_component_permissions(_post("/", {}, reader), Greeting) is None


# ---------- Decorators ----------


def test_the_permission_decorators_refuse_in_json(reader: User) -> None:
    login = login_required_component(component_view)
    assert login(_post("/", {}), "counter").status_code == 401
    assert login(_post("/", {}, reader), "counter").status_code == 200
    perm = permission_required_component(["shop.view_article", "shop.change_article"])(
        component_view
    )
    denied = perm(_post("/", {}, reader), "counter")
    assert (denied.status_code, _json(denied)["error"]) == (403, "Permission denied")
    staff = staff_required_component(component_view)
    refused = staff(_post("/", {}, reader), "counter")
    assert (refused.status_code, _json(refused)["error"]) == (403, "Staff access required")
    reader.is_staff = True
    assert staff(_post("/", {}, reader), "counter").status_code == 200


# ---------- Rate limits ----------


def test_parse_rate_reads_0_6_0_rates_and_refuses_others() -> None:
    assert _parse_rate("60/min") == (60, 60)
    assert _parse_rate("5000/day") == (5000, 86400)
    with pytest.raises(ValueError, match="not a rate"):
        _parse_rate("10/week")


def test_the_limiter_counts_per_key() -> None:
    limiter = RateLimiter(limit=2, period=60)
    assert limiter.is_allowed("a") == (True, 0)
    assert limiter.is_allowed("a") == (True, 0)
    allowed, retry_after = limiter.is_allowed("a")
    assert not allowed and retry_after >= 1
    assert limiter.is_allowed("b") == (True, 0)


def test_the_decorator_answers_429_per_user_with_retry_after(reader: User) -> None:
    limited = rate_limit_component("1/min")(component_view)
    assert limited(_post("/", {}, reader), "counter").status_code == 200
    refused = limited(_post("/", {}, reader), "counter")
    assert refused.status_code == 429
    assert _json(refused)["error"] == "Rate limit exceeded"
    assert int(refused["Retry-After"]) == _json(refused)["retry_after"] >= 1
    visitor = rf.post("/", data="{}", content_type="application/json", REMOTE_ADDR="10.0.0.9")
    visitor.user = AnonymousUser()
    assert limited(visitor, "counter").status_code == 200  # an address of its own


def test_the_mixin_limits_post_before_the_view_runs(reader: User) -> None:
    class Throttled(RateLimitMixin, ComponentView):
        throttle_rate = "2/min"

    view = Throttled.as_view()
    statuses = [view(_post("/", {}, reader), name="counter").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# ---------- Template tags ----------


def _render(source: str, **context: Any) -> str:
    engine = Engine(libraries={"components": "component_framework.templatetags.components"})
    return engine.from_string("{% load components %}" + source).render(Context(context))


@pytest.mark.parametrize("tag", ["live_component", "cotton_component"])
def test_live_component_renders_the_root_with_its_signed_state(tag: str) -> None:
    root = roots(_render("{% " + tag + ' "counter" start=3 %}'))["counter"]
    assert json.loads(root["data-cf-state"]) == {"count": 3}
    assert root["data-cf-checksum"]


def test_component_errors_and_component_attrs() -> None:
    errors = {"email": ["Required"]}
    assert _render('{{ errors|component_errors:"email"|join:"," }}', errors=errors) == "Required"
    assert _render('{{ errors|component_errors:"name"|length }}', errors=errors) == "0"
    attrs = _render('{% component_attrs cid state hx_post="/x" %}', cid='"><script>', state={})
    assert 'hx-target="#&quot;&gt;&lt;script&gt;"' in attrs
    assert 'hx-swap="outerHTML"' in attrs and 'hx_post="/x"' in attrs


@pytest.mark.parametrize("tag", ["component_state state", "component_js 'c-1'"])
def test_tags_not_carried_over_say_what_replaces_them(tag: str) -> None:
    with pytest.raises(ConfigurationError, match="is not carried over"):
        _render("{% " + tag + " %}", state={})


@pytest.mark.urls("tests.adapters._no_cf_urls")
def test_a_component_without_the_endpoints_in_the_urlconf_is_a_clear_error() -> None:
    expected = re.escape('include("component_framework.django.urls")')
    with pytest.raises(ConfigurationError, match=expected):
        _render('{% live_component "counter" %}')


# ---------- DjangoModelMixin's 0.6.0 names ----------


class Editor(DjangoModelMixin, Component):
    model = Article
    template_name = "unused.html"
    state_fields = ["title", "status"]
    select_related: Any = ()


def test_get_instance_loads_by_pk_or_id_and_refuses_a_missing_row() -> None:
    article = Article.objects.create(title="First")
    assert Editor(pk=article.pk).get_instance() == article
    assert Editor(id=article.pk).get_instance() == article
    assert Editor().get_instance().pk is None
    with pytest.raises(InstanceNotFoundError, match="not found") as caught:
        Editor(pk=article.pk + 100).get_instance()
    assert isinstance(caught.value, ValueError)  # as 0.6.0 raised


def test_validate_and_save_checks_the_models_rules_without_a_form() -> None:
    editor = Editor()
    editor.state = {}
    editor.get_instance()
    saved, errors = editor.validate_and_save({"title": "x" * 101, "status": "draft"})
    assert not saved and "title" in errors
    assert not Article.objects.exists()
    saved, errors = editor.validate_and_save({"title": "Kept", "status": "draft"})
    assert (saved, errors) == (True, {})
    editor.populate_state_from_instance()
    assert editor.state == {"pk": Article.objects.get().pk, "title": "Kept", "status": "draft"}


def test_state_and_instance_copy_and_save_without_commit() -> None:
    editor = Editor()
    editor.state = {"title": "Draft", "status": "published"}
    editor.instance = Article(title="Old")
    editor.update_instance_from_state()
    assert (editor.instance.title, editor.instance.status) == ("Draft", "published")
    assert editor.save_instance(commit=False).pk is None
    assert editor.save_instance().pk is not None
    editor.instance = None
    with pytest.raises(ValueError, match="No instance to save"):
        editor.save_instance()


def test_django_model_component_runs_a_handler_that_saves_its_instance() -> None:
    article = Article.objects.create(title="Draft")

    class StatusEditor(DjangoModelComponent):
        model = Article
        template_name = "unused.html"
        state_fields = ["status"]

        def render(self) -> str:
            return "<p>ok</p>"

        def on_update_status(self, status: str) -> None:
            self.instance.status = status
            self.save_instance()

    state = StatusEditor(pk=article.pk).resolve("update_status", {"status": "published"})
    assert state["pk"] == article.pk
    assert Article.objects.get(pk=article.pk).status == "published"


def test_hydrate_loads_the_instance_of_the_signed_pk_again() -> None:
    article = Article.objects.create(title="Back")
    editor = Editor()
    editor.instance = None
    editor.hydrate({"pk": article.pk})
    assert editor.instance == article


# ---------- Renderer ----------


def test_django_renderer_with_use_cotton_is_the_cotton_renderer() -> None:
    plain, cotton = DjangoRenderer(), DjangoRenderer(use_cotton=True)
    assert type(plain) is DjangoTemplateRenderer and plain.use_cotton is False
    assert type(cotton) is DjangoCottonRenderer and cotton.use_cotton is True
