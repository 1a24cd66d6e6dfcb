"""The adapters' public APIs are their ``__all__``; core and web never import a framework."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import component_framework.django as django_adapter
import component_framework.flask as flask_adapter
import component_framework.jinjax as jinjax_renderer
import component_framework.litestar as litestar_adapter


@pytest.mark.parametrize(
    "module", [django_adapter, litestar_adapter, flask_adapter, jinjax_renderer]
)
def test_all_lists_every_public_name(module: object) -> None:
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)  # submodules
    }
    assert sorted(module.__all__) == sorted(public - {"annotations"})


def test_core_and_web_import_no_framework() -> None:
    code = (
        "import sys, component_framework.core, component_framework.core.protocol, "
        "component_framework.web; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'django', 'litestar', 'channels', 'flask', 'jinjax', 'django_cotton'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_extra_names_it() -> None:
    # A fresh interpreter where Django cannot be imported, as for a user without the extra.
    code = (
        "import sys; sys.modules['django'] = None\n"
        "import importlib.util; importlib.util.find_spec = lambda name, *a: None\n"
        "try:\n    import component_framework.django\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "component_framework.django needs django, which is not installed: "
        "pip install 'cf-components[django]'"
    )
