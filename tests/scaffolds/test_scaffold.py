"""Plans: where files go, collisions refused before copier runs, --force, generated content."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from component_framework.project import find_project
from component_framework.scaffolds import (
    CollisionError,
    LayoutError,
    ScaffoldError,
    plan_component,
    plan_project,
    plan_template,
)


def _project(make_project: Callable[..., Path], files: dict[str, str] | None = None):
    make_project({"app/__init__.py": "", "app/components/__init__.py": "", **(files or {})})
    project = find_project()
    assert project is not None
    return project


def test_component_files_go_where_the_project_keeps_them(
    make_project: Callable[..., Path],
) -> None:
    project = _project(make_project)
    plan = plan_component("Todo List", project)
    assert [plan.shown(p) for p in plan.destinations] == [
        "app/components/todo_list.py",
        "app/templates/todo_list.html",
        "tests/test_todo_list.py",
    ]


def test_a_missing_components_package_is_created(make_project: Callable[..., Path]) -> None:
    make_project()
    project = find_project()
    assert project is not None
    plan = plan_component("card", project)
    assert [plan.shown(p) for p in plan.destinations][:2] == [
        "app/__init__.py",
        "app/components/__init__.py",
    ]


def test_a_components_module_cannot_take_a_new_component(
    make_project: Callable[..., Path],
) -> None:
    make_project({"app/__init__.py": "", "app/components.py": ""})
    project = find_project()
    assert project is not None
    with pytest.raises(LayoutError, match="is a module, not a package"):
        plan_component("card", project)


def test_collisions_are_refused_before_copier_runs(make_project: Callable[..., Path]) -> None:
    project = _project(make_project, {"app/templates/card.html": "mine"})
    plan = plan_component("card", project)
    with pytest.raises(CollisionError, match=r"app/templates/card\.html already exists"):
        plan.write()
    assert not (project.root / "app" / "components" / "card.py").exists()
    assert (project.root / "app" / "templates" / "card.html").read_text() == "mine"


def test_force_overwrites(make_project: Callable[..., Path]) -> None:
    project = _project(make_project, {"app/templates/card.html": "mine"})
    plan_component("card", project).write(force=True)
    assert "Count: {{ state.count }}" in (project.root / "app/templates/card.html").read_text()


def test_a_name_registered_elsewhere_is_refused(make_project: Callable[..., Path]) -> None:
    source = 'from component_framework.core import registry\n@registry.register("card")\n'
    project = _project(make_project, {"app/components/other.py": source})
    with pytest.raises(CollisionError, match=r"already registered in app/components/other\.py"):
        plan_component("card", project)


def test_unknown_kind(make_project: Callable[..., Path]) -> None:
    with pytest.raises(ScaffoldError, match="unknown kind 'fancy'"):
        plan_component("card", _project(make_project), kind="fancy")


@pytest.mark.parametrize(
    ("kind", "base"),
    [("basic", "Component"), ("form", "FormComponent"), ("streaming", "StreamingComponent")],
)
def test_generated_code_per_kind(make_project: Callable[..., Path], kind: str, base: str) -> None:
    project = _project(make_project)
    plan_component("todo-list", project, kind=kind).write()
    source = (project.root / "app/components/todo_list.py").read_text()
    tree = ast.parse(source)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    bases = [b.id for b in classes["TodoList"].bases if isinstance(b, ast.Name)]
    assert bases == [base]
    assert '@registry.register("todo_list")' in source
    assert 'template_name = "todo_list.html"' in source
    test = (project.root / "tests/test_todo_list.py").read_text()
    assert 'ComponentTester("todo_list"' in test
    ast.parse(test)
    assert source.endswith("\n") and not source.endswith("\n\n")


def test_template_plan(make_project: Callable[..., Path]) -> None:
    project = _project(make_project)
    plan = plan_template("user-card.html", project)
    assert [plan.shown(p) for p in plan.destinations] == ["app/templates/user_card.html"]
    plan.write()
    assert "{{ component_id }}" in (project.root / "app/templates/user_card.html").read_text()


def test_project_plan(tmp_path: Path) -> None:
    plan = plan_project("my-site", tmp_path)
    shown = [plan.shown(p) for p in plan.destinations]
    assert "my-site/pyproject.toml" in shown
    assert "my-site/my_site/components/counter.py" in shown
    plan.write()
    pyproject = (tmp_path / "my-site" / "pyproject.toml").read_text()
    assert 'components = ["my_site.components"]' in pyproject
    assert 'templates = ["my_site/templates"]' in pyproject
    with pytest.raises(CollisionError):
        plan_project("my-site", tmp_path).write()


@pytest.mark.parametrize(
    ("name", "kind", "alias"),
    [
        ("component", "basic", "CfComponent"),
        ("form-component", "form", "CfFormComponent"),
        ("field", "form", "PydanticField"),
        ("BaseModel", "form", "PydanticBaseModel"),
        ("streaming component", "streaming", "CfStreamingComponent"),
        ("async_iterator", "streaming", "AbcAsyncIterator"),
    ],
)
def test_a_class_named_like_an_import_does_not_shadow_it(
    make_project: Callable[..., Path], name: str, kind: str, alias: str
) -> None:
    import subprocess
    import sys

    project = _project(make_project)
    plan = plan_component(name, project, kind=kind)
    plan.write()
    module = plan.files["component.py"]
    source = module.read_text()
    assert f" as {alias}\n" in source
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select",
         "E,F,W,I,B,UP", "--line-length", "100", str(module)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout
    namespace: dict[str, object] = {}
    exec(compile(source.replace("@registry.register", "# "), str(module), "exec"), namespace)
    from component_framework.core import Component

    cls = namespace[plan.data["class_name"]]
    assert isinstance(cls, type) and issubclass(cls, Component)


@pytest.mark.parametrize(
    ("name", "package"), [("json", "json"), ("component-framework", "component_framework")]
)
def test_a_project_package_may_not_hide_a_module_it_needs(
    tmp_path: Path, name: str, package: str
) -> None:
    from component_framework.scaffolds import InvalidNameError

    with pytest.raises(InvalidNameError, match=f"package {package!r} that hides"):
        plan_project(name, tmp_path)
    assert not (tmp_path / name).exists()


def test_without_a_templates_folder_nothing_is_written(make_project: Callable[..., Path]) -> None:
    make_project(
        {"src/shop/__init__.py": "", "src/shop/components/__init__.py": ""},
        pyproject='[tool.cf]\ncomponents = ["shop.components"]\n',
    )
    project = find_project()
    assert project is not None
    with pytest.raises(LayoutError, match=r'add templates = \["src/shop/templates"\]'):
        plan_component("card", project)
    with pytest.raises(LayoutError, match="lists no templates folder"):
        plan_template("card", project)


@pytest.mark.parametrize("kind", ["basic", "form", "streaming"])
def test_generated_files_fit_ruffs_default_line_length(
    make_project: Callable[..., Path], kind: str
) -> None:
    import subprocess
    import sys

    project = _project(make_project)
    written = plan_component("card", project, kind=kind).write()
    python = [str(path) for path in written if path.suffix == ".py"]
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select",
         "E,F,W,I,B,UP", *python],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize("kind", ["basic", "form", "streaming"])
def test_a_new_component_comes_with_two_stories_that_render(
    make_project: Callable[..., Path], kind: str
) -> None:
    import os
    import subprocess
    import sys

    project = _project(make_project, {"app/templates/.keep": ""})
    plan_component("todo-list", project, kind=kind).write()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-c", "from component_framework.cli import main; main()"]
    result = subprocess.run(
        [*command, "snapshot"], cwd=project.root, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    stories = sorted(p.name for p in (project.root / "tests/snapshots/todo_list").iterdir())
    assert len(stories) == 2, stories
    assert "2 written, 0 unchanged, 0 failed" in result.stdout
