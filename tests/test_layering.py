"""The package's import layering (docs/architecture.md), checked over the source with ``ast``.

``core`` <- ``web`` <- ``devserver`` <- ``cli``, ``core`` <- ``scaffolds`` <- ``cli`` and
``core`` <- ``django`` / ``litestar`` / ``flask`` / ``jinjax`` (the adapters and renderers import
no web, and their libraries stay inside them):
core imports nothing above it and no web server, watcher or scaffolding library; web imports
no devserver, cli, uvicorn, watchfiles or copier; devserver imports no cli; nothing imports
cli. Starlette lives only in web/ and devserver/, uvicorn and watchfiles only in devserver/,
copier only in scaffolds/. Imports inside functions count (they still run); imports under
``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import component_framework

PACKAGE = "component_framework"
ADAPTERS = ("django", "litestar", "flask", "jinjax")
LAYERS = ("core", "web", "devserver", "cli", "scaffolds", *ADAPTERS)
# Each optional library and the one layer it may be imported in.
OPTIONAL = {
    "django": "django",
    "channels": "django",
    "django_cotton": "django",
    "litestar": "litestar",
    "flask": "flask",
    "flask_login": "flask",
    "flask_wtf": "flask",
    "simple_websocket": "flask",
    "jinjax": "jinjax",
}


@dataclass(frozen=True)
class Rule:
    layers: tuple[str, ...]  # where the rule applies; "*" is every module of the package
    forbidden: str  # a module prefix those layers must not import
    unless: tuple[str, ...] = ()  # layers exempt from a "*" rule

    def applies_to(self, layer: str) -> bool:
        if "*" in self.layers:
            return layer not in self.unless
        return layer in self.layers


def _pkg(name: str) -> str:
    return f"{PACKAGE}.{name}"


RULES = [
    *(Rule(("core",), _pkg(upper)) for upper in ("web", "devserver", "cli", "scaffolds")),
    Rule(("web",), _pkg("devserver")),
    Rule(("web",), _pkg("cli")),
    Rule(("devserver",), _pkg("cli")),
    Rule(("*",), _pkg("cli"), unless=("cli",)),
    Rule(("*",), "starlette", unless=("web", "devserver")),
    Rule(("*",), "uvicorn", unless=("devserver",)),
    Rule(("*",), "watchfiles", unless=("devserver",)),
    Rule(("*",), "copier", unless=("scaffolds",)),
    # The framework adapters sit on core alone, and their frameworks stay inside them.
    *(
        Rule((adapter,), _pkg(upper))
        for adapter in ADAPTERS
        for upper in ("web", "devserver", "cli", "scaffolds", *ADAPTERS)
        if upper != adapter
    ),
    *(Rule(("core",), _pkg(adapter)) for adapter in ADAPTERS),
    *(Rule(("*",), library, unless=(layer,)) for library, layer in OPTIONAL.items()),
]


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "other"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.Module, package: str) -> list[tuple[str, int]]:
    """Return ``(module, line)`` for every import that runs, relative imports resolved."""
    found: list[tuple[str, int]] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)  # the body never runs
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            # ``from pkg import sub`` imports the submodule pkg.sub.
            found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def find_violations(root: Path) -> list[str]:
    """Check every module under *root* (the package folder); return one line per violation."""
    violations: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
            package = ".".join(parts)
        else:
            package = ".".join(parts[:-1])
        module = ".".join(parts)
        layer = _layer(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for imported, line in _imported(tree, package):
            for rule in RULES:
                if rule.applies_to(layer) and _matches(imported, rule.forbidden):
                    where = path.relative_to(root.parent).as_posix()
                    violations.add(f"{where}:{line}: {layer} imports {rule.forbidden}")
    return sorted(violations)


def test_the_package_respects_the_layering() -> None:
    root = Path(component_framework.__file__).parent
    assert find_violations(root) == []


def _write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


def test_the_check_fires_on_a_synthetic_package(tmp_path: Path) -> None:
    root = tmp_path / PACKAGE
    _write(root, "__init__.py", "")
    _write(root, "core/__init__.py", "from .component import Component\n")
    _write(
        root,
        "core/bad.py",
        "from typing import TYPE_CHECKING\n"
        "import starlette.applications\n"
        "from ..web import app\n"
        "if TYPE_CHECKING:\n"
        "    from ..devserver import Server\n"
        "else:\n"
        "    import copier\n",
    )
    _write(root, "core/fine.py", "import json\nfrom . import bad\nfrom .bad import app\n")
    _write(root, "web/__init__.py", "from starlette.routing import Route\nimport uvicorn\n")
    _write(root, "devserver/app.py", "def run():\n    from component_framework import cli\n")
    _write(root, "devserver/ok.py", "import uvicorn, watchfiles, starlette\nfrom ..web import x\n")
    _write(root, "scaffolds/ok.py", "import copier\nfrom ..core import Component\n")
    _write(root, "cli/ok.py", "from .. import cli\nfrom ..devserver import app\n")
    _write(root, "testing.py", "import watchfiles\n")
    _write(root, "django/views.py", "import django.http\nfrom ..web import ComponentApp\n")
    _write(root, "litestar/ok.py", "import litestar\nfrom ..core import protocol\n")
    _write(root, "core/adapter.py", "import django\n")
    _write(root, "flask/ok.py", "import flask, flask_login, simple_websocket\n")
    _write(root, "flask/bad.py", "import jinjax\nfrom ..django import views\n")
    _write(root, "web/bad.py", "from flask import Flask\n")
    assert find_violations(root) == [
        "component_framework/core/adapter.py:1: core imports django",
        "component_framework/core/bad.py:2: core imports starlette",
        "component_framework/core/bad.py:3: core imports component_framework.web",
        "component_framework/core/bad.py:7: core imports copier",
        "component_framework/devserver/app.py:2: devserver imports component_framework.cli",
        "component_framework/django/views.py:2: django imports component_framework.web",
        "component_framework/flask/bad.py:1: flask imports jinjax",
        "component_framework/flask/bad.py:2: flask imports component_framework.django",
        "component_framework/testing.py:1: other imports watchfiles",
        "component_framework/web/__init__.py:2: web imports uvicorn",
        "component_framework/web/bad.py:1: web imports flask",
    ]


@pytest.mark.parametrize(("library", "home"), sorted(OPTIONAL.items()))
def test_ruff_bans_each_optional_library_outside_its_layer(library: str, home: str) -> None:
    # The editor's view of the same rule: ruff's banned-api (pyproject.toml).
    project = Path(component_framework.__file__).parents[1]

    def banned(where: str) -> bool:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--select",
                "TID251",
                "--stdin-filename",
                f"component_framework/{where}/probe.py",
                "-",
            ],
            input=f"import {library}\n",
            capture_output=True,
            text=True,
            cwd=project,
            check=False,
        )
        return "TID251" in result.stdout

    assert banned("core") and banned("cli")
    assert not banned(home)
