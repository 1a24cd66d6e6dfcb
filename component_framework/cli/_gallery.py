"""``cf gallery build DIR``: every story as a static site, to send to reviewers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from component_framework._words import count

from ._common import FAILURE, AppOption, fail, load_project

__all__ = ["app"]

app = typer.Typer(
    help="The story gallery as a static site.",
    epilog="\b\nExamples:\n  cf gallery build site/",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


@app.command("build", no_args_is_help=True)
def build(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Folder to write the site into.", metavar="DIR")],
    app_modules: AppOption = None,
) -> None:
    """Write every story of every component, the app's CSS and the docs into DIR.

    The site opens from disk or any static host: index.html is the gallery (searchable), each
    component has a page with its docs and stories, each story a page of its own. Exit status:
    0 written, 1 some story failed to render (the rest is written, the failures listed).

    Examples:

      cf gallery build site/
    """
    from component_framework.devserver._site import build_site

    if out.exists() and not out.is_dir():
        fail(f"{out} is a file; give a folder for the site.", FAILURE)
    project, _ = load_project(ctx, app_modules)
    result = build_site(project, out)
    for error in result.errors:
        sys.stdout.write(f"{error}\n")
    where = (result.out / "index.html").as_posix()
    stories, pages = count(result.stories, "story", "stories"), count(result.pages, "page")
    sys.stdout.write(f"Wrote {stories} in {pages}; open {where}\n")
    if result.errors:
        raise typer.Exit(FAILURE)
