"""What the dev server watches, what it ignores, and how a batch of changes is classified.

The watcher follows directories, not file handles, so an editor that saves by writing a
temporary file and renaming it over the original is seen as a change of the original. Files
the app or the tools write themselves (logs, SQLite databases, bytecode, VCS metadata, editor
swap and backup files) are ignored, so they cannot cause a reload loop.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ChangeSet", "DevFilter", "SnapshotCache", "classify", "is_ignored"]

_IGNORED_DIRS = frozenset(
    {
        "__pycache__",
        ".git",
        ".hg",
        ".svn",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "node_modules",
        ".idea",
        ".vscode",
    }
)
_IGNORED_NAMES = (
    "*.log",
    "*.log.*",
    "*.sqlite",
    "*.sqlite3",
    "*.sqlite-*",
    "*.sqlite3-*",
    "*.db",
    "*.db-journal",
    "*.db-wal",
    "*.db-shm",
    "*.py[cod]",
    "*.sw?",  # vim swap files (.swp, .swo, ...)
    "*~",  # vim/emacs backups, gedit temp files
    ".#*",  # emacs lock files
    "#*#",  # emacs auto-save
    "4913",  # vim's "can I write here" probe file
    "*.tmp",
    "*.temp",
    "*.bak",
    "*.orig",
    "*.kate-swp",
    "*___jb_tmp___",  # JetBrains safe-write
    "*___jb_old___",
    ".DS_Store",
    "flycheck_*",
    ".~lock.*",
)


def is_ignored(path: str | os.PathLike[str]) -> bool:
    """Return True for files the dev server must never react to (logs, databases, temp files)."""
    parts = Path(path).parts
    if any(part in _IGNORED_DIRS for part in parts[:-1]):
        return True
    name = parts[-1] if parts else ""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _IGNORED_NAMES)


class DevFilter:
    """A ``watchfiles`` filter: keep Python sources and template files, drop everything ignored."""

    def __init__(self, template_dirs: Sequence[Path] = ()) -> None:
        self.template_dirs = [Path(p).resolve() for p in template_dirs]

    def __call__(self, change: object, path: str) -> bool:
        if is_ignored(path):
            return False
        resolved = Path(path)
        if resolved.suffix == ".py":
            return True
        return any(resolved.is_relative_to(root) for root in self.template_dirs)


@dataclass
class ChangeSet:
    """One batch of changes, sorted by what the dev server must do about them.

    Attributes:
        python: Python files that exist and changed (added, modified, or renamed into place).
        removed_python: Python files that are gone.
        templates: Template files that changed, were added or removed.
    """

    python: list[Path] = field(default_factory=list)
    removed_python: list[Path] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.python or self.removed_python or self.templates)

    @property
    def kind(self) -> str:
        """``"python"`` if any Python changed (a re-render follows), else ``"template"``."""
        return "python" if self.python or self.removed_python else "template"


def classify(
    paths: Iterable[str | os.PathLike[str]],
    template_dirs: Sequence[Path],
    python_roots: Sequence[Path] = (),
    *,
    cache: SnapshotCache | None = None,
) -> ChangeSet:
    """Sort changed *paths* into Python and template changes.

    The kind of filesystem event is not trusted: an editor saving by rename reports the
    original as deleted and added in one batch, so whether a file is gone is read from the
    disk now. A file whose content is the same as when it was last seen (a ``touch``, a save
    without edits) is dropped when a *cache* is given. Templates are files under a template
    folder; Python files count when they lie under one of *python_roots* (all, if none given).
    """
    template_roots = [Path(p).resolve() for p in template_dirs]
    roots = [Path(p).resolve() for p in python_roots]
    result = ChangeSet()
    for raw in sorted({os.fspath(p) for p in paths}):
        if is_ignored(raw):
            continue
        path = Path(raw).resolve()
        exists = path.is_file()
        if any(path.is_relative_to(root) for root in template_roots):
            if cache is None or cache.changed(path):
                result.templates.append(path)
        elif path.suffix == ".py" and (not roots or any(path.is_relative_to(r) for r in roots)):
            if not exists:
                if cache is not None:
                    cache.forget(path)
                result.removed_python.append(path)
            elif cache is None or cache.changed(path):
                result.python.append(path)
    return result


class SnapshotCache:
    """Remembers a digest of each file seen, to drop changes that changed nothing."""

    def __init__(self) -> None:
        self._digests: dict[Path, str | None] = {}

    def prime(self, paths: Iterable[Path]) -> None:
        """Record the current content of *paths* without reporting them as changed."""
        for path in paths:
            self._digests[path.resolve()] = _digest(path.resolve())

    def changed(self, path: Path) -> bool:
        """Return True (and remember the new content) if *path* differs from the last look."""
        digest = _digest(path)
        if path in self._digests and self._digests[path] == digest:
            return False
        self._digests[path] = digest
        return True

    def forget(self, path: Path) -> None:
        """Drop what is known about *path* (it was removed)."""
        self._digests.pop(path, None)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None
