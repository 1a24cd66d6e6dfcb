"""cf new renders the scaffolds itself; copier, given the same answers, renders the same files.

So the scaffolds stay copier templates (``copier copy`` works on them) while copier is no
dependency of the framework: installing cf-components into an app does not bring it along.
"""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path
from typing import Any

import copier
import pytest

from component_framework.project import Project
from component_framework.scaffolds import Plan, plan_component, plan_project, plan_template
from component_framework.scaffolds._render import render_folder

ROOT = Path(__file__).resolve().parents[2]
SCAFFOLDS = ROOT / "component_framework" / "scaffolds"


def _project(tmp_path: Path) -> Project:
    return Project(tmp_path, None, ["app.components"], [tmp_path / "app" / "templates"])


def _plans(tmp_path: Path) -> list[Plan]:
    return [
        plan_project("shop", tmp_path),
        plan_project("shop", tmp_path, framework="django"),
        *(
            plan_component("todo-list", _project(tmp_path), kind=kind)
            for kind in ("basic", "form", "streaming")
        ),
        plan_component("Field", _project(tmp_path)),  # aliased imports
        plan_template("card", _project(tmp_path)),
    ]


def _with_copier(template: Path, data: dict[str, Any], destination: Path) -> dict[str, bytes]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # copier warns about its own environment
        copier.run_copy(str(template), str(destination), data=data, defaults=True, quiet=True)
    return {
        path.relative_to(destination).as_posix(): path.read_bytes()
        for path in sorted(destination.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("index", range(7))
def test_copier_renders_what_cf_new_renders(tmp_path: Path, index: int) -> None:
    plan = _plans(tmp_path)[index]
    ours = render_folder(SCAFFOLDS / plan.template / "template", plan.data)
    assert _with_copier(SCAFFOLDS / plan.template, plan.data, tmp_path / "copier") == ours
    assert set(plan.files) <= set(ours)


def test_copier_is_not_a_dependency_of_the_framework() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    assert not [line for line in project["dependencies"] if line.startswith("copier")]
