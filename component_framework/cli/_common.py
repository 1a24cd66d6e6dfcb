"""What every command shares: the --app option, project loading, one-line errors, exit codes.

Exit codes (click's convention): 0 ok, 1 a failure (a handler, a check, the user's code failed
to import), 2 a usage error (unknown component or event, bad JSON, no project found).
Only typer and the standard library are imported at module level, so ``cf --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from component_framework.project import Project, ProjectImportError

__all__ = [
    "FAILURE",
    "USAGE",
    "AppOption",
    "complete_component",
    "complete_event",
    "console",
    "core_logs_as_lines",
    "fail",
    "load_project",
    "registered_name",
    "user_location",
]

FAILURE = 1
USAGE = 2

AppOption = Annotated[
    list[str] | None,
    typer.Option(
        "--app",
        "-a",
        metavar="MODULE",
        help="Import this module or package instead of [tool.cf] components (repeatable; "
        "env CF_APP=mod1,mod2).",
        show_default=False,
    ),
]


def fail(message: str, code: int = FAILURE) -> NoReturn:
    """Print ``Error: message`` as one line on stderr and exit with *code*."""
    line = " ".join(str(message).split())
    sys.stderr.write(f"Error: {line}\n")
    raise typer.Exit(code)


def registered_name(name: str) -> str:
    """The registered spelling of *name*: as given, else as ``cf new component`` would name it.

    ``cf new component todo-list`` registers ``todo_list``; every command accepts the
    spellings it accepts (``todo-list``, ``TodoList``, ``'todo list'``).
    """
    from component_framework.core.registry import registry

    if registry.get(name) is not None:
        return name
    from component_framework.scaffolds import InvalidNameError, normalize_name

    try:
        names = normalize_name(name)
    except InvalidNameError:
        return name
    for candidate in (names.module, names.kebab):
        if registry.get(candidate) is not None:
            return candidate
    return name


def console() -> Console:
    """A rich console on the current stdout (created per call: tests swap stdout)."""
    from rich.console import Console

    out = Console(highlight=False, soft_wrap=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = 120  # piped or captured: no terminal to fit, so do not squeeze tables
    return out


def _apps(ctx: typer.Context | None, apps: list[str] | None) -> list[str]:
    found: list[str] = []
    if ctx is not None:
        root = ctx.find_root()
        if isinstance(root.obj, dict):
            found.extend(root.obj.get("apps", []))
    found.extend(apps or [])
    return found


def load_project(
    ctx: typer.Context | None, apps: list[str] | None, *, keep_going: bool = False
) -> tuple[Project, list[ProjectImportError]]:
    """Discover the project, install its renderer and import its components.

    Exits 2 when no project is found or its configuration is wrong, and 1 with the user's
    file and line when their code fails to import (unless *keep_going*: then the import
    errors are returned for ``cf check`` to report).
    """
    from component_framework.project import (
        ProjectConfigError,
        ProjectImportError,
        ProjectNotFoundError,
    )
    from component_framework.project import load_project as find

    try:
        project = find(apps=_apps(ctx, apps))
    except (ProjectNotFoundError, ProjectConfigError) as exc:
        fail(str(exc), USAGE)
    try:
        errors = project.setup(keep_going=keep_going)
    except ProjectImportError as exc:
        fail(str(exc), FAILURE)
    return project, errors


def complete_component(incomplete: str) -> list[str]:
    """Shell completion for a component name: the project's registered names."""
    from component_framework.core.registry import registry
    from component_framework.project import load_project as find

    try:
        with core_logs_as_lines():
            find().setup()
    except Exception:  # completion must never print a traceback (nor break the shell)
        return []
    return sorted(name for name in registry if name.startswith(incomplete))


def complete_event(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion for an event: the events of the component named before it."""
    from component_framework.core._events import list_events
    from component_framework.core.registry import registry
    from component_framework.project import load_project as find

    name = ctx.params.get("name")
    try:
        with core_logs_as_lines():
            find().setup()
        events = list_events(registry.resolve(name)) if isinstance(name, str) else []
    except Exception:  # completion must never print a traceback (nor break the shell)
        return []
    return [event for event in events if event.startswith(incomplete)]


def user_location(exc: BaseException, root: str | None = None) -> str | None:
    """Return ``file:line`` of the frame in the user's code (under *root*) where *exc* arose."""
    from component_framework.project import user_frame

    frame = user_frame(exc, [root] if root else [], fallback=root is None)
    if frame is None:
        return None
    shown = os.path.relpath(frame[0], root) if root else frame[0]
    return f"{shown}:{frame[1]}"


@contextlib.contextmanager
def core_logs_as_lines() -> Iterator[None]:
    """While running user code, show warnings as one line each, and no logged tracebacks."""
    import warnings

    logger = logging.getLogger("component_framework")
    from component_framework._logs import WarningLines

    handler = WarningLines()
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
        for warning in caught:
            sys.stderr.write(f"warning: {' '.join(str(warning.message).split())}\n")
