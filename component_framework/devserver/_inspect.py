"""What the gallery and the playground show about a component class.

Kind, events with their payload parameters, mount parameters and typed fields come from the
class itself: handler signatures (the same hints the transport validates payloads with), a
Pydantic ``schema`` for forms, a ``params_schema`` (Pydantic model) when the component declares
one, and otherwise the ``self.params.get("name", default)`` calls in ``mount`` (typed by their
default). Each field gets an ``input`` the page can render: number, checkbox, text, select, json.
"""

from __future__ import annotations

import ast
import enum
import inspect
import re
import textwrap
import types
import typing
from dataclasses import dataclass, field
from typing import Any

import pydantic

from component_framework.core._events import list_events
from component_framework.core.component import Component
from component_framework.core.form import FormComponent
from component_framework.core.registry import component_kind
from component_framework.core.streaming import StreamingComponent

from ._examples import example_for
from ._prose import inline_html

__all__ = ["ComponentInfo", "FieldInfo", "describe_component"]


@dataclass(frozen=True)
class FieldInfo:
    """One typed input: a handler argument, a mount parameter or a form field."""

    name: str
    type: str  # shown to the developer, e.g. "int", "str | None"
    input: str  # "number", "integer", "checkbox", "text", "select", "json", "file"
    required: bool = False
    default: Any = None
    choices: tuple[Any, ...] = ()
    example: Any = None
    """A value the type accepts: the default, or one made for a required field."""
    accept: tuple[str, ...] = ()
    """A file field's accepted types (its upload's ``accept``): the picker offers those."""

    def to_json(self) -> dict[str, Any]:
        extra = {"accept": list(self.accept)} if self.input == "file" else {}
        return {
            "name": self.name,
            "type": self.type,
            "input": self.input,
            "required": self.required,
            "default": _jsonable(self.default),
            "choices": [_jsonable(c) for c in self.choices],
            "example": _jsonable(self.example),
            **extra,
        }


@dataclass(frozen=True)
class ComponentInfo:
    """What the dev pages know about one registered component."""

    name: str
    cls: type[Component]
    kind: str
    events: dict[str, list[FieldInfo]]
    params: list[FieldInfo]
    form_fields: list[FieldInfo] = field(default_factory=list)

    @property
    def qualname(self) -> str:
        return f"{self.cls.__module__}.{self.cls.__qualname__}"

    @property
    def template(self) -> str:
        return self.cls.template_name or ""

    @property
    def doc(self) -> str:
        """The first line of the class docstring, or ""."""
        text = inspect.getdoc(self.cls) or ""
        if self.cls.__doc__ is None or text == (inspect.getdoc(Component) or ""):
            return ""
        return text.strip().splitlines()[0] if text.strip() else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class": self.qualname,
            "kind": self.kind,
            "template": self.template,
            "doc": self.doc,
            "doc_html": inline_html(self.doc),
            "events": {e: [f.to_json() for f in fs] for e, fs in self.events.items()},
            "params": [f.to_json() for f in self.params],
            "form_fields": [f.to_json() for f in self.form_fields],
        }


def describe_component(name: str, cls: type[Component]) -> ComponentInfo:
    """Describe *cls* (registered as *name*) for the gallery and the playground."""
    events = {event: _handler_fields(cls, event) for event in list_events(cls)}
    if issubclass(cls, FormComponent) and "submit" in events:
        # The transport takes {"form_data": {...}} for submit, whatever on_submit's signature.
        events["submit"] = [FieldInfo("form_data", "dict[str, Any]", "json", False, {})]
    form_fields: list[FieldInfo] = []
    if issubclass(cls, FormComponent) and _is_model(cls.schema):
        form_fields = _model_fields(cls.schema)
    params_schema = cls.params_schema
    params = _model_fields(params_schema) if _is_model(params_schema) else _mount_params(cls)
    return ComponentInfo(name, cls, component_kind(cls), events, params, form_fields)


def _is_model(value: object) -> typing.TypeGuard[type[pydantic.BaseModel]]:
    return isinstance(value, type) and issubclass(value, pydantic.BaseModel)


def _handler_fields(cls: type[Component], event: str) -> list[FieldInfo]:
    func = inspect.getattr_static(cls, f"on_{event}", None)
    if isinstance(func, staticmethod | classmethod):
        func = func.__func__
    if func is None or not callable(func):
        return []
    try:
        signature = inspect.signature(func)
        hints = typing.get_type_hints(func, include_extras=True)  # keep Field(ge=1) bounds
    except Exception:  # unresolvable hints: show the names without types
        signature, hints = inspect.signature(func), {}
    fields = []
    for index, (pname, param) in enumerate(signature.parameters.items()):
        if index == 0 and pname in ("self", "cls"):
            continue
        if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL, param.POSITIONAL_ONLY):
            continue
        annotation = hints.get(pname, Any)
        if pname in cls.uploads:
            # The upload's files: picked in the playground, sent through the upload endpoint.
            required = param.default is param.empty
            accept = tuple(cls.uploads[pname].accept)
            fields.append(FieldInfo(pname, _type_name(annotation), "file", required, accept=accept))
            continue
        default = None if param.default is param.empty else param.default
        fields.append(_field(pname, annotation, param.default is param.empty, default))
    return fields


def _model_fields(model: type[pydantic.BaseModel]) -> list[FieldInfo]:
    fields = []
    for fname, info in model.model_fields.items():
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        fields.append(_field(fname, info.annotation, info.is_required(), default))
    return fields


def _field(name: str, annotation: Any, required: bool, default: Any) -> FieldInfo:
    shown = _type_name(annotation)
    base = _strip_optional(annotation)
    origin = typing.get_origin(base)
    example = example_for(annotation) if required else _jsonable(default)
    if origin is typing.Literal:
        choices = typing.get_args(base)
        return FieldInfo(name, shown, "select", required, default, choices, example)
    if isinstance(base, type) and issubclass(base, enum.Enum):
        values = tuple(member.value for member in base)
        return FieldInfo(name, shown, "select", required, _jsonable(default), values, example)
    if base is bool:
        kind = "checkbox"
    elif base is int:
        kind = "integer"
    elif base is float:
        kind = "number"
    elif base is str:
        kind = "text"
    else:
        kind = "json"
    return FieldInfo(name, shown, kind, required, default, example=example)


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


_MODULE_PATH = re.compile(r"(?<![\w.'\"])(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])")


def _type_name(annotation: Any) -> str:
    if typing.get_origin(annotation) is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if annotation is Any or annotation is inspect.Parameter.empty:
        return "Any"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    # list[component_framework.core.upload_store.UploadedFile] reads as list[UploadedFile].
    return _MODULE_PATH.sub("", str(annotation))


def _mount_params(cls: type[Component]) -> list[FieldInfo]:
    """Find ``self.params.get("x", default)`` and ``self.params["x"]`` in ``mount``."""
    found: dict[str, FieldInfo] = {}
    for klass in cls.__mro__:
        if klass in (Component, FormComponent, StreamingComponent, object):
            break
        mount = vars(klass).get("mount")
        if mount is None:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(mount)))
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            name, default, has_default = _param_access(node)
            if name is None or name in found or name == "component_id":
                continue
            value_type: Any = type(default) if has_default and default is not None else Any
            found[name] = _field(name, value_type, not has_default, default)
    return list(found.values())


def _param_access(node: ast.AST) -> tuple[str | None, Any, bool]:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and _is_self_params(node.func.value)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        if len(node.args) > 1:
            try:
                return node.args[0].value, ast.literal_eval(node.args[1]), True
            except ValueError:
                return node.args[0].value, None, True
        return node.args[0].value, None, True
    if (
        isinstance(node, ast.Subscript)
        and _is_self_params(node.value)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value, None, False
    return None, None, False


def _is_self_params(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "params"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)
