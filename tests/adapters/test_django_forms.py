"""Model forms: a form mounted to create creates a row per valid submit, one mounted with a pk
edits that row; without a Pydantic schema the model's own rules validate the fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import RequestFactory

from component_framework.django._config import config
from component_framework.testing import ComponentTester
from examples.django_site.shop.models import Article

# Sync handlers run in a worker thread, on its own connection: it must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)
TOO_LONG = "Ensure this value has at most 100 characters (it has 101)."


@pytest.fixture
def editor_request() -> Any:
    user = User.objects.create_user("form-editor")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_article", "change_article"])
    )
    request = RequestFactory().post("/cf/event")
    request.user = User.objects.get(pk=user.pk)  # permissions loaded afresh
    return request


def _form(name: str, request: Any, **params: Any) -> ComponentTester:
    return ComponentTester(name, registry=config().registry, request=request, **params)


def _submit(tester: ComponentTester, **fields: str) -> ComponentTester:
    return tester.call("submit", form_data={"body": "", "status": "draft", **fields})


def test_a_form_mounted_without_pk_creates_a_row_on_every_submit(editor_request: Any) -> None:
    form = _form("new_article", editor_request)
    _submit(form, title="One")
    first = Article.objects.get(title="One")
    form.assert_state(pk=None).assert_set("created_pk", first.pk).assert_set("form_data", {})
    _submit(form, title="Two")
    second = Article.objects.get(title="Two")
    assert second.pk != first.pk
    assert Article.objects.get(pk=first.pk).title == "One"  # not overwritten
    form.assert_set("created_pk", second.pk).assert_see(f"Created article #{second.pk}.")


def test_a_form_mounted_with_a_pk_edits_that_row(editor_request: Any) -> None:
    article = Article.objects.create(title="Kept")
    form = _form("article_form", editor_request, pk=article.pk)
    form.call("submit", form_data={"title": "Edited once", "body": ""})
    form.call("submit", form_data={"title": "Edited twice", "body": ""})
    assert Article.objects.filter(pk=article.pk).values_list("title", flat=True)[0] == (
        "Edited twice"
    )
    assert not Article.objects.filter(title="Edited once").exists()
    assert form.state["pk"] == article.pk and "created_pk" not in form.state


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 101}, "title", TOO_LONG),
        ({"title": "Fine", "status": "gone"}, "status",
         "Select a valid choice. gone is not one of the available choices."),
    ],
)  # fmt: skip
def test_without_a_schema_the_models_rules_validate_in_djangos_words(
    editor_request: Any, fields: dict[str, str], field: str, message: str
) -> None:
    form = _submit(_form("new_article", editor_request), **fields)
    form.assert_see(message)
    assert form.state["is_valid"] is False and "created_pk" not in form.state
    assert not Article.objects.filter(title=fields["title"]).exists()
    if field == "title":
        form.assert_see(f'data-testid="new-title-error">{message}', escape=False)
