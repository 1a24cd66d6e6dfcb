"""Fixtures of the dev server tests: throwaway projects in temporary folders."""

from __future__ import annotations

import shutil
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from component_framework.core import registry
from component_framework.core.renderer import get_default_renderer, set_default_renderer

DEMO_PROJECT = Path(__file__).parent / "demo_project"


def _forget(prefix: str) -> None:
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        del sys.modules[name]
    for name, cls in registry.items():
        if cls.__module__ == prefix or cls.__module__.startswith(prefix + "."):
            registry.unregister(name)


class PackageFactory:
    """Writes a uniquely named package under a temporary folder on ``sys.path``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = f"cfdev_pkg_{uuid.uuid4().hex[:8]}"
        self.folder = root / self.name
        self.folder.mkdir()
        (self.folder / "__init__.py").write_text("")

    def write(self, relative: str, source: str) -> Path:
        """Write ``source`` (dedented; ``PKG`` replaced by the package name) to *relative*."""
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).replace("PKG", self.name))
        return path

    def component(self, relative: str, name: str, label: str = "one", extra: str = "") -> Path:
        """Write a module registering component *name* whose ``label()`` returns *label*."""
        source = f"""
            from component_framework.core import Component, registry
            {extra}

            @registry.register("{name}")
            class Widget(Component):
                template_name = "widget.html"

                def label(self):
                    return "{label}"

                def on_ping(self, times: int = 1):
                    self.state["pings"] = self.state.get("pings", 0) + times
            """
        return self.write(relative, source)


@pytest.fixture
def package(tmp_path: Path) -> Iterator[PackageFactory]:
    """A fresh package; its modules and registered components are removed afterwards."""
    sys.path.insert(0, str(tmp_path))
    factory = PackageFactory(tmp_path)
    yield factory
    sys.path.remove(str(tmp_path))
    _forget(factory.name)


@pytest.fixture
def demo_project(tmp_path: Path) -> Iterator[Path]:
    """A copy of tests/devserver/demo_project, its modules forgotten afterwards."""
    target = tmp_path / "demo"
    shutil.copytree(DEMO_PROJECT, target, ignore=shutil.ignore_patterns("__pycache__"))
    previous = get_default_renderer()
    # Another test may have left its own "counter" in the global registry; step it aside.
    taken = {name: registry.unregister(name) for name in ("counter", "countdown", "signup")}
    yield target
    set_default_renderer(previous)
    _forget("cfdev_demo")
    for name, cls in taken.items():
        if cls is not None and name not in registry:
            registry.register(name)(cls)
    while str(target) in sys.path:
        sys.path.remove(str(target))


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace *old* by *new* in a file, failing loudly if *old* is not there."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new))

    return replace
