"""The reload loop with the real watcher: what reaches the page, and what never does."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from component_framework.core import registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.devserver._channel import LiveChannel
from component_framework.devserver._reloader import DevReloader

Edit = Callable[[Path, str, str], None]


class Running:
    def __init__(self, reloader: DevReloader, queue: asyncio.Queue[dict[str, Any] | None]):
        self.reloader = reloader
        self.queue = queue

    async def next_reload(self) -> dict[str, Any]:
        """The next ``reload`` message (the timeout only stops a broken test from hanging)."""
        while True:
            message = await asyncio.wait_for(self.queue.get(), 20)
            assert message is not None
            if message["type"] == "reload":
                return message


@pytest.fixture
async def running(demo_project: Path) -> AsyncIterator[Running]:
    import sys

    sys.path.insert(0, str(demo_project))
    templates = demo_project / "cfdev_demo" / "templates"
    set_default_renderer(JinjaRenderer([templates]))
    channel = LiveChannel()
    reloader = DevReloader(
        ["cfdev_demo.components"], [templates], channel, registry=registry, step_ms=20
    )
    reloader.load()
    queue = channel.subscribe()
    stop = asyncio.Event()
    task = asyncio.create_task(reloader.watch(stop))
    await asyncio.wait_for(reloader.watching.wait(), 10)  # the test writes files after this
    yield Running(reloader, queue)
    stop.set()
    await asyncio.wait_for(task, 10)


def _html(name: str, state: dict[str, Any] | None = None) -> str:
    result = registry[name](component_id="c-1").dispatch(state=state)
    return str(result["html"])


async def test_a_template_save_reloads_and_clears_the_cache(
    running: Running, demo_project: Path, edit: Edit
) -> None:
    template = demo_project / "cfdev_demo" / "templates" / "counter.html"
    assert "<b class" in _html("counter")
    edit(template, "<b class", "<strong class")
    message = await running.next_reload()
    assert message["kind"] == "template"
    assert message["files"] == [str(template.resolve())]
    assert message["errors"] == []
    assert '<strong class="count">5<' in _html("counter", {"count": 5, "step": 1})


async def test_files_the_app_writes_never_reach_the_page(
    running: Running, demo_project: Path, edit: Edit
) -> None:
    package = demo_project / "cfdev_demo" / "components"
    templates = demo_project / "cfdev_demo" / "templates"
    (package / "app.log").write_text("GET / 200\n")
    (package / "data.sqlite3").write_bytes(b"SQLite format 3\0")
    (templates / "render.log").write_text("rendered\n")
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (package / ".counter.py.swp").write_bytes(b"\0")
    template = templates / "counter.html"
    edit(template, "<b class", "<em class")
    message = await running.next_reload()
    # Written first, yet the first reload is the template's alone.
    assert message["files"] == [str(template.resolve())]


async def test_a_python_save_by_rename_reloads_the_module(
    running: Running, demo_project: Path
) -> None:
    module = demo_project / "cfdev_demo" / "components" / "counter.py"
    old_class = registry["counter"]
    temporary = module.with_name(".counter.py.tmp")
    temporary.write_text(module.read_text().replace('LABEL = "Count"', 'LABEL = "Renamed"'))
    os.replace(temporary, module)
    message = await running.next_reload()
    assert message["kind"] == "python"
    assert "cfdev_demo.components.counter" in message["modules"]
    assert registry["counter"] is not old_class
    assert "Renamed" in _html("counter", {"count": 1, "step": 1})


async def test_a_broken_module_reports_then_recovers(
    running: Running, demo_project: Path, edit: Edit
) -> None:
    module = demo_project / "cfdev_demo" / "components" / "counter.py"
    edit(module, 'LABEL = "Count"', 'LABEL = "Count')
    broken = await running.next_reload()
    (error,) = broken["errors"]
    assert error["kind"] == "syntax"
    assert error["file"] == str(module.resolve())
    assert error["line"] == 9
    assert "Count" in _html("counter", {"count": 1, "step": 1})  # the last good code serves
    edit(module, 'LABEL = "Count', 'LABEL = "Again"')
    fixed = await running.next_reload()
    assert fixed["errors"] == []
    assert "Again" in _html("counter", {"count": 1, "step": 1})


async def test_a_broken_template_reports_then_recovers(
    running: Running, demo_project: Path, edit: Edit
) -> None:
    template = demo_project / "cfdev_demo" / "templates" / "counter.html"
    edit(template, "{{ state.count }}", "{{ state.count }")
    broken = await running.next_reload()
    (error,) = broken["errors"]
    assert error["kind"] == "template"
    assert error["file"].endswith("counter.html") and error["line"] == 1
    edit(template, "{{ state.count }", "{{ state.count }}")
    fixed = await running.next_reload()
    assert fixed["errors"] == []


async def test_a_new_component_file_is_registered(running: Running, demo_project: Path) -> None:
    (demo_project / "cfdev_demo" / "components" / "extra.py").write_text(
        "from component_framework.core import Component, registry\n\n\n"
        '@registry.register("extra")\n'
        "class Extra(Component):\n"
        '    template_name = "counter.html"\n'
    )
    message = await running.next_reload()
    assert message["added"] == ["extra"]
    assert "extra" in registry
