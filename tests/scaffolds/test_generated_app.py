"""`cf new project` end to end, pip-free: its tests pass, its app and `cf dev` serve the page.

The generated project is run as a user runs it (its README's commands), with this worktree's
component_framework on PYTHONPATH instead of an install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from component_framework.project import load_project

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CF_SECRET_KEY", "CF_APP")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _script(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _serving(args: list[str], cwd: Path, env: dict[str, str], port: int) -> Iterator[str]:
    """Start a server process and wait until it answers; yield its base URL."""
    process = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a readiness wait, not a timed assertion
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"{args} exited with {process.returncode}:\n{output}")
            try:
                urllib.request.urlopen(base + "/", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"{args} did not answer on {base}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read().decode()


@pytest.fixture(scope="module")
def mysite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("new")
    made = subprocess.run(
        [_script("cf"), "new", "project", "mysite"],
        cwd=parent,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    return parent / "mysite"


def test_the_readme_starts_with_the_install_and_run_commands(mysite: Path) -> None:
    readme = (mysite / "README.md").read_text()
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0].startswith('python -m pip install -e ".[test]"')
    assert block[1].startswith("uvicorn mysite.app:app --reload")


def test_the_generated_tests_pass(mysite: Path) -> None:
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=mysite,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout


def test_a_plain_import_of_the_components_package_registers_them(mysite: Path) -> None:
    code = (
        "import mysite.components\n"
        "from component_framework.core import registry\n"
        "print(sorted(registry))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=mysite, env=_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['counter']"


def test_the_app_serves_the_page_with_uvicorn(mysite: Path) -> None:
    port = _free_port()
    args = [_script("uvicorn"), "mysite.app:app", "--port", str(port)]
    with _serving(args, mysite, _env(), port) as base:
        page = _get(base + "/")
        script = _get(base + "/cf/cf.js")
        stylesheet = _get(base + "/static/app.css")
    assert "<h1>Mysite</h1>" in page
    # One stylesheet for the page and for cf dev's previews ([tool.cf] styles).
    assert '<link rel="stylesheet" href="/static/app.css">' in page
    assert "system-ui" in stylesheet
    assert load_project(mysite).styles == [mysite / "mysite/static/app.css"]
    assert 'data-cf-component="counter"' in page
    assert "Count: 0" in page
    assert 'rel="icon"' in page  # else every page load logs a 404 for /favicon.ico
    assert "/cf/cf.js?v=" in page
    assert "morph" in script


def test_in_production_the_app_refuses_to_start_without_a_key(mysite: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import mysite.app"],
        cwd=mysite,
        env=_env(DEBUG="0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "No secret key: set CF_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr  # one line, not uvicorn's 40-line traceback


def test_cf_dev_serves_the_new_projects_components(mysite: Path) -> None:
    port = _free_port()
    args = [_script("cf"), "dev", "--port", str(port), "--no-reload"]
    with _serving(args, mysite, _env(), port) as base:
        gallery = _get(base + "/")
    assert "counter" in gallery


@pytest.fixture(scope="module")
def flask_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("new-flask")
    made = subprocess.run(
        [_script("cf"), "new", "project", "mysite", "--framework", "flask"],
        cwd=parent,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "flask --app mysite.app run --debug" in made.stdout
    return parent / "mysite"


def test_a_flask_projects_handlers_and_cf_check_follow_flasks_threads(flask_site: Path) -> None:
    # Under Flask `def` runs on the server's own thread, `async def` on a background loop.
    counter = (flask_site / "mysite" / "components" / "counter.py").read_text()
    assert "async def on_" not in counter and "runs on the server's own thread" in counter
    checked = subprocess.run([_script("cf"), "check"], cwd=flask_site, env=_env(),
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "warning" not in checked.stderr and "thread hop" not in checked.stderr


def test_a_flask_project_runs_its_tests_and_serves_its_page_with_flask_run(
    flask_site: Path,
) -> None:
    readme = (flask_site / "README.md").read_text()
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[1].startswith("flask --app mysite.app run --debug")
    assert "cf-components[flask]>=" in (flask_site / "pyproject.toml").read_text()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=flask_site,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout
    port = _free_port()
    # Without --debug's reloader, which restarts the server in a second process.
    args = [_script("flask"), "--app", "mysite.app", "run", "--port", str(port)]
    with _serving(args, flask_site, _env(), port) as base:
        page = _get(base + "/")
        script = _get(base + "/cf/cf.js")
        stylesheet = _get(base + "/static/app.css")
    assert "<h1>Mysite</h1>" in page and 'data-cf-component="counter"' in page
    assert "Count: 0" in page and "/cf/cf.js?v=" in page
    assert "morph" in script and "system-ui" in stylesheet
