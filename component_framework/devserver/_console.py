"""What the dev server prints: the start-up banner and rich error messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from ._errors import DevError

__all__ = ["print_banner", "print_error", "print_recovered"]


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def print_banner(
    url: str, components: int, watched: list[str], reload: bool, signing: str = ""
) -> None:
    """Print the start-up banner with the URL to open (and, given, how state is signed)."""
    from rich.panel import Panel

    lines = [
        f"[bold]Gallery[/]   [link={url}]{url}[/link]",
        f"[bold]Components[/] {components} registered",
        "[bold]Reload[/]    " + _reload_line(watched, reload),
        *([f"[bold]Signing[/]   {signing}"] if signing else []),
        "[dim]Press Ctrl+C to stop.[/]",
    ]
    _console().print(Panel("\n".join(lines), title="cf dev", border_style="cyan", expand=False))


def _reload_line(watched: list[str], reload: bool) -> str:
    if not reload:
        return "off (--no-reload)"
    if not watched:
        return (  # rich markup: \\[ is a literal bracket
            "off: no component module or template folder to watch; list\n"
            "          them in \\[tool.cf] components and templates (or, in a\n"
            "          Django project, add a components.py to one of its apps)"
        )
    return "watching " + ", ".join(watched)


def print_error(error: DevError) -> None:
    """Print *error* with its file, line and the source around it."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.text import Text

    console = _console()
    title = f"{error.kind} error in {error.location or 'unknown file'}"
    body: list[RenderableType] = [Text(error.message, style="bold red")]
    if error.source:
        first = error.source[0][0]
        code = "\n".join(text for _, text in error.source)
        lexer = "python" if error.file.endswith(".py") else "html+jinja"
        body.append(
            Syntax(
                code,
                lexer,
                line_numbers=True,
                start_line=first,
                highlight_lines={error.line},
                theme="ansi_dark",
            )
        )
    console.print(Panel(Group(*body), title=title, border_style="red", expand=False))
    console.print("[dim]The server keeps running; save the file again once it is fixed.[/]")


def print_recovered(kind: str, files: list[str], reload_ms: float) -> None:
    """One line after a reload that left nothing broken."""
    console = _console()
    names = ", ".join(files) or "-"
    console.print(f"[green]✓[/] reloaded {kind} ({names}) in {reload_ms:.1f} ms")
