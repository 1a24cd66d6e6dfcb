"""cf new component / template / project through the CLI (in-process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result


@pytest.fixture
def app_project(make_project: Callable[..., Path]) -> Path:
    return make_project({"app/__init__.py": "", "app/components/__init__.py": ""})


def test_new_component_writes_module_template_and_test(
    cf: Callable[..., Result], app_project: Path
) -> None:
    result = cf("new", "component", "TodoList", "--kind", "form")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "wrote app/components/todo_list.py",
        "wrote app/templates/todo_list.html",
        "wrote tests/test_todo_list.py",
    ]
    assert (
        "class TodoList(FormComponent)" in (app_project / "app/components/todo_list.py").read_text()
    )


def test_dry_run_writes_nothing(cf: Callable[..., Result], app_project: Path) -> None:
    result = cf("new", "component", "todo list", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "would write app/components/todo_list.py",
        "would write app/templates/todo_list.html",
        "would write tests/test_todo_list.py",
    ]
    assert not (app_project / "app/components/todo_list.py").exists()


def test_never_overwrites_without_force(cf: Callable[..., Result], app_project: Path) -> None:
    assert cf("new", "component", "card").exit_code == 0
    module = app_project / "app/components/card.py"
    module.write_text("# mine\n")
    again = cf("new", "component", "card")
    assert again.exit_code == 1
    assert again.stderr.startswith("Error: app/components/card.py, app/templates/card.html, ")
    assert "use --force to overwrite" in again.stderr
    assert module.read_text() == "# mine\n"
    dry = cf("new", "component", "card", "--dry-run")
    assert "(exists: would be refused without --force)" in dry.stdout
    # The dry run fails as the real run would, so scripts can check before writing.
    assert dry.exit_code == 1
    assert "use --force to overwrite" in dry.stderr
    forced = cf("new", "component", "card", "--dry-run", "--force")
    assert forced.exit_code == 0
    assert "(exists: would be overwritten)" in forced.stdout
    assert cf("new", "component", "card", "--force").exit_code == 0
    assert "class Card(Component)" in module.read_text()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("class", "is a Python keyword"),
        ("2fast", "starts with a digit"),
        ("a/b", "contains a path separator"),
        ("", "the name is empty"),
        ("__init__", "is a special Python name"),
        ("__main__", "is a special Python name"),
    ],
)
def test_invalid_names_are_usage_errors(
    cf: Callable[..., Result], app_project: Path, name: str, reason: str
) -> None:
    result = cf("new", "component", name)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: invalid name: ")
    assert reason in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_unknown_kind_is_a_usage_error(cf: Callable[..., Result], app_project: Path) -> None:
    assert cf("new", "component", "card", "--kind", "fancy").exit_code == 2


def test_new_template(cf: Callable[..., Result], app_project: Path) -> None:
    result = cf("new", "template", "card")
    assert result.stdout == "wrote app/templates/card.html\n"


def test_new_component_needs_a_project(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project(pyproject=None)
    result = cf("new", "component", "card")
    assert result.exit_code == 2
    assert "cf new project NAME" in result.stderr


def test_new_project(cf: Callable[..., Result], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cf("new", "project", "mysite")
    assert result.exit_code == 0, result.output
    assert "wrote mysite/pyproject.toml" in result.stdout
    assert (tmp_path / "mysite/mysite/components/counter.py").is_file()
    again = cf("new", "project", "mysite")
    assert again.exit_code == 1
    assert "already exist" in again.stderr


def test_new_project_says_next_what_its_readme_says_first(
    cf: Callable[..., Result], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cf("new", "project", "mysite")
    readme = (tmp_path / "mysite/README.md").read_text()
    install, run = [line.split("  #")[0].strip() for line in readme.splitlines()[3:5]]
    assert install == 'python -m pip install -e ".[test]"'
    assert run == "uvicorn mysite.app:app --reload"
    assert f"next: cd mysite && {install} && {run}" in result.stdout


def test_new_project_refuses_a_name_that_hides_the_standard_library(
    cf: Callable[..., Result], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cf("new", "project", "json")
    assert result.exit_code == 2
    assert "hides the module" in result.stderr
    assert not (tmp_path / "json").exists()


def test_new_project_inside_a_project_warns_before_nesting(
    cf: Callable[..., Result], app_project: Path
) -> None:
    result = cf("new", "project", "inner")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: ")
    assert str(app_project / "pyproject.toml") in result.stderr
    assert (app_project / "inner/pyproject.toml").is_file()


def test_new_project_outside_a_project_does_not_warn(
    cf: Callable[..., Result], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cf("new", "project", "mysite").stderr == ""
