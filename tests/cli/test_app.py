"""The cf app itself: --version, --help on every command, shell completion, extensibility."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer
from typer.testing import Result

from component_framework import __version__
from component_framework.cli import app


def test_version(cf: Callable[..., Result]) -> None:
    for flag in ("--version", "-V"):
        result = cf(flag)
        assert result.exit_code == 0
        assert result.stdout == f"cf (cf-components) {__version__}\n"


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["new"],
        ["new", "component"],
        ["new", "template"],
        ["new", "project"],
        ["registry"],
        ["registry", "list"],
        ["registry", "show"],
        ["dispatch"],
        ["check"],
    ],
)
def test_every_command_has_help_with_examples(
    cf: Callable[..., Result], command: list[str]
) -> None:
    result = cf(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: cf")
    assert "Examples" in result.stdout


def test_no_arguments_shows_help(cf: Callable[..., Result]) -> None:
    result = cf()
    assert "Usage: cf" in result.output
    assert "dispatch" in result.output and "registry" in result.output


def test_shell_completion_is_offered(cf: Callable[..., Result]) -> None:
    result = cf("--help")
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def test_the_app_can_be_extended_with_more_commands(cf: Callable[..., Result]) -> None:
    extra = typer.Typer()

    @extra.command("hello")
    def hello() -> None:
        typer.echo("hi")

    app.registered_groups.append(typer.models.TyperInfo(extra, name="extra"))
    try:
        assert cf("extra", "hello").stdout == "hi\n"
    finally:
        app.registered_groups.pop()


def test_unknown_command_is_a_usage_error(cf: Callable[..., Result]) -> None:
    result = cf("dispach")
    assert result.exit_code == 2


def test_completion_completes_commands() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(
        app,
        [],
        env={"_CF_COMPLETE": "complete_bash", "COMP_WORDS": "cf reg", "COMP_CWORD": "1"},
        prog_name="cf",
    )
    assert result.stdout.split() == ["registry"]


def test_completion_completes_component_names(example: object) -> None:
    from typer.testing import CliRunner

    env = {"_CF_COMPLETE": "complete_bash", "COMP_WORDS": "cf dispatch cou", "COMP_CWORD": "2"}
    result = CliRunner().invoke(app, [], env=env, prog_name="cf")
    assert result.stdout.split() == ["countdown", "counter"]


def test_completion_completes_the_events_of_the_component(example: object) -> None:
    from typer.testing import CliRunner

    env = {"_CF_COMPLETE": "complete_bash", "COMP_WORDS": "cf dispatch counter ", "COMP_CWORD": "3"}
    result = CliRunner().invoke(app, [], env=env, prog_name="cf")
    assert result.stdout.split() == ["decrement", "increment", "reset"]
    env["COMP_WORDS"] = "cf dispatch counter re"
    result = CliRunner().invoke(app, [], env=env, prog_name="cf")
    assert result.stdout.split() == ["reset"]
