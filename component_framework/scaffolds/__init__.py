"""Scaffolds for ``cf new``: copier templates shipped as package data, and their Python API.

Names are normalised and validated here, collisions are checked before anything is written, and
the templates are rendered with Jinja2 alone (copier renders them the same, without being a
dependency of every app that installs cf).

Example:

    project = load_project()
    plan = plan_component("todo-list", project, kind="form")
    for path in plan.write():
        print(path)
"""

from __future__ import annotations

from ._errors import CollisionError, InvalidNameError, LayoutError, ScaffoldError
from ._names import Names, normalize_name
from ._scaffold import KINDS, Plan, plan_component, plan_project, plan_template

__all__ = [
    "KINDS",
    "CollisionError",
    "InvalidNameError",
    "LayoutError",
    "Names",
    "Plan",
    "ScaffoldError",
    "normalize_name",
    "plan_component",
    "plan_project",
    "plan_template",
]
