"""Shared fixtures: a fixed signing key, a fresh registry and an in-memory template set."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

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
