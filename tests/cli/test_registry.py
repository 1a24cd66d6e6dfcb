"""cf registry list / show."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

KEYS = {"name", "class", "kind", "template", "events", "permissions", "slots"}

FANCY = """
from pydantic import BaseModel

from component_framework.core import (
    Component, FormComponent, IsAuthenticated, StreamingComponent, registry,
)


class Data(BaseModel):
    name: str


@registry.register("guarded")
class Guarded(Component):
    template_name = "guarded.html"
    permission_classes = [IsAuthenticated]
    slots = ["header", "body"]

    def on_ping(self) -> None: ...


@registry.register("signup")
class Signup(FormComponent):
    schema = Data
    template_name = "signup.html"


@registry.register("ticker")
class Ticker(StreamingComponent):
    template_name = "ticker.html"
"""

CHART = """
from typing import Annotated

from pydantic import Field

from component_framework.core import Component, registry
from component_framework.core.url_state import UrlParam


@registry.register("chart")
class Chart(Component):
    template_name = "chart.html"
    browser_events = ("chart:data", "chart:reset")
    emits = ("plotted",)
    bindable = {"title": str, "points": Annotated[int, Field(ge=1)]}
    url_state = {
        "search": UrlParam(str, default="", name="q"),
        "page": UrlParam(Annotated[int, Field(ge=1)], default=1, history="push"),
        "tab": str,
    }
"""


def test_list_json_has_exactly_the_documented_keys(
    cf: Callable[..., Result], example: Path
) -> None:
    result = cf("registry", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == ["countdown", "counter"]
    assert all(set(row) == KEYS for row in rows)
    assert rows[1] == {
        "name": "counter",
        "class": "cf_example.components.counter.Counter",
        "kind": "basic",
        "template": "counter.html",
        "events": ["decrement", "increment", "reset"],
        "permissions": [],
        "slots": [],
    }
    assert rows[0]["kind"] == "streaming"


def test_list_table(cf: Callable[..., Result], example: Path) -> None:
    result = cf("registry", "list")
    assert result.exit_code == 0
    for text in ("name", "kind", "permissions", "counter", "countdown", "streaming", "basic"):
        assert text in result.stdout


def test_kinds_permissions_and_slots(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project({"app/__init__.py": "", "app/components.py": FANCY})
    rows = {row["name"]: row for row in json.loads(cf("registry", "list", "--json").stdout)}
    assert rows["guarded"]["permissions"] == ["IsAuthenticated"]
    assert rows["guarded"]["slots"] == ["header", "body"]
    assert rows["guarded"]["kind"] == "basic"
    assert rows["signup"]["kind"] == "form"
    assert rows["signup"]["events"] == ["field_change", "submit"]
    assert rows["ticker"]["kind"] == "streaming"


def test_show_gives_a_forms_submit_as_it_is_sent(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project({"app/__init__.py": "", "app/components.py": FANCY})
    result = cf("registry", "show", "signup")
    assert result.exit_code == 0, result.output
    # on_submit takes no arguments; the message carries the schema's fields in form_data.
    assert "submit(form_data: {name: str})" in result.stdout


def test_show_adds_the_source_location(cf: Callable[..., Result], example: Path) -> None:
    result = cf("registry", "show", "counter")
    assert result.exit_code == 0
    assert "cf_example.components.counter.Counter" in result.stdout
    assert "increment(amount: int (ge=1, le=100) = 1)" in result.stdout
    assert "cf_example/components/counter.py:15" in result.stdout

    info = json.loads(cf("registry", "show", "counter", "--json").stdout)
    assert info["source"] == "cf_example/components/counter.py:15"
    assert set(info) == KEYS | {"source", "browser_events", "emits", "bindable", "url_state"}


def test_show_lists_browser_events_emits_and_bindable_keys(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project({"app/__init__.py": "", "app/components.py": FANCY + CHART})
    info = json.loads(cf("registry", "show", "chart", "--json").stdout)
    assert info["browser_events"] == ["chart:data", "chart:reset"]
    assert info["emits"] == ["plotted"]
    assert info["bindable"] == {"title": "str", "points": "int (ge=1)"}
    assert info["events"] == ["field_change"]
    shown = cf("registry", "show", "chart").stdout
    assert "browser events  chart:data, chart:reset" in shown
    assert "emits           plotted" in shown
    assert "bindable        title: str" in shown
    assert info["url_state"] == {
        "search": {"name": "q", "type": "str", "default": "", "history": "replace"},
        "page": {"name": "page", "type": "int (ge=1)", "default": 1, "history": "push"},
        "tab": {"name": "tab", "type": "str", "history": "replace"},
    }
    assert "url state       search: ?q= str, default '' (replace)" in shown
    assert "page: ?page= int (ge=1), default 1 (push)" in shown
    assert "tab: ?tab= str (replace)" in shown
    plain = json.loads(cf("registry", "show", "guarded", "--json").stdout)
    assert (plain["browser_events"], plain["emits"], plain["bindable"]) == ([], [], {})
    assert plain["url_state"] == {}
    assert plain["events"] == ["ping"]


def test_show_unknown_names_close_matches(cf: Callable[..., Result], example: Path) -> None:
    result = cf("registry", "show", "countr")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Component 'countr' not found. Did you mean 'counter' or 'countdown'?\n"
    )


def test_app_option_and_cf_app(
    cf: Callable[..., Result], make_project: Callable[..., Path], monkeypatch
) -> None:
    make_project({"solo.py": FANCY}, pyproject=None)
    assert cf("registry", "list").exit_code == 2
    names = [
        r["name"] for r in json.loads(cf("registry", "list", "--app", "solo", "--json").stdout)
    ]
    assert names == ["guarded", "signup", "ticker"]
    # The global option works too.
    assert json.loads(cf("--app", "solo", "registry", "list", "--json").stdout)[0]["name"] == (
        "guarded"
    )
    monkeypatch.setenv("CF_APP", "solo")
    assert cf("registry", "list", "--json").exit_code == 0


def test_no_project_says_what_to_add(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project(pyproject=None)
    result = cf("registry", "list")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert '[tool.cf] with components = ["myapp.components"]' in result.stderr
    assert "--app MODULE" in result.stderr


def test_an_import_error_in_user_code_is_one_line_with_file_and_line(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project({"app/__init__.py": "", "app/components.py": "import os\nundefined_name\n"})
    result = cf("registry", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: app/components.py:2: NameError: name 'undefined_name' is not defined "
        "(while importing 'app.components')\n"
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize("spelling", ["todo-list", "TodoList", "todo list", "todo_list"])
def test_show_and_dispatch_take_every_spelling_cf_new_takes(
    cf: Callable[..., Result], make_project: Callable[..., Path], spelling: str
) -> None:
    make_project({"app/__init__.py": "", "app/components/__init__.py": ""})
    assert cf("new", "component", "todo-list").exit_code == 0
    shown = cf("registry", "show", spelling, "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == "todo_list"
    dispatched = cf("dispatch", spelling, "increment", "--json")
    assert dispatched.exit_code == 0, dispatched.stderr
    assert json.loads(dispatched.stdout)["state"] == {"count": 1}


def _in_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """The output of ``cf ARGS`` run in a pseudo-terminal, as a user's shell runs it."""
    import os
    import pty
    import subprocess
    import sys

    main, child = pty.openpty()
    command = [sys.executable, "-c", "from component_framework.cli import main; main()", *args]
    environ = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color", **env}
    environ.pop("NO_COLOR", None)
    process = subprocess.Popen(command, cwd=cwd, env=environ, stdout=child, stderr=child)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=60) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


def _links(output: str) -> list[tuple[str, str]]:
    """The terminal hyperlinks (OSC 8) in *output*: (url, text shown)."""
    import re

    found = re.findall(r"\x1b\]8;[^;]*;([^\x1b]+)\x1b\\(.*?)\x1b\]8;;\x1b\\", output)
    return [(url, re.sub(r"\x1b\[[0-9;]*m", "", text)) for url, text in found]


def test_show_links_the_source_to_the_editor_the_dev_server_opens(example: Path) -> None:
    EXAMPLE = example
    source = (EXAMPLE / "cf_example" / "components" / "counter.py").resolve()
    shown = "cf_example/components/counter.py:15"
    output = _in_a_terminal(["registry", "show", "counter"], EXAMPLE, {"CF_EDITOR": "pycharm"})
    assert _links(output) == [(f"pycharm://open?file={source}&line=15", shown)]
    # The default editor, as `cf dev` links it.
    output = _in_a_terminal(["registry", "show", "counter"], EXAMPLE, {"CF_EDITOR": ""})
    assert _links(output) == [(f"vscode://file/{source}:15", shown)]
    # An editor command (which the dev server runs): the terminal opens the file.
    output = _in_a_terminal(
        ["registry", "show", "counter"], EXAMPLE, {"CF_EDITOR": "subl {file}:{line}"}
    )
    assert _links(output) == [(source.as_uri(), shown)]
