"""Shared fixtures: a fixed signing key, a fresh registry and an in-memory template set."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2
import pytest

os.environ.setdefault("CF_SECRET_KEY", "test-secret-key-0123456789abcdef")

from component_framework.core import ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.core.signing import Signer


@pytest.fixture
def signer() -> Signer:
    """A signer with a fixed key and release "1"."""
    return Signer(["test-secret-key-0123456789abcdef"], release="1")


@pytest.fixture
def fresh_registry() -> ComponentRegistry:
    """An empty registry, so tests never collide on component names."""
    return ComponentRegistry()


@pytest.fixture
def templates() -> Iterator[Callable[..., JinjaRenderer]]:
    """Factory: ``templates(**{"name.html": source})`` installs them as the default renderer."""
    previous: list[object] = []

    def install(**sources: str) -> JinjaRenderer:
        renderer = JinjaRenderer(loader=jinja2.DictLoader(sources))
        previous.append(set_default_renderer(renderer))
        return renderer

    yield install
    if previous:
        set_default_renderer(previous[0])  # type: ignore[arg-type]


# ---------- Projects for cf and project discovery (tests/cli, tests/scaffolds) ----------


@pytest.fixture
def project_state() -> Iterator[None]:
    """Undo what loading a project does: imported modules, sys.path, registry, renderer."""
    import sys

    from component_framework.core import registry
    from component_framework.core.renderer import get_default_renderer

    modules, path, names = set(sys.modules), list(sys.path), set(registry)
    renderer = get_default_renderer()
    yield
    # Forget only the project's own modules (under the roots added to sys.path).
    roots = tuple(p for p in sys.path if p not in path)
    for name in set(sys.modules) - modules:
        filename = getattr(sys.modules[name], "__file__", None) or ""
        if roots and filename.startswith(roots):
            del sys.modules[name]
    sys.path[:] = path
    for name in set(registry) - names:
        registry.unregister(name)
    set_default_renderer(renderer)


@pytest.fixture
def make_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project_state: None
) -> Callable[..., Path]:
    """Factory: ``make_project({"app/components/x.py": source, ...})`` writes a project and chdirs.

    ``pyproject.toml`` defaults to ``[tool.cf]`` with components ``app.components`` and
    templates ``app/templates``; pass ``pyproject=None`` to write none.
    """
    import importlib

    default = '[tool.cf]\ncomponents = ["app.components"]\ntemplates = ["app/templates"]\n'

    def make(files: dict[str, str] | None = None, *, pyproject: str | None = default) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        if pyproject is not None:
            (root / "pyproject.toml").write_text(pyproject)
        for relative, source in (files or {}).items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source)
        importlib.invalidate_caches()
        monkeypatch.chdir(root)
        monkeypatch.delenv("CF_APP", raising=False)
        return root

    return make
