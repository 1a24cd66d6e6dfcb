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


SHOP_COMPONENTS = """
from component_framework.core import Component, IsAuthenticated, registry

from .models import Note


@registry.register("notes")
class Notes(Component):
    template_name = "notes.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = Note.objects.count()

    def on_bump(self) -> None:
        self.state["count"] += 1


@registry.register("private")
class Private(Component):
    template_name = "notes.html"
    permission_classes = [IsAuthenticated]
"""


def _startproject(root: Path) -> None:
    """``django-admin startproject mysite .`` and an app ``shop`` with a component: no
    pyproject.toml, no [tool.cf], as a Django developer has it."""
    made = subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    settings = root / "mysite" / "settings.py"
    settings.write_text(
        settings.read_text() + '\nINSTALLED_APPS += ["component_framework.django", "shop"]\n'
    )
    shop = root / "shop"
    (shop / "jinja2").mkdir(parents=True)
    (shop / "__init__.py").write_text("")
    (shop / "models.py").write_text(
        "from django.db import models\n\n\nclass Note(models.Model):\n"
        "    text = models.CharField(max_length=20)\n"
    )
    (shop / "components.py").write_text(SHOP_COMPONENTS)
    (shop / "jinja2" / "notes.html").write_text("<p>{{ state.count }} notes</p>")


def test_cf_finds_a_plain_startproject_projects_settings_from_manage_py(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    _startproject(root)
    env = ("DJANGO_SETTINGS_MODULE",)
    listed = _run(_cf(), "registry", "list", "--json", cwd=root, unset=env)
    assert listed.returncode == 0, listed.stderr
    assert [entry["name"] for entry in json.loads(listed.stdout)] == ["notes", "private"]
    # From a subfolder too, as from anywhere inside the project.
    dispatched = _run(
        _cf(), "dispatch", "notes", "bump", "--state", '{"count": 1}', "--json",
        cwd=root / "shop", unset=env,
    )  # fmt: skip
    assert dispatched.returncode == 0, dispatched.stderr
    assert json.loads(dispatched.stdout)["state"] == {"count": 2}

    # As a user: Django's, by username (the settings startproject writes have DEBUG = True).
    manage = [sys.executable, "manage.py"]
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    for command in (
        ["migrate", "-v", "0"],
        [
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_user('ann')",
        ],
    ):
        done = subprocess.run([*manage, *command], cwd=root, env=environ, capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    refused = _run(_cf(), "dispatch", "private", cwd=root, unset=env)
    assert refused.returncode == 1
    assert "IsAuthenticated refused no user (run as one with --user NAME)" in refused.stderr
    as_ann = _run(_cf(), "dispatch", "private", "--user", "ann", "--json", cwd=root, unset=env)
    assert as_ann.returncode == 0, as_ann.stderr
    nobody = _run(_cf(), "dispatch", "private", "--user", "nobody", cwd=root, unset=env)
    assert nobody.returncode == 2 and "no user 'nobody' in the database" in nobody.stderr


WATCHED = (
    "from component_framework.devserver.app import create_dev_app\n"
    "from component_framework.project import load_project\n"
    "app = create_dev_app(load_project(), reload=True, report=None)\n"
    "for path in app.state.dev.reloader.watch_paths:\n"
    "    print(path.as_posix())\n"
)


def test_cf_dev_watches_a_plain_startproject_projects_own_apps(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    _startproject(root)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CF_APP")}
    done = subprocess.run([sys.executable, "-c", WATCHED], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The app's package (its components and the code they use), with its jinja2/ folder
    # inside it; nothing of Django's own or of installed packages.
    assert done.stdout.split() == [(root / "shop").resolve().as_posix()]


def test_a_django_project_cf_cannot_set_up_gets_the_django_fix(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    _startproject(root)
    # A manage.py cf cannot read, and [tool.cf] naming the components alone.
    (root / "manage.py").write_text("import sys\nfrom mysite import boot\nboot(sys.argv)\n")
    env = ("DJANGO_SETTINGS_MODULE",)
    refused = _run(_cf(), "registry", "list", cwd=root, unset=env)
    assert refused.returncode != 0
    assert 'django_settings = "mysite.settings"' in refused.stderr
    (root / "manage.py").unlink()
    (root / "pyproject.toml").write_text('[tool.cf]\ncomponents = ["shop.components"]\n')
    refused = _run(_cf(), "registry", "list", cwd=root, unset=env)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert 'add django_settings = "mysite.settings"' in refused.stderr
    (root / "pyproject.toml").write_text(
        '[tool.cf]\ncomponents = ["shop.components"]\ndjango_settings = "mysite.settings"\n'
    )
    listed = _run(_cf(), "registry", "list", "--json", cwd=root, unset=env)
    assert listed.returncode == 0, listed.stderr
