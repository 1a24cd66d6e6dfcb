"""``cf new component|template|project``: scaffolds, never overwriting without --force."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import FAILURE, USAGE, fail

if TYPE_CHECKING:
    from component_framework.project import Project
    from component_framework.scaffolds import Plan

__all__ = ["app"]

app = typer.Typer(
    help="Generate a component, a template or a project from scaffolds.",
    epilog="\b\nExamples:\n  cf new project mysite\n  cf new component todo-list --kind form\n"
    "  cf new template card --dry-run",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


class Kind(StrEnum):
    """The base class of a new component."""

    basic = "basic"
    form = "form"
    streaming = "streaming"


class Framework(StrEnum):
    starlette = "starlette"
    flask = "flask"
    django = "django"


Force = Annotated[bool, typer.Option("--force", "-f", help="Overwrite files that exist.")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", "-n", help="List the files that would be written; write none.")
]


def _project() -> Project:
    from component_framework.project import ProjectConfigError, find_project

    try:
        project = find_project()
    except ProjectConfigError as exc:
        fail(str(exc), USAGE)
    if project is None:
        fail(
            "no pyproject.toml with a [tool.cf] table here or above, so cf cannot tell where "
            'files go; add [tool.cf] with components = ["myapp.components"] and '
            'templates = ["myapp/templates"], or start one with: cf new project NAME',
            USAGE,
        )
    return project


def _write_plan(plan_factory: Callable[[], Plan], *, force: bool, dry_run: bool) -> None:
    from component_framework.scaffolds import InvalidNameError, ScaffoldError

    try:
        plan = plan_factory()
        if dry_run:
            existing = set(plan.collisions())
            for path in plan.destinations:
                note = ""
                if path in existing:
                    note = " (exists: would be " + (
                        "overwritten)" if force else "refused without --force)"
                    )
                sys.stdout.write(f"would write {plan.shown(path)}{note}\n")
            if existing and not force:
                # The real run would refuse: say so in the exit status too, for scripts.
                fail(f"{len(existing)} file(s) already exist; use --force to overwrite", FAILURE)
            return
        written = plan.write(force=force)
    except InvalidNameError as exc:
        fail(f"invalid name: {exc}", USAGE)
    except ScaffoldError as exc:
        fail(str(exc), FAILURE)
    for path in written:
        sys.stdout.write(f"wrote {plan.shown(path)}\n")


@app.command("component", no_args_is_help=True)
def new_component(
    name: Annotated[
        str, typer.Argument(help="Any spelling: todo-list, TodoList, 'todo list', todo_list.")
    ],
    kind: Annotated[
        Kind, typer.Option("--kind", "-k", help="Component, FormComponent or StreamingComponent.")
    ] = Kind.basic,
    force: Force = False,
    dry_run: DryRun = False,
) -> None:
    """Add a component module, its template and its test where the project keeps them.

    The module goes into the first [tool.cf] components package, the template into the first
    templates folder, the test into tests/. The name is registered in snake_case (todo_list),
    the class in PascalCase (TodoList).

    Examples:

      cf new component todo-list

      cf new component signup --kind form --dry-run

      cf new component report --kind streaming --force
    """
    from component_framework.scaffolds import plan_component

    project = _project()
    _write_plan(
        lambda: plan_component(name, project, kind=kind.value, force=force),
        force=force,
        dry_run=dry_run,
    )


@app.command("template", no_args_is_help=True)
def new_template(
    name: Annotated[str, typer.Argument(help="The template name, e.g. card (-> card.html).")],
    force: Force = False,
    dry_run: DryRun = False,
) -> None:
    """Add a template NAME.html to the project's first templates folder.

    Examples:

      cf new template card

      cf new template user-card --dry-run
    """
    from component_framework.scaffolds import plan_template

    project = _project()
    _write_plan(lambda: plan_template(name, project), force=force, dry_run=dry_run)


@app.command("project", no_args_is_help=True)
def new_project(
    name: Annotated[str, typer.Argument(help="The project folder and package name.")],
    directory: Annotated[
        Path | None,
        typer.Option("--directory", "-d", help="Create the project inside this folder."),
    ] = None,
    framework: Annotated[
        Framework,
        typer.Option(
            "--framework",
            help="starlette, flask (a Flask app), or django (a Django project with one app).",
        ),
    ] = Framework.starlette,
    force: Force = False,
    dry_run: DryRun = False,
) -> None:
    """Start a project: a runnable web app with [tool.cf], a counter on its page, and tests.

    The app (uvicorn NAME.app:app --reload, or flask --app NAME.app run), cf dev, cf registry
    list and the project's tests work in it straight away; its README starts with the install
    and run commands.

    Examples:

      cf new project mysite

      cf new project mysite --framework django

      cf new project mysite --framework flask

      cd mysite && cf registry list && python -m pytest
    """
    from component_framework.project import ProjectConfigError, find_project
    from component_framework.scaffolds import plan_project

    parent = (directory or Path(os.getcwd())).resolve()
    try:
        outer = find_project(parent)
    except ProjectConfigError:
        outer = None
    if outer is not None and outer.pyproject is not None:
        sys.stderr.write(
            f"Warning: nesting the new project inside the cf project of {outer.pyproject} "
            "(inside the new folder cf uses the new [tool.cf]); to keep them apart, run cf new "
            "project elsewhere or pass --directory\n"
        )
    plans: list[Plan] = []

    def plan() -> Plan:
        plans.append(plan_project(name, parent, framework.value))
        return plans[0]

    _write_plan(plan, force=force, dry_run=dry_run)
    if not dry_run:
        root = plans[0].files["pyproject.toml"].parent
        shown = os.path.relpath(root) if root.is_relative_to(Path.cwd()) else str(root)
        # The same two commands the generated README starts with: install, then run.
        install = 'python -m pip install -e ".[test]"'
        if framework == Framework.django:
            run = "python manage.py migrate && python manage.py runserver"
        elif framework == Framework.flask:
            run = f"flask --app {plans[0].data['package']}.app run --debug"
        else:
            run = f"uvicorn {plans[0].data['package']}.app:app --reload"
        sys.stdout.write(
            f"next: cd {shown} && {install} && {run}\n"
            "      (the workbench: cf dev; the tests: python -m pytest)\n"
        )
