"""``cf dev``: the hot-reloading dev server (gallery, playground, live reload)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import FAILURE, USAGE, AppOption, _apps, fail

__all__ = ["dev"]


def dev(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="TCP port to listen on.")
    ] = 8000,
    reload: Annotated[
        bool,
        typer.Option(
            "--reload/--no-reload",
            help="Reload components and templates in process when their files change.",
        ),
    ] = True,
    app: AppOption = None,
) -> None:
    """Serve the component gallery and playground, reloading as you edit.

    Opens a gallery of every registered component and a live playground per component
    (state inspector, event panel, event log, replay). Saving a template or a component
    re-renders the open pages in place with their current state; errors show in the page.

    Examples:

      cf dev

      cf dev --port 8080 --app myapp.components
    """
    from component_framework.project import ProjectError

    try:
        from component_framework.devserver import PortInUseError, run
    except ImportError as exc:  # pragma: no cover - a broken install
        fail(f"the dev server cannot start: {exc}", FAILURE)
    try:
        run(host=host, port=port, app_modules=_apps(ctx, app) or None, reload=reload)
    except PortInUseError as exc:
        fail(str(exc.strerror or exc), FAILURE)
    except OSError as exc:  # an unknown host name, an address not on this machine, ...
        reason = exc.strerror or str(exc)
        fail(f"cannot listen on {host}:{port}: {reason}; check --host", FAILURE)
    except ProjectError as exc:
        fail(str(exc), USAGE)
    except KeyboardInterrupt:
        pass
