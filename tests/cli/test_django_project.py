"""``cf new project --framework django``, and cf inside the Django project it makes.

Real processes (cf sets Django up, once per process): the scaffold, ``manage.py check`` and
``migrate``, ``cf registry list``, ``cf dispatch`` of a handler, ``cf check`` and the
project's own tests (pytest-django).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_process import _cf, _run

PAGE = (
    "import django\n"
    "django.setup()\n"
    "from django.test import Client\n"
    "print(Client().get('/').content.decode())\n"
)


def test_a_new_django_project_works_with_cf(tmp_path: Path) -> None:
    made = _run(_cf(), "new", "project", "mysite", "--framework", "django", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "python manage.py migrate" in made.stdout
    root = tmp_path / "mysite"
    assert (root / "manage.py").is_file() and (root / "pages" / "components.py").is_file()
    settings = (root / "mysite" / "settings.py").read_text()
    assert '"component_framework.django"' in settings and "django-insecure-" in settings

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CF_APP")}
    for command in (["check"], ["migrate", "-v", "0"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    shown = subprocess.run(
        [sys.executable, "-c", PAGE],
        cwd=root,
        env={**env, "DJANGO_SETTINGS_MODULE": "mysite.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert 'data-cf-component="counter"' in shown.stdout
    assert '<link rel="icon"' in shown.stdout  # else every page load asks for /favicon.ico

    listed = _run(_cf(), "registry", "list", "--json", cwd=root)
    assert listed.returncode == 0, listed.stderr
    assert [entry["name"] for entry in json.loads(listed.stdout)] == ["counter"]

    dispatched = _run(
        _cf(), "dispatch", "counter", "increment", "--state", '{"count": 2}', "--json", cwd=root
    )
    assert dispatched.returncode == 0, dispatched.stderr
    assert json.loads(dispatched.stdout)["state"] == {"count": 3}

    checked = _run(_cf(), "check", cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "warning" not in checked.stdout + checked.stderr  # the starter follows its own advice

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout
