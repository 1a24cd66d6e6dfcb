"""Project discovery: [tool.cf], --app / CF_APP, recursive imports, errors in the user's code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from component_framework.core import registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import get_default_renderer
from component_framework.project import (
    ProjectConfigError,
    ProjectImportError,
    ProjectNotFoundError,
    find_project,
    load_project,
)

COUNTER = """
from component_framework.core import Component, registry


@registry.register("counter")
class Counter(Component):
    template_name = "counter.html"
"""


def test_finds_the_nearest_pyproject_with_a_tool_cf_table(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({"app/components/__init__.py": "", "sub/deeper/x.txt": ""})
    # A pyproject.toml without [tool.cf] on the way up is skipped.
    (root / "sub" / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    monkeypatch.chdir(root / "sub" / "deeper")
    project = find_project()
    assert project is not None
    assert project.root == root
    assert project.components == ["app.components"]
    assert project.templates == [root / "app" / "templates"]


def test_nothing_found_says_what_to_add(make_project: Callable[..., Path]) -> None:
    make_project(pyproject=None)
    assert find_project() is None
    with pytest.raises(ProjectNotFoundError, match=r"add \[tool\.cf\] with components = "):
        load_project()


def test_packages_are_imported_recursively_and_templates_installed(
    make_project: Callable[..., Path],
) -> None:
    make_project(
        {
            "app/__init__.py": "",
            "app/components/__init__.py": "",
            "app/components/nested/__init__.py": "",
            "app/components/nested/counter.py": COUNTER,
            "app/templates/counter.html": "<b>{{ state.count }}</b>",
        }
    )
    project = load_project()
    assert project.setup() == []
    assert "counter" in registry
    assert "app.components.nested.counter" in project.imported
    renderer = get_default_renderer()
    assert isinstance(renderer, JinjaRenderer)
    assert renderer.list_templates() == ["counter.html"]


def test_a_src_layout_package_is_importable_without_installing_it(
    make_project: Callable[..., Path],
) -> None:
    make_project(
        {
            "src/shop/__init__.py": "",
            "src/shop/components/__init__.py": "",
            "src/shop/components/counter.py": COUNTER,
            "src/shop/templates/counter.html": "<b>{{ state.count }}</b>",
        },
        pyproject='[tool.cf]\ncomponents = ["shop.components"]\n'
        'templates = ["src/shop/templates"]\n',
    )
    project = load_project()
    assert project.setup() == []
    assert "counter" in registry
    assert "shop.components.counter" in project.imported


def test_app_option_and_cf_app_replace_the_components(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project({"other.py": COUNTER, "third.py": ""})
    assert load_project(apps=["other"]).components == ["other"]
    monkeypatch.setenv("CF_APP", "other, third")
    assert load_project().components == ["other", "third"]
    # --app wins over CF_APP.
    assert load_project(apps=["third"]).components == ["third"]


def test_app_without_a_pyproject_roots_the_project_at_the_working_directory(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({"solo.py": COUNTER}, pyproject=None)
    project = load_project(apps=["solo"])
    assert project.root == root and project.pyproject is None
    project.setup()
    assert "counter" in registry


def test_an_error_in_user_code_names_the_file_and_line(
    make_project: Callable[..., Path],
) -> None:
    make_project(
        {
            "app/__init__.py": "",
            "app/components/__init__.py": "",
            "app/components/broken.py": "import os\n\nx = 1 / 0\n",
        }
    )
    with pytest.raises(ProjectImportError) as info:
        load_project().setup()
    error = info.value
    assert (error.filename, error.lineno) == ("app/components/broken.py", 3)
    assert error.detail == "ZeroDivisionError: division by zero"
    assert str(error).startswith("app/components/broken.py:3: ZeroDivisionError")


def test_sys_exit_while_importing_is_an_import_error(make_project: Callable[..., Path]) -> None:
    make_project({"app/__init__.py": "", "app/components.py": "import sys\n\nsys.exit(3)\n"})
    with pytest.raises(ProjectImportError, match=r"^app/components\.py:3: SystemExit: 3"):
        load_project().setup()


def test_a_syntax_error_names_the_file_and_line(make_project: Callable[..., Path]) -> None:
    make_project({"app/__init__.py": "", "app/components.py": "def broken(:\n    pass\n"})
    with pytest.raises(ProjectImportError, match=r"^app/components\.py:1: SyntaxError"):
        load_project().setup()


def test_a_missing_configured_module_is_explained(make_project: Callable[..., Path]) -> None:
    make_project()
    with pytest.raises(ProjectImportError, match=r"cannot import 'app.components' \(listed in"):
        load_project().setup()


def test_keep_going_collects_every_import_error(make_project: Callable[..., Path]) -> None:
    make_project(
        {
            "app/__init__.py": "",
            "app/components/__init__.py": "",
            "app/components/a.py": "raise RuntimeError('a')\n",
            "app/components/b.py": "raise RuntimeError('b')\n",
            "app/components/c.py": COUNTER,
        }
    )
    errors = load_project().setup(keep_going=True)
    assert [e.detail for e in errors] == ["RuntimeError: a", "RuntimeError: b"]
    assert "counter" in registry


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[tool.cf]\ncomponents = 'x'\ntemplates = [1]\n", "templates must be a list of strings"),
        ("[tool.cf]\ncomponents = []\n", "lists no components"),
        ("[tool.cf\n", "not valid TOML"),
    ],
)
def test_malformed_configuration_is_reported(
    make_project: Callable[..., Path], table: str, message: str
) -> None:
    make_project(pyproject=table)
    with pytest.raises(ProjectConfigError, match=message):
        load_project()


def test_a_file_path_starts_the_search_from_its_folder(
    make_project: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({"tests/test_x.py": ""})
    monkeypatch.chdir(tmp_path)
    project = load_project(root / "tests" / "test_x.py")
    assert project.root == root
