"""Scaffolds for ``cf new``: copier templates shipped as package data, and their Python API.

Names are normalised and validated here before copier sees them, and collisions are checked
here too; only :meth:`Plan.write` imports copier (about a second), so nothing else pays for it.

Example::

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
