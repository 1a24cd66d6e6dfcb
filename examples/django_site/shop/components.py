"""The shop's components, in their own registry (``CF_REGISTRY`` in settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from component_framework.core import (
    Component,
    ComponentRegistry,
    DjangoModelPermission,
    IsAuthenticated,
    ModelFormComponent,
    StreamingComponent,
)
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.url_state import UrlParam
from component_framework.django import DjangoModelMixin
from component_framework.django.renderers import DjangoCottonRenderer

from .models import Article

registry = ComponentRegistry()
renderer = JinjaRenderer([Path(__file__).parent / "jinja2"])


@registry.register("counter")
class Counter(Component):
    """A counter anyone may use."""

    template_name = "counter.html"
    renderer = renderer

    def mount(self) -> None:
        super().mount()
        self.state["count"] = int(self.params.get("start", 0))

    def on_increment(self, amount: int = 1) -> None:
        self.state["count"] += amount


@registry.register("greeting")
class Greeting(Component):
    """Greets the logged-in user: ``request.user`` reaches the permission classes."""

    template_name = "greeting.html"
    renderer = renderer
    permission_classes: ClassVar[list[Any]] = [IsAuthenticated]

    def mount(self) -> None:
        super().mount()
        self.state["waves"] = 0

    def on_wave(self) -> None:
        self.state["waves"] += 1


class ArticleSchema(BaseModel):
    title: str = Field(min_length=3, max_length=100)
    body: str = ""


@registry.register("article_form")
class ArticleForm(DjangoModelMixin, ModelFormComponent):
    """Edits an article; only users with ``shop.change_article`` may see or submit it."""

    model = Article
    schema = ArticleSchema
    state_fields: ClassVar[list[str]] = ["title", "body"]
    template_name = "article_form.html"
    renderer = renderer
    permission_classes: ClassVar[list[Any]] = [DjangoModelPermission]
    permission_required = "shop.change_article"

    def on_submit(self) -> None:
        super().on_submit()
        self.state["saved"] = self.state.get("is_valid", False)


@registry.register("new_article")
class NewArticle(DjangoModelMixin, ModelFormComponent):
    """Creates articles, one per valid submit: mounted without ``pk``, it stays a create form.

    No Pydantic schema: the model's own rules (required title, ``max_length``, the status
    ``choices``) validate the fields, through a Django ``ModelForm`` of ``state_fields``.
    """

    model = Article
    state_fields: ClassVar[list[str]] = ["title", "body", "status"]
    template_name = "new_article.html"
    renderer = renderer
    permission_classes: ClassVar[list[Any]] = [DjangoModelPermission]
    permission_required = "shop.add_article"


@registry.register("tally")
class Tally(Component):
    """Written in Django's template language with a django-cotton button: filters, the
    request's context (``user``) and ``<c-tally-button>`` in a component template."""

    template_name = "shop/components/tally.html"
    renderer = DjangoCottonRenderer()

    def mount(self) -> None:
        super().mount()
        self.state["count"] = 0

    def on_add(self) -> None:
        self.state["count"] += 1


@registry.register("steps")
class Steps(StreamingComponent):
    """Streams three steps."""

    template_name = "steps.html"
    renderer = renderer

    def mount(self) -> None:
        super().mount()
        self.state["step"] = 0

    async def on_run(self, count: int = 3) -> AsyncIterator[None]:
        for step in range(1, count + 1):
            self.state["step"] = step
            yield


@registry.register("article_search")
class ArticleSearch(Component):
    """Articles whose title holds the search (kept in the URL as ``?q=``); adds an article,
    then redirects to the home page by its URL name, saying so there."""

    template_name = "article_search.html"
    renderer = renderer
    url_state: ClassVar[dict[str, Any]] = {"search": UrlParam(str, default="", name="q")}

    def on_search(self, value: str) -> None:
        self.state["search"] = value.strip()[:100]

    def on_add(self, form_data: dict[str, str]) -> None:
        title = str(form_data.get("title", "")).strip()
        if len(title) < 3:
            self.errors["title"] = "Use at least 3 characters."
            return
        Article.objects.create(title=title[:100])
        self.flash("success", f"Added {title[:100]}.")
        self.redirect("home")  # a Django URL name, as django.shortcuts.redirect takes

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        found = Article.objects.filter(title__icontains=self.state["search"]).order_by("pk")
        context["articles"] = [article.title for article in found[:20]]
        return context
