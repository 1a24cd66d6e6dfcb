"""``cf registry list`` and ``cf registry show``: what the project registers, and where."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from component_framework._words import count

from ._common import (
    USAGE,
    AppOption,
    complete_component,
    console,
    fail,
    load_project,
    registered_name,
)

__all__ = ["app"]

app = typer.Typer(
    help="Inspect the component registry.",
    epilog="\b\nExamples:\n  cf registry list\n  cf registry list --json\n"
    "  cf registry show counter",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _signature(cls: type, event: str) -> str:
    import inspect

    from component_framework.core.form import FormComponent

    if event == "submit" and issubclass(cls, FormComponent):
        return _form_submit(cls)
    handler = getattr(cls, f"on_{event}")
    try:
        signature = inspect.signature(handler, eval_str=True)
    except Exception:  # unresolvable annotations: show them as written
        try:
            signature = inspect.signature(handler)
        except (TypeError, ValueError):
            return f"{event}(...)"
    params = [_bounds_shown(p) for p in list(signature.parameters.values())[1:]]
    return f"{event}({', '.join(str(p) for p in params)})"


def _form_submit(cls: type[Any]) -> str:
    """A form's submit as sent: ``form_data`` holding the schema's fields (on_submit takes none)."""
    schema = cls.schema
    if schema is None:
        return "submit(form_data: dict)"
    fields = ", ".join(
        f"{name}: {getattr(field.annotation, '__name__', None) or field.annotation}"
        + ("" if field.is_required() else " = ...")
        for name, field in schema.model_fields.items()
    )
    return f"submit(form_data: {{{fields}}})"


def _bounds_shown(param: Any) -> Any:
    """``amount: Annotated[int, Field(ge=1, le=100)]`` shown as ``amount: int (ge=1, le=100)``."""
    import typing

    if typing.get_origin(param.annotation) is not typing.Annotated:
        return param
    return param.replace(annotation=_Shown(_type_shown(param.annotation)))


def _type_shown(hint: Any) -> str:
    """A type as ``cf registry show`` prints it: ``str``, ``int (ge=1, le=100)``."""
    import typing

    if typing.get_origin(hint) is not typing.Annotated:
        return hint.__name__ if isinstance(hint, type) else repr(hint).replace("typing.", "")
    base, *extras = typing.get_args(hint)
    # Pydantic's Field(ge=1) holds annotated_types' Ge(ge=1): show what is in the parentheses.
    bounds = [
        repr(m)[len(type(m).__name__) + 1 : -1]
        for extra in extras
        for m in getattr(extra, "metadata", [extra])
        if type(m).__module__.startswith("annotated_types")
    ]
    shown = getattr(base, "__name__", repr(base))
    return f"{shown} ({', '.join(bounds)})" if bounds else shown


class _Shown(str):
    def __repr__(self) -> str:
        return str(self)


def _linked(location: str | None, setting: str) -> Any:
    """*location* (``file:line``) as a terminal hyperlink that opens it in the user's editor."""
    from rich.style import Style
    from rich.text import Text

    from component_framework._editor import file_link

    file, _, line = (location or "").rpartition(":")
    if not file or not line.isdigit():
        return location or "-"
    # A span, not the cell's style: the padding around the text is no part of the link.
    return Text.assemble((location or "", Style(link=file_link(setting, file, int(line)))))


def _url_state(cls: type[Any]) -> dict[str, dict[str, Any]]:
    """The state keys *cls* keeps in the URL: each one's query name, type, default (when it
    has one) and history mode."""
    from pydantic_core import to_jsonable_python

    from component_framework.core.url_state import url_spec

    spec = url_spec(cls)
    shown: dict[str, dict[str, Any]] = {}
    for key in spec.keys if spec is not None else []:
        param = key.param
        shown[key.key] = {"name": key.name, "type": _type_shown(param.type)}
        if param.has_default:
            shown[key.key]["default"] = to_jsonable_python(param.default)
        shown[key.key]["history"] = param.history
    return shown


def _url_key_shown(key: str, info: dict[str, Any]) -> str:
    """``search: ?q= str, default '' (replace)``."""
    default = f", default {info['default']!r}" if "default" in info else ""
    return f"{key}: ?{info['name']}= {info['type']}{default} ({info['history']})"


def _joined(values: list[str]) -> str:
    return ", ".join(values) if values else "-"


def list_components(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list of objects instead of a table.")
    ] = False,
    app: AppOption = None,
) -> None:
    """List every registered component.

    Columns: name, class (with its module), kind (basic, form or streaming), template,
    events, permissions and slots. --json prints a list of objects with exactly those keys.

    Examples:

      cf registry list

      cf registry list --json | jq '.[].name'
    """
    from component_framework.core.registry import registry

    load_project(ctx, app)
    rows = [registry.describe(name) for name, _ in sorted(registry.items())]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"{count(len(rows), 'registered component')}",
        box=box.SIMPLE_HEAD,
    )
    for column in ("name", "class", "kind", "template", "events", "permissions", "slots"):
        # Short cells keep their line; the class and its module fold when the terminal is narrow.
        wraps = column in ("class", "template")
        table.add_column(column, no_wrap=not wraps, overflow="fold", min_width=len(column))
    for row in rows:
        module, _, cls_name = row["class"].rpartition(".")
        table.add_row(
            row["name"],
            f"{cls_name}\n[dim]{module}[/dim]",
            row["kind"],
            row["template"] or "-",
            "\n".join(row["events"]) or "-",
            "\n".join(row["permissions"]) or "-",
            "\n".join(row["slots"]) or "-",
        )
    console().print(table)


def show(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="The registered name, e.g. counter.", autocompletion=complete_component
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    app: AppOption = None,
) -> None:
    """Show one component: class, kind, template, events with their payloads, the browser
    events it dispatches, the events it emits, its bindable state keys, the state keys it
    keeps in the URL (query name, type, default, history), source.

    The source file:line is a terminal hyperlink that opens the editor `cf dev` links to
    ([tool.cf] editor, else CF_EDITOR, else vscode).

    Examples:

      cf registry show counter

      cf registry show counter --json

      cf registry show todo-list   (any spelling cf new component takes)
    """
    from pathlib import Path

    from component_framework._editor import configured
    from component_framework.core.exceptions import ConfigurationError
    from component_framework.core.registry import registry
    from component_framework.project import class_location

    project, _ = load_project(ctx, app)
    name = registered_name(name)
    cls = registry.get(name)
    if cls is None:
        fail(registry.not_found_message(name), USAGE)
    info = registry.describe(name)
    info["browser_events"] = list(cls.browser_events)
    info["emits"] = list(cls.emits)
    info["bindable"] = {key: _type_shown(hint) for key, hint in cls.bindable.items()}
    try:
        info["url_state"] = _url_state(cls)
    except ConfigurationError as exc:
        fail(str(exc))
    info["source"] = class_location(cls, Path.cwd())
    if as_json:
        sys.stdout.write(json.dumps(info, indent=2) + "\n")
        return
    from rich.table import Table

    table = Table(show_header=False, box=None, title=name, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("class", info["class"])
    table.add_row("kind", info["kind"])
    table.add_row("template", info["template"] or "-")
    table.add_row("events", "\n".join(_signature(cls, e) for e in info["events"]) or "-")
    table.add_row("browser events", _joined(info["browser_events"]))
    table.add_row("emits", _joined(info["emits"]))
    bindable = [f"{key}: {hint}" for key, hint in info["bindable"].items()]
    table.add_row("bindable", "\n".join(bindable) or "-")
    table.add_row(
        "url state", "\n".join(_url_key_shown(k, v) for k, v in info["url_state"].items()) or "-"
    )
    table.add_row("permissions", _joined(info["permissions"]))
    table.add_row("slots", _joined(info["slots"]))
    table.add_row("source", _linked(info["source"], configured(project.editor)))
    console().print(table)


app.command("list")(list_components)
app.command("show", no_args_is_help=True)(show)
