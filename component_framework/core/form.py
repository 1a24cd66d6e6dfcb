"""Form components validated by Pydantic, on every transport (sync and async paths)."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, ClassVar

from ._events import CheckedPayload, HandlerSpec, refuse_lone_surrogates
from .component import Component
from .exceptions import ConfigurationError, InvalidPayloadError

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["FormComponent", "ModelFormComponent"]


def _check_submit_payload(payload: Any) -> None:
    if not isinstance(payload, dict) or set(payload) - {"form_data"}:
        raise InvalidPayloadError('Invalid payload for submit: expected {"form_data": {...}}.')
    form_data = payload.get("form_data", {})
    if not isinstance(form_data, dict):
        raise InvalidPayloadError(
            f"Invalid payload for submit: form_data must be an object, "
            f"got {type(form_data).__name__}."
        )


def _refuse_submit_arguments(cls: type) -> None:
    """A form's ``on_submit`` takes no arguments: say so where the class is defined."""
    handler = cls.__dict__.get("on_submit")
    if handler is None or not inspect.isroutine(handler):
        return
    try:
        params = list(inspect.signature(handler).parameters.values())[1:]
    except (TypeError, ValueError):
        return
    required = [
        p.name
        for p in params
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:
        raise ConfigurationError(
            f"{cls.__qualname__}.on_submit(self, {', '.join(required)}) takes arguments, but a "
            "form's on_submit takes none: it runs after the form validated, with the data in "
            "self.validated_data. To act after a ModelFormComponent saves, override "
            "save_instance() and call super().save_instance() first."
        )


class FormComponent(Component):
    """
    Form component with Pydantic validation.

    ``submit`` validates ``payload["form_data"]`` (or the form data held in state)
    against ``schema`` and calls ``on_submit`` only when it is valid; per-field
    messages land in ``field_errors``. ``field_change`` keeps one field in state.
    Both work through ``dispatch`` and ``async_dispatch``, so on every transport,
    and ``on_submit`` may be ``async def``.

    Example:

        class UserFormSchema(BaseModel):
            name: str
            age: int = Field(ge=0, le=120)

        @registry.register("user_form")
        class UserForm(FormComponent):
            schema = UserFormSchema
            template_name = "user_form.html"

            def on_submit(self):
                save_user(self.validated_data)
    """

    schema: ClassVar[type[BaseModel] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_submit_arguments(cls)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.validated_data: dict[str, Any] | None = None
        self.field_errors: dict[str, list[str]] = {}

    # ---------- Validation ----------

    def validate(self, data: dict[str, Any]) -> bool:
        """
        Validate data against schema.

        Returns:
            True if valid, False otherwise (messages in ``field_errors``).
        """
        if not self.schema:
            self.validated_data = data
            return True
        from pydantic import ValidationError

        try:
            validated = self.schema(**data)
        except ValidationError as exc:
            self.validated_data = None
            self.errors["form"] = "Validation failed"
            self.field_errors = {}
            for error in exc.errors(include_url=False):
                field = str(error["loc"][0]) if error["loc"] else "form"
                self.field_errors.setdefault(field, []).append(_message(error))
            return False
        self.validated_data = validated.model_dump()
        self.errors = {}
        self.field_errors = {}
        return True

    def get_field_errors(self, field_name: str) -> list[str]:
        """Get validation errors for a specific field."""
        return self.field_errors.get(field_name, [])

    def has_field_error(self, field_name: str) -> bool:
        """Check if field has validation errors."""
        return field_name in self.field_errors

    # ---------- Form State ----------

    def mount(self) -> None:
        """Initialize form state."""
        super().mount()
        self.state["form_data"] = {}
        self.state["submitted"] = False
        self.state["is_valid"] = False

    def hydrate(self, state: dict[str, Any]) -> None:
        """Restore state; after a failed submit, rebuild the field errors it showed."""
        super().hydrate(state)
        form_data = self.state.get("form_data")
        failed_submit = self.state.get("submitted") and not self.state.get("is_valid")
        if failed_submit and isinstance(form_data, dict):
            self.validate(form_data)
            self.validated_data = None

    def get_field_value(self, field_name: str, default: Any = "") -> Any:
        """Get current value of form field."""
        return self.state.get("form_data", {}).get(field_name, default)

    def set_field_value(self, field_name: str, value: Any) -> None:
        """Set value of form field."""
        if "form_data" not in self.state:
            self.state["form_data"] = {}
        self.state["form_data"][field_name] = value

    # ---------- Event Handlers ----------

    def on_submit(self) -> None:
        """
        Handle form submission.

        Override in subclasses to add custom logic.
        Validation happens automatically before this is called.
        """

    def on_field_change(self, field: str, value: Any) -> None:
        """Handle field value change."""
        if self.schema is not None and field not in self.schema.model_fields:
            raise InvalidPayloadError(
                f"Invalid payload for field_change: unknown field {field!r}; "
                f"fields are {sorted(self.schema.model_fields)}."
            )
        self.set_field_value(field, value)
        self.field_errors.pop(field, None)

    @classmethod
    def _check_payload(cls, spec: HandlerSpec, event: str, payload: Any) -> CheckedPayload:
        # A submit carries {"form_data": {...}}, which the form validates against ``schema``
        # before ``on_submit()`` (which takes no arguments) runs: check only its shape here,
        # once per message (the message path calls this before the form exists).
        if event == "submit":
            _check_submit_payload(payload)
            refuse_lone_surrogates(event, payload)
            return CheckedPayload(payload)
        return super()._check_payload(spec, event, payload)

    def _validate_submission(self, payload: dict[str, Any]) -> bool:
        _, payload = self._checked("submit", payload)
        form_data = payload.get("form_data", self.state.get("form_data", {}))
        self.state["form_data"] = form_data
        self.state["submitted"] = True
        is_valid = self.validate(form_data)
        self.state["is_valid"] = is_valid
        return is_valid

    def handle_event(self, event: str, payload: dict[str, Any]) -> None:
        """Handle events with automatic validation for submit."""
        if event != "submit":
            super().handle_event(event, payload)
        elif self._validate_submission(payload):
            super().handle_event("submit", CheckedPayload())

    async def async_handle_event(self, event: str, payload: dict[str, Any]) -> None:
        """Async twin of ``handle_event``: validation first, then ``on_submit``."""
        if event != "submit":
            await super().async_handle_event(event, payload)
        elif self._validate_submission(payload):
            await super().async_handle_event("submit", CheckedPayload())

    # ---------- Context ----------

    def get_context(self) -> dict[str, Any]:
        """Add form-specific context."""
        context = super().get_context()
        context.update(
            {
                "form_data": self.state.get("form_data", {}),
                "field_errors": self.field_errors,
                "is_valid": self.state.get("is_valid", False),
                "submitted": self.state.get("submitted", False),
            }
        )
        return context


class ModelFormComponent(FormComponent):
    """
    Form component with model instance support.

    Combines FormComponent validation with model persistence: a valid submit sets the
    instance's fields, then calls ``save_instance`` (``DjangoModelMixin`` provides one).
    """

    instance: Any = None
    state_fields: ClassVar[list[str]] = []

    def mount(self) -> None:
        """Initialize form with instance data."""
        super().mount()
        if self.instance:
            self.populate_form_from_instance()

    def populate_form_from_instance(self) -> None:
        """Populate form data from model instance."""
        self.state["form_data"] = {
            name: getattr(self.instance, name, None) for name in self.state_fields
        }

    def save_instance(self) -> bool:
        """Persist ``self.instance`` after a valid submit set its fields; return whether it did.

        Override it to save (``DjangoModelMixin`` does, through the ORM). By default nothing
        is saved: the instance only has its fields set.
        """
        return False

    def on_submit(self) -> None:
        """Save validated data to model instance."""
        if not self.validated_data:
            return
        for field_name, value in self.validated_data.items():
            if hasattr(self.instance, field_name):
                setattr(self.instance, field_name, value)
        self.save_instance()


# Pydantic's wording where it reads like a programmer's message; the rest is kept as is.
_PLAIN = {
    "missing": "This field is required.",
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "bool_parsing": "Choose yes or no.",
}


_BOUNDS = {
    "string_too_short": "Use at least {min_length} {characters}.",
    "string_too_long": "Use at most {max_length} {characters}.",
    "greater_than_equal": "Enter {ge} or more.",
    "greater_than": "Enter more than {gt}.",
    "less_than_equal": "Enter {le} or less.",
    "less_than": "Enter less than {lt}.",
}


def _message(error: Any) -> str:
    """The text a form shows for one Pydantic error (a validator's own words, no prefix)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if kind in ("value_error", "assertion_error") and cause is not None and str(cause):
        return str(cause)
    if kind in _BOUNDS:
        # "Enter 0 or more.", not "0.0": a float field's bound is a float.
        bounds = {
            k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()
        }
        length = bounds.get("min_length", bounds.get("max_length"))
        bounds["characters"] = "character" if length == 1 else "characters"
        try:
            return _BOUNDS[kind].format(**bounds)
        except (KeyError, IndexError):
            pass
    return _PLAIN.get(kind, str(error["msg"]))
