"""Documented option lists match the signatures they describe, so the docs cannot drift.

docs/web.md lists ``ComponentApp``'s options, docs/litestar.md ``create_router`` and
``template_globals``, docs/core.md ``AppConfig``'s, docs/cli.md every command with its options;
each list is compared with the signature (or the command's options) in both directions.
"""

from __future__ import annotations

import gzip
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

from component_framework.cli import app as cli_app
from component_framework.core._scripts import script_bytes
from component_framework.core.config import AppConfig
from component_framework.core.protocol import handle_message
from component_framework.web import ComponentApp

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _paragraph(page: str, start: str) -> str:
    text = (DOCS / page).read_text()
    at = text.index(start) + len(start)
    return text[at : text.index("\n\n", at)]


def _outside_parentheses(text: str) -> str:
    kept, depth = [], 0
    for char in text:
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")" and depth > 0
    return "".join(kept)


def _listed(page: str, start: str) -> set[str]:
    """The backticked names of a prose option list (explanations in parentheses left out)."""
    names = re.findall(r"`([A-Za-z_]\w*)`", _outside_parentheses(_paragraph(page, start)))
    return set(names)


def _parameters(function: Callable[..., Any]) -> set[str]:
    """The parameters a caller names (``self`` left out, ``**x`` as ``**``)."""
    names = set()
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is parameter.VAR_KEYWORD:
            names.add("**")
        elif parameter.name != "self":
            names.add(parameter.name)
    return names


def _call(page: str, function: str) -> set[str]:
    """The parameter names of a documented call such as ``f(a=1, b=..., **rest)``."""
    text = " ".join((DOCS / page).read_text().split())
    calls = re.findall(rf"`{function}\(([^`]*)\)`", text)
    assert any(calls), f"no `{function}(...)` with its parameters in docs/{page}"
    names = set()
    for argument in max(calls, key=len).split(","):
        argument = argument.strip()
        names.add("**" if argument.startswith("**") else argument.split("=")[0])
    return names


def test_component_app_options() -> None:
    assert _listed("web.md", "Options of `ComponentApp(...)`:") == _parameters(ComponentApp)


def test_app_config_options() -> None:
    assert _listed("core.md", "Options of `AppConfig(...)`:") == _parameters(AppConfig)


def test_message_path_options() -> None:
    listed = _listed("core.md", "Every function of the message path takes")
    assert listed == _parameters(handle_message) - {"message", "request", "params"}


@pytest.mark.parametrize("function", ["create_router", "template_globals"])
def test_litestar_options(function: str) -> None:
    import component_framework.litestar as litestar

    assert _call("litestar.md", function) == _parameters(getattr(litestar, function))


def test_flask_options() -> None:
    from component_framework.flask import Components

    assert _call("flask.md", "Components") == _parameters(Components)


def _commands(command: Any, path: tuple[str, ...] = ()) -> dict[str, set[str]]:
    """Every leaf command of the CLI -> its long options (``--help`` and ``--app`` left out).

    Duck-typed: typer builds its commands on a click of its own.
    """
    if hasattr(command, "commands"):
        found: dict[str, set[str]] = {}
        for name, sub in command.commands.items():
            found.update(_commands(sub, (*path, name)))
        return found
    options = set()
    for parameter in command.params:
        if parameter.param_type_name == "option":
            options.update(o for o in parameter.opts if o.startswith("--"))
            options.update(o for o in parameter.secondary_opts if o.startswith("--"))
    return {" ".join(path): options - {"--help", "--app"}}


def test_the_cli_summary_lists_every_command_and_its_options() -> None:
    block = (DOCS / "cli.md").read_text().split("```text\n", 1)[1].split("```", 1)[0]
    documented = {}
    for line in block.splitlines():
        words = line.split()[1:]  # after "cf"
        path = [w for w in words if re.fullmatch(r"[a-z]+", w)]
        if not path:
            continue
        options = set(re.findall(r"--[a-z][a-z0-9-]*", line))
        options = {o for option in options for o in option.split("/")}
        documented[" ".join(path)] = options | set(re.findall(r"/(--[a-z-]+)", line))
    actual = _commands(typer.main.get_command(cli_app))
    assert documented == actual


def test_the_size_of_cf_js_is_what_the_docs_say() -> None:
    stated = re.search(r"`cf.js` \(about ([\d.]+) KB gzipped", (DOCS / "web.md").read_text())
    assert stated, "docs/web.md no longer states the size of cf.js"
    # What the server sends (script_bytes: the file without its full-line comments).
    kilobytes = len(gzip.compress(script_bytes("cf.js"), 9)) / 1024
    assert abs(kilobytes - float(stated.group(1))) < 1, f"cf.js is {kilobytes:.1f} KB gzipped"
