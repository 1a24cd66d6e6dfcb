"""What the watcher ignores and how it classifies a batch of changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from component_framework.devserver._watch import ChangeSet, DevFilter, SnapshotCache, classify


@pytest.mark.parametrize(
    "path",
    [
        "app/server.log",
        "app/server.log.1",
        "app/data.sqlite",
        "app/data.sqlite3",
        "app/data.sqlite-journal",
        "app/data.sqlite3-wal",
        "app/data.db",
        "app/__pycache__/counter.cpython-311.pyc",
        "app/counter.pyc",
        ".git/index",
        "app/.git/HEAD",
        "app/.counter.py.swp",
        "app/.counter.py.swx",
        "app/counter.py~",
        "app/.#counter.py",
        "app/#counter.py#",
        "app/4913",
        "app/counter.py___jb_tmp___",
        "app/node_modules/x/index.html",
        "app/.mypy_cache/3.11/x.json",
    ],
)
def test_files_the_app_or_tools_write_are_ignored(path: str) -> None:
    from component_framework.devserver._watch import is_ignored

    assert is_ignored(path)


@pytest.mark.parametrize("path", ["app/counter.py", "app/templates/counter.html", "app/log.py"])
def test_sources_are_not_ignored(path: str) -> None:
    from component_framework.devserver._watch import is_ignored

    assert not is_ignored(path)


def test_filter_keeps_python_anywhere_and_any_file_under_template_folders(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    keep = DevFilter([templates])
    assert keep(None, str(tmp_path / "pkg" / "counter.py"))
    assert keep(None, str(templates / "counter.html"))
    assert keep(None, str(templates / "partials" / "row.jinja"))
    assert not keep(None, str(tmp_path / "pkg" / "notes.md"))
    assert not keep(None, str(templates / "debug.log"))
    assert not keep(None, str(tmp_path / "pkg" / "db.sqlite3"))


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    package = tmp_path / "pkg"
    templates = package / "templates"
    templates.mkdir(parents=True)
    (package / "counter.py").write_text("x = 1\n")
    (templates / "counter.html").write_text("<p></p>\n")
    return package, templates


def test_classify_sorts_python_and_templates(tmp_path: Path) -> None:
    package, templates = _tree(tmp_path)
    (tmp_path / "elsewhere.py").write_text("")
    changes = classify(
        [package / "counter.py", templates / "counter.html", tmp_path / "elsewhere.py"],
        [templates],
        [package],
    )
    assert changes.python == [(package / "counter.py").resolve()]
    assert changes.templates == [(templates / "counter.html").resolve()]
    assert changes.removed_python == []
    assert changes.kind == "python"


def test_a_template_only_batch_is_a_template_reload(tmp_path: Path) -> None:
    package, templates = _tree(tmp_path)
    changes = classify([templates / "counter.html"], [templates], [package])
    assert changes.kind == "template"
    assert bool(changes)
    assert not ChangeSet()


def test_a_save_by_rename_counts_as_a_change_not_a_removal(tmp_path: Path) -> None:
    # Editors that write a temporary file and rename it over the original report the
    # original as deleted (and added); what counts is that the file is there now.
    package, templates = _tree(tmp_path)
    temporary = package / ".counter.py.tmp"
    temporary.write_text("x = 2\n")
    os.replace(temporary, package / "counter.py")
    changes = classify([package / "counter.py", temporary], [templates], [package])
    assert changes.python == [(package / "counter.py").resolve()]
    assert changes.removed_python == []


def test_a_deleted_module_is_reported_as_removed(tmp_path: Path) -> None:
    package, templates = _tree(tmp_path)
    (package / "counter.py").unlink()
    changes = classify([package / "counter.py"], [templates], [package])
    assert changes.removed_python == [(package / "counter.py").resolve()]
    assert changes.python == []


def test_ignored_files_in_a_batch_are_dropped(tmp_path: Path) -> None:
    package, templates = _tree(tmp_path)
    (package / "app.log").write_text("GET /\n")
    (package / "db.sqlite3").write_text("")
    (templates / ".counter.html.swp").write_text("")
    changes = classify(
        [package / "app.log", package / "db.sqlite3", templates / ".counter.html.swp"],
        [templates],
        [package],
    )
    assert not changes


def test_a_burst_of_events_for_one_content_reloads_once(tmp_path: Path) -> None:
    # A burst of saves arrives as several batches; once a content has been reloaded, later
    # batches reporting the same content (touch, save without edits, editor rewrites) do
    # nothing, so they cannot cause a loop.
    package, templates = _tree(tmp_path)
    cache = SnapshotCache()
    cache.prime([package / "counter.py", templates / "counter.html"])
    assert not classify([package / "counter.py"], [templates], [package], cache=cache)
    for value in range(5):
        (package / "counter.py").write_text(f"x = {value}\n")
    first = classify([package / "counter.py"], [templates], [package], cache=cache)
    again = classify([package / "counter.py"], [templates], [package], cache=cache)
    assert first.python == [(package / "counter.py").resolve()]
    assert not again
    (package / "counter.py").touch()
    assert not classify([package / "counter.py"], [templates], [package], cache=cache)
