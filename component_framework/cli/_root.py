"""The root callback: ``--version`` and the global ``--app``."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import AppOption

__all__ = ["print_version", "root"]


def print_version() -> None:
    """Print ``cf (cf-components) VERSION``."""
    from component_framework import __version__

    typer.echo(f"cf (cf-components) {__version__}")


def _version(value: bool) -> None:
    if value:
        print_version()
        raise typer.Exit()


def root(
    ctx: typer.Context,
    app: AppOption = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Scaffold, inspect, run and check the components of a project.

    The project is the nearest pyproject.toml with a [tool.cf] table (components = [...],
    templates = [...]); --app MODULE or CF_APP=mod1,mod2 name the modules instead.
    """
    ctx.obj = {"apps": list(app or [])}
