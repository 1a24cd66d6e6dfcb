"""``cf snapshot``: the rendered HTML of every story into tests/snapshots, for review in diffs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._common import FAILURE, AppOption, load_project

__all__ = ["snapshot"]


def snapshot(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if a snapshot is out of date.")
    ] = False,
    app: AppOption = None,
) -> None:
    """Write every story's rendered HTML to tests/snapshots/<component>/<story>.html.

    The first run also writes tests/test_snapshots.py, which renders each story again and
    fails when its output differs from the file: a template change fails that test until
    `cf snapshot` is run again on purpose. Exit status: 0 done, 1 a story failed to render
    (or, with --check, a snapshot is out of date).

    Examples:

      cf snapshot

      cf snapshot --check
    """
    from component_framework.devserver._snapshots import write_snapshots

    project, _ = load_project(ctx, app)
    tests = Path(project.root) / "tests"
    result = write_snapshots(tests, check=check)
    root = Path(project.root)
    for error in result.errors:
        sys.stdout.write(f"{error}\n")
    for path in result.written:
        verb = "out of date" if check else "wrote"
        sys.stdout.write(f"{verb}: {path.relative_to(root).as_posix()}\n")
    if result.test_file is not None:
        sys.stdout.write(f"wrote: {result.test_file.relative_to(root).as_posix()}\n")
    sys.stdout.write(
        f"{len(result.written)} {'out of date' if check else 'written'}, "
        f"{len(result.unchanged)} unchanged, {len(result.errors)} failed\n"
    )
    if result.errors or (check and result.written):
        raise typer.Exit(FAILURE)
