"""``cf check``: import everything, compile every template, report problems."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ._common import FAILURE, AppOption, core_logs_as_lines, load_project

__all__ = ["check"]


def check(
    ctx: typer.Context,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print problems only, no summary.")
    ] = False,
    app: AppOption = None,
    a11y: Annotated[
        bool,
        typer.Option("--a11y", help="Also run axe-core over every story in headless Chromium."),
    ] = False,
    chromium: Annotated[
        str | None, typer.Option("--chromium", help="Chromium for --a11y.", metavar="PATH")
    ] = None,
) -> None:
    """Check the project: imports, templates, handlers, mount state, registry conflicts.

    Imports every component module, compiles every template, checks that handlers are
    methods whose payload can be validated, that each template_name exists, and that
    mount() state survives JSON and renders. Exit status: 0 no problems, 1 problems listed.

    Examples:

      cf check

      cf check --app myapp.components

      cf check --a11y
    """
    from component_framework.checks import run_checks

    with core_logs_as_lines():
        project, errors = load_project(ctx, app, keep_going=True)
        report = run_checks(project, import_errors=errors)
    for note in report.notes:
        sys.stderr.write(f"note: {note}\n")
    for warning in report.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if report.problems:
        for problem in report.problems:
            sys.stdout.write(f"{problem}\n")
        count = len(report.problems)
        sys.stderr.write(
            f"Error: {count} problem{'s' if count != 1 else ''} found ({report.summary()})\n"
        )
        raise typer.Exit(FAILURE)
    if a11y:
        from ._a11y import report_a11y

        report_a11y(project, chromium, quiet=quiet)
    if not quiet:
        sys.stdout.write(f"OK: {report.summary()}, no problems found\n")
