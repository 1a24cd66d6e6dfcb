"""Component templates in Django's template language, and in django-cotton.

    from component_framework.django.renderers import DjangoTemplateRenderer

    class Counter(Component):
        template_name = "shop/counter.html"          # <app>/templates/shop/counter.html
        renderer = DjangoTemplateRenderer()

A component template is then an ordinary Django template: your tag libraries and filters,
``{% component "child" %}`` for a nested component (no ``{% load cf %}`` needed), and, while a
request is served, what your context processors add (``user``, ``perms``, ``csrf_token``). The
renderer keeps its own template engine, configured like your project's ``DjangoTemplates``
backend (folders, app templates, libraries, built-ins, context processors); ``strict`` (on in
``cf dev`` and ``cf check``) makes an undefined variable an error instead of empty text.

``DjangoCottonRenderer`` adds django-cotton: component templates may use ``<c-button>`` and
the rest of your ``templates/cotton/`` components (``pip install 'cf-components[cotton]'``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template import Context, Engine, RequestContext
from django.template.exceptions import TemplateSyntaxError
from django.utils.safestring import mark_safe

from component_framework.core._execution import current_request
from component_framework.core.renderer import Renderer

__all__ = ["DjangoCottonRenderer", "DjangoTemplateRenderer", "UndefinedVariable"]

_BACKEND = "django.template.backends.django.DjangoTemplates"
_CF_TAGS = "component_framework.django.templatetags.cf"
_COTTON_TAGS = "django_cotton.templatetags.cotton"
_COTTON_LOADER = "django_cotton.cotton_loader.Loader"
_APP_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]


class UndefinedVariable(TemplateSyntaxError):
    """A strict renderer met a variable that is not defined (``{{ state.cnt }}``)."""


class _Strict(str):
    # Django formats string_if_invalid with the variable's name when it holds "%s": raising
    # there turns an undefined variable into an error (Django's documented debugging aid).
    __slots__ = ()

    def __contains__(self, item: object) -> bool:
        return item == "%s"

    def __mod__(self, variable: object) -> str:
        name = getattr(variable, "var", variable)  # Django passes its Variable
        raise UndefinedVariable(f"{str(name)!r} is not defined in the component's template context")


def _project_options(using: str | None) -> dict[str, Any]:
    for backend in getattr(settings, "TEMPLATES", []):
        if backend.get("BACKEND") != _BACKEND:
            continue
        name = backend.get("NAME") or backend["BACKEND"].rsplit(".", 2)[-2]
        if using is None or name == using:
            return {
                "dirs": list(backend.get("DIRS", [])),
                "app_dirs": bool(backend.get("APP_DIRS", False)),
                **backend.get("OPTIONS", {}),
            }
    return {"dirs": [], "app_dirs": True}


class DjangoTemplateRenderer(Renderer):
    """Render component templates with Django's template language.

    Args:
        using: The ``TEMPLATES`` backend (by ``NAME``) whose options it copies; the first
            ``DjangoTemplates`` one by default.
        dirs: Folders searched before the backend's.
        strict: An undefined variable raises ``UndefinedVariable`` (``cf dev`` and
            ``cf check`` turn it on).
        builtins: Tag libraries loaded in every template, besides the backend's and ``cf``.
    """

    extra_builtins: Sequence[str] = ()
    extra_loaders: Sequence[str] = ()

    def __init__(
        self,
        *,
        using: str | None = None,
        dirs: Sequence[str] = (),
        strict: bool = False,
        builtins: Sequence[str] = (),
    ) -> None:
        self.using = using
        self._dirs = list(dirs)
        self._builtins = list(builtins)
        self._strict = strict
        self._engine: Engine | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} using={self.using!r} strict={self._strict}>"

    @property
    def use_cotton(self) -> bool:
        """Whether component templates may use django-cotton's ``<c-...>`` tags."""
        return bool(self.extra_loaders)

    @property
    def engine(self) -> Engine:
        """The template engine (made on first use, once Django's settings are ready)."""
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def _make_engine(self) -> Engine:
        options = _project_options(self.using)
        builtins = [_CF_TAGS, *self.extra_builtins, *options.pop("builtins", []), *self._builtins]
        loaders = options.pop("loaders", None)
        dirs = [*self._dirs, *options.pop("dirs", [])]
        app_dirs = options.pop("app_dirs", False)
        if self.extra_loaders:
            # Cotton's loader compiles <c-...> tags before Django's own loaders read a file;
            # cached, as Django caches its default loaders (clear_cache resets it).
            plain = [*self.extra_loaders, *(_plain(loaders) or _APP_LOADERS)]
            loaders = [("django.template.loaders.cached.Loader", plain)]
            app_dirs = False
        options.pop("string_if_invalid", None)
        options.pop("autoescape", None)
        return Engine(
            dirs=dirs,
            app_dirs=app_dirs,
            loaders=loaders,
            builtins=list(dict.fromkeys(builtins)),
            debug=bool(options.pop("debug", settings.DEBUG)),
            string_if_invalid=_Strict("%s") if self._strict else "",
            **options,
        )

    @property
    def strict(self) -> bool:
        """Whether an undefined variable raises instead of rendering as empty text."""
        return self._strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self._strict = value
        if self._engine is not None:
            self._engine.string_if_invalid = _Strict("%s") if value else ""

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        """Render *template_name* with *context* (and the request's context processors while
        a Django request is served).

        Raises:
            TemplateDoesNotExist: No loader finds it.
            TemplateSyntaxError: It does not compile, or (strict) names an undefined variable.
        """
        slots: Mapping[str, str] | None = context.get("slots")
        if slots:
            context = {**context, "slots": {k: mark_safe(v) for k, v in slots.items()}}
        template = self.engine.get_template(template_name)
        request = current_request()
        if not isinstance(request, HttpRequest) and self._strict:
            # cf check and cf dev render strictly with no page request: give the context
            # processors an anonymous visitor's, or `{{ user.username }}` would be an error.
            request = _anonymous_request()
        if isinstance(request, HttpRequest):
            html: str = template.render(RequestContext(request, context))
        else:
            html = template.render(Context(context, autoescape=True))
        return html

    def compile_template(self, template_name: str) -> None:
        """Load and compile *template_name* (``TemplateDoesNotExist``, ``TemplateSyntaxError``)."""
        self.engine.get_template(template_name)

    def clear_cache(self) -> None:
        """Forget compiled templates (the cached loader's), so files are read again."""
        for loader in self.engine.template_loaders:
            reset = getattr(loader, "reset", None)
            if reset is not None:
                reset()


def _anonymous_request() -> HttpRequest:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def _plain(loaders: Any) -> list[Any] | None:
    # The loaders inside Django's cached loader (and without cotton's, added again first).
    if not loaders:
        return None
    flat: list[Any] = []
    for loader in loaders:
        if isinstance(loader, list | tuple) and loader[0].endswith("cached.Loader"):
            flat.extend(loader[1])
        else:
            flat.append(loader)
    return [loader for loader in flat if loader != _COTTON_LOADER]


class DjangoCottonRenderer(DjangoTemplateRenderer):
    """``DjangoTemplateRenderer`` with django-cotton: ``<c-name ...>`` tags in component
    templates render your ``templates/cotton/name.html`` components.

    Raises:
        ImportError: django-cotton is not installed (the message says how to install it).
    """

    extra_builtins = (_COTTON_TAGS,)
    extra_loaders = (_COTTON_LOADER,)

    def __init__(self, **options: Any) -> None:
        from component_framework.core._require import require

        require("django_cotton", "cotton", "DjangoCottonRenderer")
        super().__init__(**options)
