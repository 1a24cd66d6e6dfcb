"""The ``cf`` command line: a thin typer app over core, project discovery and scaffolds.

Each command lives in its own module and is added to ``app`` here, so another module can
add more (``app.command()(...)`` or ``app.add_typer(...)``). Module level imports stay at typer
and the standard library: ``cf --help`` and ``cf --version`` load nothing heavy.
"""

from __future__ import annotations

import sys

import typer

from . import _check, _dev, _dispatch, _gallery, _new, _registry, _root, _snapshot

__all__ = ["app", "main"]

app = typer.Typer(
    name="cf",
    help="The cf-components toolkit: scaffold, inspect, run and check components.",
    epilog="\b\nExamples:\n"
    "  cf new project mysite\n"
    "  cf new component todo-list --kind form\n"
    "  cf registry list\n"
    "  cf dispatch counter increment --payload '{\"amount\": 2}'\n"
    "  cf check",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.callback()(_root.root)
app.add_typer(_new.app, name="new")
app.add_typer(_registry.app, name="registry")
app.add_typer(_gallery.app, name="gallery")
app.command("dispatch", no_args_is_help=True)(_dispatch.dispatch)
app.command("check")(_check.check)
app.command("dev")(_dev.dev)
app.command("snapshot")(_snapshot.snapshot)


def main() -> None:
    """Run ``cf`` (the console-script entry point)."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        # Nothing to parse: skip building the command tree (the callback prints the same).
        _root.print_version()
        return
    app()
