"""``cf check --a11y``: axe-core over every story, in headless Chromium; exit 1 on a violation."""

from __future__ import annotations

import sys

import typer

from component_framework._words import count
from component_framework.project import Project

from ._common import FAILURE

__all__ = ["report_a11y"]


def report_a11y(project: Project, chromium: str | None, *, quiet: bool = False) -> None:
    """Check every story and print each violation; exit 1 if there is one, or a story failed.

    Raises:
        typer.Exit: A violation was found, or the checks could not run.
    """
    from component_framework.devserver._a11y import A11yError, check_stories

    try:
        reports = check_stories(project, chromium)
    except A11yError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise typer.Exit(FAILURE) from None
    broken = 0
    for report in reports:
        if report.error:
            broken += 1
            sys.stdout.write(f"{report.story}: could not render: {report.error}\n")
        for violation in report.violations:
            broken += 1
            targets = ", ".join(violation.targets)
            sys.stdout.write(
                f"{report.story}: {violation.rule} ({violation.impact}): {violation.help} "
                f"at {targets} [{violation.url}]\n"
            )
    if broken:
        sys.stderr.write(
            f"Error: {count(broken, 'accessibility problem')} "
            f"in {count(len(reports), 'story', 'stories')}\n"
        )
        raise typer.Exit(FAILURE)
    if not quiet:
        checked = count(len(reports), "story", "stories")
        sys.stdout.write(f"OK: {checked} pass axe-core (WCAG 2.1 A and AA)\n")
