"""0.6.0's ``DjangoModelMixin`` method names over this project's ``DjangoModelMixin``; public
under 0.6.0's path, ``adapters.django_model``.

The instance is still bound by its primary key in the signed state and loaded on first use;
0.6.0's names add what its components called: ``get_instance``, ``save_instance(commit=)``,
``validate_and_save``, ``populate_state_from_instance``, ``update_instance_from_state``,
``select_related`` and ``prefetch_related``. Data saved without a ``form_class`` is checked
with the model's own rules (``full_clean``) first, where 0.6.0 saved it unchecked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction

from component_framework.core.component import Component

from ._model import DjangoModelMixin as _Mixin
from ._model import InstanceNotFoundError

__all__ = [
    "DjangoModelComponent",
    "DjangoModelMixin",
    "ModelNotSetError",
    "NoInstanceError",
    "transaction",
]

_UNLOADED: Any = _Mixin._instance


class ModelNotSetError(ValueError):
    """The component sets no ``model`` (0.6.0 raised ``ValueError``: so does this)."""


class NoInstanceError(ValueError):
    """``save_instance`` was called with no instance bound."""


class _NotFound(InstanceNotFoundError, ValueError):
    """No row with the primary key: a 404 on every transport, a ``ValueError`` as in 0.6.0."""


class DjangoModelMixin(_Mixin):
    """This project's ``DjangoModelMixin`` with 0.6.0's method names; put it before the
    component class."""

    select_related: ClassVar[Sequence[str]] = ()
    """Relations ``get_queryset`` joins (``QuerySet.select_related``)."""
    prefetch_related: ClassVar[Sequence[str]] = ()
    """Relations ``get_queryset`` prefetches (``QuerySet.prefetch_related``)."""

    def get_queryset(self) -> Any:
        """``model.objects.all()`` with ``select_related`` and ``prefetch_related``.

        Raises:
            ModelNotSetError: ``model`` is not set.
        """
        if self.model is None:
            raise ModelNotSetError(
                f"{type(self).__name__}: the model attribute is required: add "
                "`model = MyModel` to the class."
            )
        queryset = self.model.objects.all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def get_instance(self) -> Any:
        """The bound instance: by the primary key in the state, else the ``pk`` or ``id``
        mount parameter, else a new one.

        Raises:
            InstanceNotFoundError: No such row (also a ``ValueError``, as in 0.6.0).
        """
        if self._instance is not _UNLOADED and self._instance is not None:
            return self._instance
        state = getattr(self, "state", {})
        pk = state.get(self.pk_key, self.params.get("pk", self.params.get("id")))
        if pk is None:
            self._instance = self.model() if self.model is not None else None
            return self._instance
        try:
            self._instance = self.get_queryset().get(pk=pk)
        except self.model.DoesNotExist:  # type: ignore[union-attr]
            name = self.model.__name__  # type: ignore[union-attr]
            raise _NotFound(f"{name} with pk={pk!r} not found; reload the page.") from None
        return self._instance

    def hydrate(self, state: dict[str, Any]) -> None:
        """Restore the state; the instance is loaded again from its primary key on use."""
        super().hydrate(state)  # type: ignore[misc]
        if self.state.get(self.pk_key) is not None:
            self._instance = _UNLOADED

    def save_instance(self, commit: bool = True) -> Any:
        """Save the bound instance in a transaction (not with ``commit=False``); return it.

        Raises:
            NoInstanceError: No instance is bound.
        """
        instance = self._instance
        if instance is None or instance is _UNLOADED:
            raise NoInstanceError("No instance to save: bind one (get_instance) first.")
        if commit:
            with transaction.atomic():
                instance.save()
        return instance

    def get_form_class(self) -> Any:
        """``form_class``: the ``ModelForm`` ``validate_and_save`` uses (None by default)."""
        return self.form_class

    def validate_and_save(self, data: dict[str, Any]) -> tuple[bool, dict[str, list[str]]]:
        """Validate *data* (with ``form_class``, else the model's ``full_clean``), set it on
        the instance and save it; return ``(saved, errors per field)``."""
        form_class = self.get_form_class()
        instance = self.get_instance()
        if form_class is not None:
            form = form_class(data=data, instance=instance)
            if not form.is_valid():
                return False, {field: list(messages) for field, messages in form.errors.items()}
            self._instance = form.save(commit=False)
        else:
            for field in getattr(self, "state_fields", ()):
                if field in data:
                    setattr(instance, field, data[field])
            try:
                instance.full_clean()
            except ValidationError as exc:
                return False, {
                    field: list(messages) for field, messages in exc.message_dict.items()
                }
        self.save_instance()
        return True, {}

    def populate_state_from_instance(self) -> None:
        """Copy the instance's primary key (once saved) and ``state_fields`` into the state."""
        instance = self._instance
        if instance is None or instance is _UNLOADED:
            return
        if instance.pk is not None:
            self.state[self.pk_key] = instance.pk
        for field in getattr(self, "state_fields", ()):
            self.state[field] = getattr(instance, field, None)

    def update_instance_from_state(self) -> None:
        """Set the instance's ``state_fields`` present in the state."""
        instance = self._instance
        if instance is None or instance is _UNLOADED:
            return
        for field in getattr(self, "state_fields", ()):
            if field in self.state:
                setattr(instance, field, self.state[field])


class DjangoModelComponent(DjangoModelMixin, Component):
    """0.6.0's ``DjangoModelComponent``: a component bound to a model instance (set ``model``,
    ``state_fields`` and ``template_name``)."""
