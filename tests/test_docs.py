"""Every Python code block in README.md and docs/*.md runs here, so the docs cannot drift.

The blocks of one file run in order, in one namespace, in an empty temporary folder (the
working directory), as a reader would paste them into one session; top-level ``await`` works.
Two fence markers, visible in the Markdown source:

- ```` ```html file=templates/counter.html ```` (any language): the block is written to that
  file before the following Python blocks run; the docs show the template they rely on.
- ```` ```python from=examples/todo/todo/store.py ```` (any language): the block shows that
  file of the repository, which must hold exactly the block's text; the file is run by its own
  tests (the tutorial shows examples/todo this way), so the block is compared, not run.
- ```` ```python fragment ````: a fragment that cannot run alone (a method shown out of its
  class); it is compiled, not run. Keep these few: ``test_fragments_are_few`` counts them.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Pages whose blocks tests/adapters/test_docs.py runs, each in a fresh interpreter (Django
# configures itself once per process); test_pages_run_elsewhere_are_run_there checks it does.
RUN_ELSEWHERE = {"django.md", "fastapi.md", "flask.md", "litestar.md", "templates.md"}
FILES = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in RUN_ELSEWHERE),
]
_FENCE = re.compile(r"^(`{3,})([^\n`]*)\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
MAX_FRAGMENTS = 3


@dataclass
class Block:
    path: Path
    line: int
    language: str
    options: list[str]
    source: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> Iterator[Block]:
    text = path.read_text(encoding="utf-8")
    for match in _FENCE.finditer(text):
        info = match.group(2).split()
        if not info:
            continue
        line = text.count("\n", 0, match.start()) + 2
        yield Block(path, line, info[0], info[1:], match.group(3))


def _option(block: Block, name: str) -> str | None:
    for option in block.options:
        if option.startswith(f"{name}="):
            return option.removeprefix(f"{name}=")
    return None


def _run(block: Block, namespace: dict[str, object]) -> None:
    code = compile(block.source, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)  # exec, or a coroutine when the block awaits
    if inspect.iscoroutine(result):
        asyncio.run(result)


@pytest.fixture
def empty_registry() -> Iterator[None]:
    """The docs register their own "counter": hide what other tests left registered."""
    from component_framework.core import registry

    saved = registry.items()
    for name, _ in saved:
        registry.unregister(name)
    yield
    for name in list(registry):
        registry.unregister(name)
    for name, cls in saved:
        registry.register(name)(cls)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(
    path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    project_state: None,
    empty_registry: None,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))  # `examples` and the package, as from a clone
    # A real module, so dataclasses and Pydantic models defined in a block find their module.
    module = types.ModuleType(f"docs_{path.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace: dict[str, object] = module.__dict__
    for block in blocks(path):
        source = _option(block, "from")
        if source is not None:
            shown = (ROOT / source).read_text(encoding="utf-8")
            assert block.source == shown, f"{block.where} differs from {source}"
            continue
        target = _option(block, "file")
        if target is not None:
            (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / target).write_text(block.source, encoding="utf-8")
        if block.language != "python":
            continue
        if "fragment" in block.options:
            compile(block.source, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            continue
        try:
            _run(block, namespace)
        except Exception as exc:
            raise AssertionError(f"the block at {block.where} failed: {exc!r}") from exc


def test_fragments_are_few() -> None:
    fragments = [b.where for p in FILES for b in blocks(p) if "fragment" in b.options]
    assert len(fragments) <= MAX_FRAGMENTS, fragments


def test_the_collector_finds_the_blocks() -> None:
    # A changed fence syntax must not make the test above pass by finding nothing.
    python = [b for b in blocks(ROOT / "README.md") if b.language == "python"]
    assert len(python) >= 2
    assert "from component_framework.core import" in python[0].source


def test_pages_run_elsewhere_are_run_there() -> None:
    from tests.adapters.test_docs import PAGES

    assert set(PAGES) >= RUN_ELSEWHERE


def test_the_htmx_pages_template_renders_strictly_as_cf_check_does() -> None:
    """cf check and cf dev render with undefined names as errors: the page's template passes."""
    import jinja2

    from component_framework.core.jinja import JinjaRenderer

    (template,) = (
        b for b in blocks(ROOT / "docs" / "htmx.md") if _option(b, "file") == "templates/notes.html"
    )
    strict = JinjaRenderer(loader=jinja2.DictLoader({"notes.html": template.source}), strict=True)
    context = {"state": {"notes": ["milk"]}, "component_id": "notes-1", "slots": {}}
    assert "<li>milk</li>" in strict.render("notes.html", {**context, "errors": {}})
    refused = strict.render("notes.html", {**context, "errors": {"text": "Write a note first."}})
    assert '<p class="error">Write a note first.</p>' in refused
