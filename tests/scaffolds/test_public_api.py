"""The public names of the scaffolds package, project discovery and checks."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize(
    "module",
    ["component_framework.scaffolds", "component_framework.project", "component_framework.checks"],
)
def test_all_lists_exactly_the_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    public = {
        name
        for name, value in vars(mod).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", module).startswith(module)
        and name not in {"annotations", "TYPE_CHECKING"}
    }
    assert sorted(mod.__all__) == sorted(set(mod.__all__) | public)
    for name in mod.__all__:
        assert hasattr(mod, name)
