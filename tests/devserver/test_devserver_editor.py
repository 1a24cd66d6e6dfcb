"""Open in editor: URL schemes for the links, or a command the dev server runs (loopback only)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from component_framework._editor import editor_url
from component_framework.devserver import create_dev_app
from component_framework.project import ProjectConfigError, load_project

DEV = {"X-CF-Dev": "1"}


def test_known_editors_are_url_schemes_and_anything_else_a_command() -> None:
    assert editor_url("vscode") == "vscode://file/{file}:{line}"
    assert editor_url("pycharm") == "pycharm://open?file={file}&line={line}"
    assert editor_url("myide://go?f={file}&l={line}") == "myide://go?f={file}&l={line}"
    assert editor_url("code -g {file}:{line}") == ""


def _project(tmp_path: Path, demo_project: Path, editor: str) -> Path:
    project = tmp_path / "p"
    shutil.copytree(demo_project, project, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"editor = {json.dumps(editor)}\n")
    return project


def test_the_dev_server_runs_the_editor_command_for_loopback_only(
    tmp_path: Path, demo_project: Path
) -> None:
    opened = tmp_path / "opened.txt"
    script = f"import sys; open({str(opened)!r}, 'w').write(' '.join(sys.argv[1:]))"
    editor = f'{sys.executable} -c "{script}" {{file}} {{line}}'
    project = _project(tmp_path, demo_project, editor)
    app = create_dev_app(load_project(project), reload=False, report=None)
    module = project / "cfdev_demo" / "components" / "counter.py"
    with TestClient(app, client=("127.0.0.1", 5000)) as client:
        page = client.get("/")
        assert 'data-editor=""' in page.text  # links go through the server
        reply = client.post("/__cf__/open", json={"file": str(module), "line": 12}, headers=DEV)
        assert reply.status_code == 200, reply.text
        deadline = time.monotonic() + 20
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == f"{module.resolve()} 12"
        outside = client.post("/__cf__/open", json={"file": "/etc/passwd", "line": 1}, headers=DEV)
        assert outside.status_code == 403 and "not a file of the project" in outside.text
        no_header = client.post("/__cf__/open", json={"file": str(module), "line": 1})
        assert no_header.status_code == 400
    with TestClient(app, client=("203.0.113.9", 5000)) as remote:
        refused = remote.post("/__cf__/open", json={"file": str(module), "line": 1}, headers=DEV)
        assert refused.status_code == 403 and "this machine only" in refused.text


def test_a_url_scheme_editor_is_linked_from_the_pages(tmp_path: Path, demo_project: Path) -> None:
    project = _project(tmp_path, demo_project, "pycharm")
    app = create_dev_app(load_project(project), reload=False, report=None)
    with TestClient(app) as client:
        page = client.get("/")
        assert 'data-editor="pycharm://open?file={file}&amp;line={line}"' in page.text
        assert 'class="cf-open cf-card-source"' in page.text


def test_a_malformed_editor_setting_is_a_config_error(tmp_path: Path, demo_project: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(demo_project, project, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "editor = 3\n")
    with pytest.raises(ProjectConfigError, match="editor must be a string"):
        load_project(project)
