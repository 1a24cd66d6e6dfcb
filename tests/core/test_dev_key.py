"""The development key: per project, kept in an ignored file, made once, shared by every start."""

from __future__ import annotations

import logging
import subprocess
import threading
from pathlib import Path

import pytest

from component_framework.core._dev_key import development_key, key_path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    (tmp_path / "shop" / "templates").mkdir(parents=True)
    return tmp_path


def test_the_key_is_made_once_in_the_project_and_kept(project: Path) -> None:
    key = development_key(project / "shop" / "templates")  # from anywhere inside the project
    assert key is not None and len(key) >= 40
    assert key_path(project / "shop") == project / ".cf" / "secret-key"
    assert (project / ".cf" / "secret-key").read_text().strip() == key
    assert (project / ".cf" / "secret-key").stat().st_mode & 0o077 == 0  # owner only
    assert development_key(project) == key  # a restart reads the same key


def test_without_a_pyproject_the_working_folder_keeps_it(tmp_path: Path) -> None:
    assert key_path(tmp_path) == tmp_path / ".cf" / "secret-key"


def test_git_ignores_the_key_without_being_told(project: Path) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    development_key(project)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".cf" not in status
    assert "pyproject.toml" in status


def test_processes_starting_at_once_agree_on_one_key(project: Path) -> None:
    keys: list[str | None] = []
    threads = [
        threading.Thread(target=lambda: keys.append(development_key(project))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and keys[0] is not None
    assert sorted(p.name for p in (project / ".cf").iterdir()) == [".gitignore", "secret-key"]


def test_an_emptied_key_file_is_replaced(project: Path) -> None:
    first = development_key(project)
    (project / ".cf" / "secret-key").write_text("")
    second = development_key(project)
    assert second and second != first
    assert development_key(project) == second


def test_a_key_that_cannot_be_kept_is_a_warning_and_none(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (project / ".cf").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger="component_framework.security"):
        assert development_key(project) is None
    assert "Cannot keep a development key in" in caplog.text
    assert "open pages stop working when it restarts" in caplog.text
