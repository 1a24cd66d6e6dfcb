"""``DjangoModelMixin``: a component bound to one model instance, holding only its primary key.

The state carries the primary key, never the model; the instance is loaded from the database
when first used in a message (sync code: ``self.instance``; async handlers: ``await
self.aget_instance()``) and saved with ``save_instance`` (or ``await asave_instance()``).
Model validation (``full_clean``) errors become the form's per-field errors.

A form mounted without a primary key creates: every valid submit saves a new row and leaves
the form ready for the next one ("save and add another"); mounted with ``pk=`` it edits that
row. Without a Pydantic ``schema`` the submitted fields are validated by a Django ``ModelForm``
of the model (``form_class``, by default one over ``state_fields``): the model's own rules
(``max_length``, ``choices``, required fields, validators) in Django's own words, written once.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError

from component_framework.core.exceptions import ComponentNotFoundError, ConfigurationError

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet
    from django.forms import BaseModelForm

__all__ = ["DjangoModelMixin", "InstanceNotFoundError"]

_UNLOADED: Any = object()


class InstanceNotFoundError(ComponentNotFoundError):
    """The instance a component is bound to does not exist (deleted since the page loaded)."""


class DjangoModelMixin:
    """Bind a component to a model instance; put it before the component class.

    Mount it with ``pk=`` (or ``instance=``); without either it edits a new instance, whose
    primary key the state takes once saved.

    Example:

        @registry.register("article_form")
        class ArticleForm(DjangoModelMixin, ModelFormComponent):
            model = Article
            schema = ArticleSchema            # Pydantic: validates the submitted fields
            state_fields = ["title", "body"]
            template_name = "article_form.html"

        # page.html: {% component "article_form" pk=article.pk %}
    """

    model: ClassVar[type[Model] | None] = None
    """The model class; required."""
    pk_key: ClassVar[str] = "pk"
    """The state key holding the instance's primary key (None: a form that creates)."""
    created_key: ClassVar[str] = "created_pk"
    """The state key a create form puts the primary key of the row it just saved under."""
    form_class: ClassVar[type[BaseModelForm] | None] = None
    """The Django ``ModelForm`` that validates a submit when the component has no Pydantic
    ``schema``; by default one of ``model`` over ``state_fields``."""

    state: dict[str, Any]
    params: dict[str, Any]
    field_errors: dict[str, list[str]]
    validated_data: dict[str, Any] | None
    errors: dict[str, str]
    _instance: Any = _UNLOADED

    # ---------- Loading ----------

    def get_queryset(self) -> QuerySet[Any]:
        """The instances this component may load; override to restrict them (per user, ...).

        Raises:
            ConfigurationError: ``model`` is not set.
        """
        if self.model is None:
            raise ConfigurationError(
                f"{type(self).__name__} uses DjangoModelMixin but sets no model: "
                "add `model = MyModel` to the class."
            )
        return self.model._default_manager.all()

    def _missing(self, pk: Any) -> InstanceNotFoundError:
        name = self.model.__name__ if self.model else "Instance"
        return InstanceNotFoundError(
            f"{name} with pk={pk!r} does not exist (it may have been deleted); reload the page."
        )

    def _new(self) -> Any:
        return self.get_queryset().model()

    def load_instance(self, pk: Any) -> Any:
        """Load the instance with primary key *pk* (a new one when *pk* is None).

        Raises:
            InstanceNotFoundError: No such instance in ``get_queryset``.
        """
        if pk is None:
            return self._new()
        try:
            return self.get_queryset().get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise self._missing(pk) from None

    async def aload_instance(self, pk: Any) -> Any:
        """Async twin of ``load_instance`` (Django's async ORM API)."""
        if pk is None:
            return self._new()
        try:
            return await self.get_queryset().aget(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise self._missing(pk) from None

    @property
    def instance(self) -> Any:
        """The bound instance, loaded on first use from the primary key in the state."""
        if self._instance is _UNLOADED:
            self._instance = self.load_instance(self.state.get(self.pk_key))
        return self._instance

    @instance.setter
    def instance(self, value: Any) -> None:
        self._instance = value

    async def aget_instance(self) -> Any:
        """The bound instance, loaded with the async ORM (for ``async def`` handlers)."""
        if self._instance is _UNLOADED:
            self._instance = await self.aload_instance(self.state.get(self.pk_key))
        return self._instance

    # ---------- Lifecycle ----------

    def mount(self) -> None:
        """Load the instance named by the ``pk`` or ``instance`` parameter, then mount."""
        instance = self.params.get("instance")
        if instance is None:
            instance = self.load_instance(self.params.get("pk"))
        self._instance = instance
        self.state[self.pk_key] = instance.pk
        super().mount()  # type: ignore[misc]

    # ---------- Validating with the model's rules ----------

    def get_form_class(self) -> type[BaseModelForm]:
        """The ``ModelForm`` validating a submit: ``form_class``, else one over the model's
        ``state_fields``."""
        if self.form_class is not None:
            return self.form_class
        from django.forms import modelform_factory

        fields = list(getattr(self, "state_fields", ())) or "__all__"
        model = self.get_queryset().model
        form_class: type[BaseModelForm] = modelform_factory(
            model, form=_fields_only_form(), fields=fields
        )
        return form_class

    def validate(self, data: dict[str, Any]) -> bool:
        """Validate *data* with the Pydantic ``schema`` if the component has one, else with
        the model's ``ModelForm``; messages per field in ``field_errors``."""
        if getattr(self, "schema", None) is not None:
            return bool(super().validate(data))  # type: ignore[misc]
        form = self.get_form_class()(data=data)
        if form.is_valid():
            self.validated_data = dict(form.cleaned_data)
            self.errors, self.field_errors = {}, {}
            return True
        self.validated_data = None
        self.errors = {"form": "Validation failed"}
        self.field_errors = {
            ("form" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in form.errors.items()
        }
        return False

    # ---------- Saving ----------

    def _clean(self, instance: Any) -> bool:
        try:
            instance.full_clean()
        except ValidationError as exc:
            field_errors: dict[str, list[str]] = getattr(self, "field_errors", {})
            for field, messages in exc.message_dict.items():
                field_errors.setdefault(field, []).extend(messages)
            self.field_errors = field_errors
            self.state["is_valid"] = False
            return False
        return True

    def save_instance(self) -> bool:
        """Validate the instance with the model's rules and save it; return whether it saved.

        Model validation errors land in ``field_errors``, as the schema's do.
        """
        instance = self.instance
        if not self._clean(instance):
            return False
        instance.save()
        self._saved(instance)
        return True

    async def asave_instance(self) -> bool:
        """Async twin of ``save_instance`` (Django's async ORM API)."""
        from asgiref.sync import sync_to_async

        instance = await self.aget_instance()
        # full_clean may query (unique checks): Django offers no async twin of it.
        if not await sync_to_async(self._clean)(instance):
            return False
        await instance.asave()
        self._saved(instance)
        return True

    def _saved(self, instance: Any) -> None:
        if self.state.get(self.pk_key) is not None:
            return  # an edit form: it goes on editing its row
        # A create form stays one: the next valid submit creates another row, from an empty
        # form; the row just made is named in the state (for a link, a message).
        self.state[self.created_key] = instance.pk
        self.state["form_data"] = {}
        self._instance = self._new()


@functools.cache
def _fields_only_form() -> type[BaseModelForm]:
    from django.forms import ModelForm

    class FieldsOnlyForm(ModelForm):
        """Checks the submitted fields alone: ``save_instance`` checks the instance whole
        (``full_clean``, uniqueness included) against the row it saves."""

        def validate_unique(self) -> None:
            pass

    return FieldsOnlyForm
