"""Story snapshots: the rendered HTML of every story, in files a diff can review.

``cf snapshot`` writes ``tests/snapshots/<component>/<story>.html`` and, once, a
``tests/test_snapshots.py`` that renders each story again and compares: a template change
that alters a story's output fails that test until ``cf snapshot`` is run again on purpose.

Values that change on every render (component ids, signed state, checksums, push tokens of
nested components) are written as ``*``, so a snapshot changes only when the output does.
"""

from __future__ import annotations

import difflib
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from component_framework.core.protocol import (
    dispatch_message_sync,
    render_component,
    signed_message,
)
from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as default_registry
from component_framework.core.signing import Signer

from ._stories import Story, stories_of

__all__ = ["SnapshotResult", "check_snapshot", "story_html", "write_snapshots"]

_VOLATILE = re.compile(r'(data-cf-(?:id|state|checksum|token|optimistic))="[^"]*"')
_ID = re.compile(r"\bcomponent-[0-9a-f]{6,}\b")
# Snapshots write signed values as "*": any key will do, and none is asked of the environment
# (so no "CF_SECRET_KEY is not set" warning on every run).
_SIGNER = Signer([secrets.token_urlsafe(32)])

TEST_FILE = '''"""Each story renders as its snapshot in tests/snapshots (see `cf snapshot`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from component_framework.devserver import check_snapshot
from component_framework.project import load_project

# Import the [tool.cf] components and use its template folders, as `cf` does.
load_project(__file__).setup()

SNAPSHOTS = sorted((Path(__file__).parent / "snapshots").rglob("*.html"))


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_story_matches_its_snapshot(path: Path) -> None:
    problem = check_snapshot(path)
    assert problem is None, problem
'''


def story_html(story: Story, registry: ComponentRegistry = default_registry) -> str:
    """The HTML *story* renders (inside its root element), with volatile values as ``*``."""
    reply = render_component(
        story.component, None, params=story.params, registry=registry, signer=_SIGNER
    )
    if story.state is not None:
        try:
            mounted = json.loads(reply["state"])
        except ValueError:  # a server-held state: the reply holds a reference
            mounted = None
        merged = {**mounted, **story.state} if isinstance(mounted, dict) else dict(story.state)
        message = signed_message(
            story.component,
            None,
            None,
            merged,
            component_id=reply["component_id"],
            registry=registry,
            signer=_SIGNER,
        )
        reply = dispatch_message_sync(
            message, None, registry=registry, signer=_SIGNER, params=story.params
        )
    html: str = reply["html"]
    return _ID.sub("component-*", _VOLATILE.sub(r'\1="*"', html)).rstrip() + "\n"


@dataclass
class SnapshotResult:
    """The files written (new or changed), those unchanged, and stories that failed."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    test_file: Path | None = None


def write_snapshots(
    tests_dir: Path, *, registry: ComponentRegistry = default_registry, check: bool = False
) -> SnapshotResult:
    """Render every story into ``tests_dir/snapshots``; with *check*, only compare."""
    result = SnapshotResult()
    folder = tests_dir / "snapshots"
    for name, cls in sorted(registry.items()):
        try:
            stories = stories_of(name, cls)
        except ValueError as exc:
            result.errors.append(str(exc))
            continue
        for story in stories:
            path = folder / name / f"{story.name}.html"
            try:
                html = story_html(story, registry)
            except Exception as exc:  # reported per story; the others are still written
                result.errors.append(f"{story.id}: {type(exc).__name__}: {exc}")
                continue
            if path.is_file() and path.read_text(encoding="utf-8") == html:
                result.unchanged.append(path)
                continue
            result.written.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(html, encoding="utf-8")
    test_file = tests_dir / "test_snapshots.py"
    if not check and not test_file.exists():
        test_file.write_text(TEST_FILE, encoding="utf-8")
        result.test_file = test_file
    return result


def check_snapshot(path: Path, registry: ComponentRegistry = default_registry) -> str | None:
    """Compare the story of *path* (``.../<component>/<story>.html``) with its render.

    Returns None when they match, else what differs and how to accept the change.
    """
    component, name = path.parent.name, path.stem
    cls = registry.get(component)
    if cls is None:
        return f"{path}: no component {component!r} is registered; delete the snapshot."
    story = next((s for s in stories_of(component, cls) if s.name == name), None)
    if story is None:
        return f"{path}: {component} has no story {name!r} any more; delete the snapshot."
    expected = path.read_text(encoding="utf-8")
    actual = story_html(story, registry)
    if actual == expected:
        return None
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), str(path), "rendered now", lineterm=""
    )
    return (
        f"{story.id} renders differently from its snapshot; run `cf snapshot` to accept it.\n"
        + "\n".join(diff)
    )
