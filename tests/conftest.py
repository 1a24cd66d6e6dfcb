"""Shared fixtures: a fixed signing key, a fresh registry and an in-memory template set."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

os.environ.setdefault("CF_SECRET_KEY", "test-secret-key-0123456789abcdef")

from component_framework.core import ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.core.signing import Signer
from component_framework.testing import cf_defaults  # noqa: F401  (the public fixture)
from tests._moto import s3_server
from tests._redis import RedisServer
from tests._resources import C, Closable, Closing
from tests._wheel import ROOT, TutorialRun, build_wheelhouse, offline_env, tutorial_script


@pytest.fixture
def signer() -> Signer:
    """A signer with a fixed key and release "1"."""
    return Signer(["test-secret-key-0123456789abcdef"], release="1")


@pytest.fixture
def closing() -> Iterator[Closing[C]]:
    """``closing(resource)`` returns *resource* and closes it when the test ends, pass or fail.

    Nothing a test opens is left for the garbage collector: an unclosed resource (a database
    connection, a file, a socket) warns when collected, and the suite treats warnings as errors.
    """
    opened: list[Closable] = []

    def register(resource: C) -> C:
        opened.append(resource)
        return resource

    yield register
    for resource in reversed(opened):
        resource.close()


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


# ---------- Where user code runs (the event loop must never run a sync component's) ----------

HOOKS = {
    "permission",
    "__init__",
    "mount",
    "hydrate",
    "handler",
    "before_render",
    "render",
    "dehydrate",
    "get_optimistic_patch",
    "child mount",
    "child render",
}
"""Every hook ``watched_component`` reports (a first render skips ``hydrate`` and ``handler``)."""


class LoopWatch:
    """Records each piece of user code a component runs, and which of them ran on an event loop.

    The ``watched`` fixture registers a sync component whose every hook reports here; after
    any path (events, streams, pushes, optimistic patches) ``watch.on_loop`` must stay empty.
    """

    hooks = HOOKS

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.on_loop: list[str] = []

    def note(self, what: str) -> None:
        import asyncio

        self.ran.append(what)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a thread without an event loop: a worker thread
        self.on_loop.append(what)


def watched_component(registry: Any, watch: LoopWatch, name: str = "watched") -> type:
    """Register *name*: a sync StreamingComponent with a slot child, every hook noted in *watch*."""
    from component_framework.core import BasePermission, Component, StreamingComponent
    from component_framework.core.renderer import Renderer

    class Watching(Renderer):
        def render(self, template_name: str, context: dict[str, Any]) -> str:
            watch.note("child render" if template_name == "child" else "render")
            return f'<button cf-click="go">{context["state"].get("count")}</button>'

    class Noted(BasePermission):
        def has_permission(self, request: Any, component_cls: type) -> bool:
            watch.note("permission")
            return True

    class Child(Component):
        renderer = Watching()
        template_name = "child"

        def mount(self) -> None:
            watch.note("child mount")
            super().mount()

    @registry.register(name)
    class Watched(StreamingComponent):
        renderer = Watching()
        template_name = "watched"
        permission_classes = [Noted]

        def __init__(self, **params: Any) -> None:
            watch.note("__init__")
            super().__init__(**params)
            self.fill_slot("child", Child())

        def mount(self) -> None:
            watch.note("mount")
            super().mount()
            self.state["count"] = 0

        def hydrate(self, state: dict[str, Any]) -> None:
            watch.note("hydrate")
            super().hydrate(state)

        def on_go(self, amount: int = 1) -> None:
            watch.note("handler")
            self.state["count"] += amount

        def before_render(self) -> None:
            watch.note("before_render")

        def dehydrate(self) -> dict[str, Any]:
            watch.note("dehydrate")
            return super().dehydrate()

        def get_optimistic_patch(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
            watch.note("get_optimistic_patch")
            return {"count": self.state["count"] + 1}

    return Watched


@pytest.fixture
def watched() -> Callable[..., LoopWatch]:
    """Factory: ``watch = watched(registry)`` registers ``watched``, a sync component whose every
    hook (``watch.hooks``) is noted; ``watch.on_loop`` lists those that ran on an event loop."""

    def register(registry: ComponentRegistry, name: str = "watched") -> LoopWatch:
        watch = LoopWatch()
        watched_component(registry, watch, name)
        return watch

    return register


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


# ---------- A real redis-server (Debian's package), for Redis stores and brokers ----------


@pytest.fixture(scope="session")
def _redis_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_server(_redis_process: RedisServer) -> RedisServer:
    """A running ``redis-server`` on a free port in a temporary folder, empty, its statistics
    at zero: one process for the session, reset before each test (started again when a test
    left it stopped).

    ``.url`` is its URL; ``.stop()``, ``.start()`` and ``.restart()`` simulate outages.
    Outside CI a missing ``redis-server`` skips the test; in CI (``CI=true``) it fails.
    """
    _redis_process.reset()
    return _redis_process


# ---------- moto's S3 server (a real S3-compatible server), for direct uploads ----------


@pytest.fixture(scope="session")
def s3_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of moto's S3 server, started once per session: each module makes its own bucket
    (``tests._moto.s3_client(s3_url, "bucket-of-the-module")``)."""
    with s3_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


# ---------- This project as a user installs it: its wheel, fresh venvs, the tutorial ----------


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with this project's wheel and every wheel installs from it need (built once)."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    build_wheelhouse(folder)
    return folder


@pytest.fixture(scope="session")
def tutorial(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> TutorialRun:
    """The tutorial, run once per session with pip limited to the wheelhouse."""
    folder = tmp_path_factory.mktemp("tutorial")
    tools = tmp_path_factory.mktemp("tools")
    (tools / "python").symlink_to(sys.executable)  # the reader's `python`
    env = offline_env(wheelhouse, PATH=f"{tools}{os.pathsep}{os.environ.get('PATH', '')}")
    script = tutorial_script((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8"))
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    return TutorialRun(folder, done.returncode, done.stdout + done.stderr)
