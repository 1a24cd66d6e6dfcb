"""``cf dispatch``: run a component offline through the same message path as the web transport.

The input state is signed with a key private to this process (``signed_message``), so the run
goes through ``core.protocol`` exactly as a browser's request would: name, event and payload
checks, hydrate or mount, the handler, render, dehydrate. A component with server-held state
runs against an in-memory store private to the run (never the store its class names): the
given state is written to it, and the state shown is read back from it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import (
    USAGE,
    AppOption,
    complete_component,
    complete_event,
    core_logs_as_lines,
    fail,
    load_project,
    registered_name,
    user_location,
)

if TYPE_CHECKING:
    from component_framework.project import Project

__all__ = ["dispatch"]

DEFAULT_ID = "component-cli"
_RESULT_KEYS = ("html", "state", "component_id", "slots")
_SIGNED = ("flash", "token")  # effect fields shown as "(signed)": their text says nothing


def _read(value: str, option: str) -> tuple[str, str]:
    """Return ``(text, where)`` for an option given as JSON, ``@file`` or ``-`` (stdin)."""
    if value == "-":
        if option != "--state":
            fail(f"{option} does not read standard input; give JSON or @file", USAGE)
        text = sys.stdin.read()
        if not text.strip():
            fail(f"{option} -: nothing on standard input", USAGE)
        return text, "standard input"
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            fail(f"{option}: cannot read {str(path)!r}: {exc.strerror or exc}", USAGE)
    return value, "the argument"


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; use null")


def _parse(text: str, option: str, where: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):
            fail(f"{option} ({where}): {exc}", USAGE)
        lines = [line for line in text.splitlines() if line.strip()]
        if exc.msg == "Extra data" and len(lines) > 1:
            # JSON lines (``cf dispatch --stream --json``): the last frame is the state to use.
            try:
                return json.loads(lines[-1], parse_constant=_no_constants)
            except ValueError:
                pass
        fail(
            f"{option} is not valid JSON ({where}): {exc.msg} at line {exc.lineno} "
            f"column {exc.colno}",
            USAGE,
        )


def read_state(value: str) -> tuple[dict[str, Any], str | None]:
    """Parse ``--state``: a state object, or a whole dispatch result (its ``state`` is used).

    Returns the state and the component id the result carried, if any.
    """
    text, where = _read(value, "--state")
    data = _parse(text, "--state", where)
    component_id = None
    if isinstance(data, dict) and "state" in data and ("html" in data or "component_id" in data):
        component_id = data.get("component_id")
        data = data["state"]
        if isinstance(data, str):  # a wire reply carries the state as JSON text
            data = _parse(data, "--state", f"{where}, its 'state' field")
    if not isinstance(data, dict):
        fail(f"--state must be a JSON object, got {type(data).__name__} ({where})", USAGE)
    return data, component_id if isinstance(component_id, str) else None


def read_payload(value: str) -> dict[str, Any]:
    """Parse ``--payload`` (JSON or ``@file``) into an object."""
    text, where = _read(value, "--payload")
    data = _parse(text, "--payload", where)
    if not isinstance(data, dict):
        fail(f"--payload must be a JSON object, got {type(data).__name__} ({where})", USAGE)
    return data


def _check_target(name: str, event: str | None) -> None:
    import difflib

    from component_framework.core._events import handler_spec, list_events
    from component_framework.core.exceptions import ComponentNotFoundError, EventNotFoundError
    from component_framework.core.registry import registry

    try:
        cls = registry.resolve(name)
    except ComponentNotFoundError as exc:
        fail(str(exc), USAGE)
    if event is None:
        return
    try:
        handler_spec(cls, event)
    except EventNotFoundError:
        events = list_events(cls)
        close = difflib.get_close_matches(event, events, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        available = ", ".join(events) if events else "none (define on_<event> methods)"
        fail(f"Component {name!r} has no event {event!r}.{hint} Events: {available}.", USAGE)


def _result(reply: dict[str, Any]) -> dict[str, Any]:
    result = {key: reply[key] for key in _RESULT_KEYS}
    result["state"] = json.loads(reply["state"])
    for key in ("effects", "stream_done", "optimistic"):
        if key in reply:
            result[key] = reply[key]
    return result


def _report(
    exc: Exception, project: Project, name: str, event: str | None, user: str | None = None
) -> None:
    from component_framework.core.exceptions import (
        ComponentError,
        EventNotFoundError,
        HandlerError,
        InvalidEffectError,
        InvalidPayloadError,
        MessageError,
        NotAuthenticatedError,
        PermissionDeniedError,
        StateTooLargeError,
        UnsafeUrlError,
    )

    root = str(project.root)
    # What the input (payload, state, URL) caused; an effect's refusal of it (a redirect
    # target, a flash text built from a field) included.
    usage = InvalidPayloadError | MessageError | StateTooLargeError
    if isinstance(exc, usage | UnsafeUrlError | InvalidEffectError):
        fail(str(exc), USAGE)
    if isinstance(exc, EventNotFoundError):
        _check_target(name, event)
        fail(str(exc), USAGE)
    cause = exc.__cause__ if isinstance(exc, HandlerError) and exc.__cause__ else exc
    where = user_location(exc, root)
    at = f" (at {where})" if where else ""
    if isinstance(exc, HandlerError):
        fail(f"on_{event} of {name!r} failed: {type(cause).__name__}: {cause}{at}")
    if isinstance(exc, NotAuthenticatedError | PermissionDeniedError):
        lacks = f", which needs {', '.join(exc.missing)}" if exc.missing else ""
        who = f"user {user!r}" if user else "no user (run as one with --user NAME)"
        fail(f"{name!r}: {exc} {exc.refused_by} refused {who}{lacks}")
    if isinstance(exc, ComponentError):
        fail(f"{name!r}: {exc}{at}")
    import jinja2

    if isinstance(exc, jinja2.TemplateNotFound):
        folders = ", ".join(os.path.relpath(p, root) for p in project.templates) or "none"
        fail(
            f"{name!r}: template {str(exc)!r} not found (template folders: {folders}); run cf check"
        )
    fail(f"{name!r} failed: {type(exc).__name__}: {exc}{at}")


def dispatch(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The registered component name, e.g. counter.",
            autocompletion=complete_component,
        ),
    ],
    event: Annotated[
        str | None,
        typer.Argument(
            metavar="[EVENT]",
            help="The event to fire (runs on_<event>); omit to mount and render.",
            autocompletion=complete_event,
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            "-s",
            metavar="JSON|@FILE|-",
            help="State to hydrate from: JSON, @file, or - for stdin. A whole --json result "
            "is accepted too (its state is used). Without it the component is mounted.",
            show_default=False,
        ),
    ] = None,
    payload: Annotated[
        str | None,
        typer.Option(
            "--payload",
            "-p",
            metavar="JSON|@FILE",
            help="The event's payload, a JSON object or @file.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the dispatch result {html, state, component_id, slots} as JSON "
            "(one line per frame with --stream).",
        ),
    ] = False,
    stream: Annotated[
        bool, typer.Option("--stream", help="Print each frame as the handler yields it.")
    ] = False,
    component_id: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help=f"Component id (default: {DEFAULT_ID})."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="The page's URL (/products?page=2): the component's URL state is read from "
            "its query string, as on a first render, or with --state as back and forward do.",
            show_default=False,
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            metavar="NAME",
            help="Run as this user (a Django username, or [tool.cf] users), for components "
            "with permissions. Development only.",
            show_default=False,
        ),
    ] = None,
    files: Annotated[
        list[str] | None,
        typer.Option(
            "--file",
            "-f",
            metavar="NAME=PATH",
            help="Send a file to the component's upload NAME first, as a page does; the "
            "event's handler receives it. Repeatable.",
            show_default=False,
        ),
    ] = None,
    app: AppOption = None,
) -> None:
    """Run a component offline: mount or hydrate, fire an event, render; show state and HTML.

    Exit status: 0 ok, 1 the handler (or mount/render) failed, 2 usage error (unknown
    component or event, bad JSON or payload).

    Examples:

      cf dispatch counter

      cf dispatch counter increment --payload '{"amount": 2}' --state '{"count": 1}'

      cf dispatch counter increment --json | cf dispatch counter increment --state -

      cf dispatch countdown run --stream

      cf dispatch product_list --url '/products?q=oak&page=2'

      cf dispatch article_form --user editor

      cf dispatch profile save --file avatar=me.png
    """
    if payload is not None and event is None:
        fail(
            f"--payload is the payload of an event, and none was given; name one: "
            f"cf dispatch {name} EVENT --payload ...",
            USAGE,
        )
    initial: dict[str, Any] | None = None
    piped_id = None
    if state is not None:
        initial, piped_id = read_state(state)
    if url is not None and event is not None:
        fail(
            "--url renders the component from the URL, with no event; drop the event, or "
            "drop --url (the state holds what the URL gave)",
            USAGE,
        )
    data = read_payload(payload) if payload is not None else {}
    from ._dispatch_files import read_files

    paths = read_files(files or [])
    with core_logs_as_lines():
        _dispatch_and_show(
            ctx,
            app,
            name,
            event,
            data,
            initial,
            component_id or piped_id or DEFAULT_ID,
            as_json=as_json,
            stream=stream,
            url=url,
            user=user,
            files=paths,
        )


def _dispatch_and_show(
    ctx: typer.Context,
    app: list[str] | None,
    name: str,
    event: str | None,
    data: dict[str, Any],
    initial: dict[str, Any] | None,
    cid: str,
    *,
    as_json: bool,
    stream: bool,
    url: str | None = None,
    user: str | None = None,
    files: dict[str, list[Path]] | None = None,
) -> None:
    project, _ = load_project(ctx, app)
    name = registered_name(name)
    _check_target(name, event)
    from component_framework._dev_users import UserNotFoundError, request_as

    try:
        request = request_as(project, user)
    except UserNotFoundError as exc:
        fail(f"--user: {exc}", USAGE)

    import secrets

    from component_framework.core import _held_state
    from component_framework.core.config import AppConfig
    from component_framework.core.protocol import (
        dispatch_message_sync,
        signed_message,
        stream_frames,
    )
    from component_framework.core.registry import registry
    from component_framework.core.signing import Signer
    from component_framework.core.state import InMemoryStateStore

    config = AppConfig(registry=registry, signer=Signer([secrets.token_urlsafe(32)]))
    sent: dict[str, list[str]] = {}
    if files:
        from ._dispatch_files import send_files

        sent = send_files(config, request, name, cid, event, files)
        data = {**data, **sent}
    held = None
    if _held_state.store_for(registry.resolve(name), config) is not None:
        held = InMemoryStateStore(ttl=None)
    with _held_state.use_store(held):
        message = signed_message(name, event, data, initial, component_id=cid, config=config)
    if url is not None:
        message["url"] = url.partition("?")[2].partition("#")[0]
    printer = None if as_json else _Printer(name, event, data, initial)

    def show(reply: dict[str, Any]) -> None:
        result = _result(reply)
        if held is not None:  # the page holds a reference; show the state it refers to
            result["state"] = held.load(_held_state.key_of(reply.get("state")) or "") or {}
        if printer is None:
            sys.stdout.write(json.dumps(result, indent=None if stream else 2) + "\n")
            sys.stdout.flush()
        else:
            printer.show(result, framed=stream)

    async def run_stream() -> None:
        async for reply in stream_frames(message, request, config=config):
            show(reply)

    try:
        with _held_state.use_store(held):
            if held is not None and initial is None and event is not None:
                # An event of a server-held component needs the reference of a render: mount
                # it first, as a page's first render does.
                mount = signed_message(name, component_id=cid, config=config)
                mounted = dispatch_message_sync(mount, config=config)
                message["state"], message["checksum"] = mounted["state"], mounted["checksum"]
            if stream:
                import asyncio

                asyncio.run(run_stream())
            else:
                show(dispatch_message_sync(message, request, config=config))
    except Exception as exc:
        _report(exc, project, name, event, user)
    finally:
        if sent:
            from ._dispatch_files import discard_files

            discard_files(config, name, sent)


class _Printer:
    """Styled output: a header, the state with a diff against the previous one, the HTML."""

    def __init__(
        self, name: str, event: str | None, payload: dict[str, Any], state: dict[str, Any] | None
    ) -> None:
        from component_framework.cli._output import Styler

        self.style = Styler(sys.stdout)
        self.name, self.event, self.payload = name, event, payload
        self.previous = state
        self.frames = 0

    def show(self, result: dict[str, Any], *, framed: bool) -> None:
        from component_framework.cli._output import highlight_html, state_diff

        style = self.style
        self.frames += 1
        head = [style(self.name, "bold", "cyan"), style(result["component_id"], "dim")]
        if self.event:
            head.append(style(self.event, "bold"))
            if self.payload:
                head.append(json.dumps(self.payload))
        else:
            head.append(style("mount" if self.previous is None else "render", "bold"))
        if framed:
            done = " (done)" if result.get("stream_done") else ""
            head.append(style(f"frame {self.frames}{done}", "magenta"))
        sys.stdout.write(
            "  ".join(head)
            + "\n"
            + style("state", "bold", "underline")
            + "\n"
            + state_diff(self.previous, result["state"], style)
            + "\n"
            + style("html", "bold", "underline")
            + "\n"
            + highlight_html(result["html"], style)
            + "\n"
            + _effects(result.get("effects", ()), style)
        )
        sys.stdout.flush()
        self.previous = result["state"]


def _effects(effects: Any, style: Any) -> str:
    """The effects of a reply, one a line: its type, then its fields (a signed value: shown
    as such, not as its text)."""
    if not effects:
        return ""
    lines = [style("effects", "bold", "underline")]
    for effect in effects:
        fields = [
            f"{key}=" + ("(signed)" if key in _SIGNED else json.dumps(value, ensure_ascii=False))
            for key, value in effect.items()
            if key != "type" and value is not None
        ]
        lines.append("  " + "  ".join([style(str(effect.get("type")), "bold", "yellow"), *fields]))
    return "\n".join(lines) + "\n"
