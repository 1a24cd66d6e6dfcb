"""The wheel, as a user installs it by its name into a fresh environment, offline.

Everything installs with ``--no-index --find-links`` from the session's wheelhouse
(tests/_wheel.py), so what works here is what the wheel itself declares. The environment the
wheel is installed into by name is made once for the module: each test leaves it with
cf-components working (the second repairs what it breaks).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from component_framework import __version__
from tests._wheel import Venv, make_venv, offline_env

REPAIR = (
    "repair it with: pip uninstall -y component-framework cf-components "
    "&& pip install cf-components"
)


@pytest.fixture(scope="module")
def venv(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh environment with cf-components installed by name, offline."""
    return make_venv(tmp_path_factory.mktemp("installed") / "venv", wheelhouse, "cf-components")


def test_the_wheel_is_cf_components_and_brings_no_scaffolding_library(wheelhouse: Path) -> None:
    (wheel,) = wheelhouse.glob("cf_components-*.whl")
    assert wheel.name == f"cf_components-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"cf_components-{__version__}.dist-info/METADATA").decode()
        entry_points = archive.read(f"cf_components-{__version__}.dist-info/entry_points.txt")
        names = archive.namelist()
    assert "Name: cf-components\n" in metadata
    requires = re.findall(r"^Requires-Dist: ([A-Za-z0-9_.-]+)(.*)$", metadata, re.MULTILINE)
    core = {name.lower() for name, rest in requires if "extra ==" not in rest}
    assert "copier" not in core  # cf new renders its scaffolds itself
    assert b"cf = _cf_components:main" in entry_points
    assert "_cf_components.py" in names  # outside component_framework/: see the next test
    assert "component_framework/scaffolds/project/template/pyproject.toml.jinja" in names


def test_install_by_name_then_a_new_project_passes_its_tests(
    venv: Venv, wheelhouse: Path, tmp_path: Path
) -> None:
    env = offline_env(wheelhouse)
    version = venv.run("cf", "--version", cwd=tmp_path, env=env)
    assert (version.returncode, version.stdout) == (0, f"cf (cf-components) {__version__}\n")
    assert venv.run("python", "-c", "import copier", cwd=tmp_path, env=env).returncode == 1

    made = venv.run("cf", "new", "project", "shop", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    pyproject = (tmp_path / "shop" / "pyproject.toml").read_text()
    assert f'dependencies = ["cf-components>={__version__}"]' in pyproject
    installed = venv.run(
        "python", "-m", "pip", "install", "-e", ".[test]", cwd=tmp_path / "shop", env=env
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    tests = venv.run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path / "shop", env=env
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout
    checked = venv.run("cf", "check", cwd=tmp_path / "shop", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_cf_refuses_in_one_line_when_the_older_project_replaced_the_package(
    venv: Venv, wheelhouse: Path, tmp_path: Path
) -> None:
    env = offline_env(wheelhouse)
    (older,) = wheelhouse.glob("component_framework-0.6.0-*.whl")
    pip = ("python", "-m", "pip", "install", "-q", "--no-deps")
    assert venv.run(*pip, str(older), cwd=tmp_path, env=env).returncode == 0

    refused = venv.run("cf", "--version", cwd=tmp_path, env=env)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "cf: component-framework 0.6.0 is installed here too, another project with the import "
        f"name component_framework, and the two cannot share an environment; {REPAIR}\n"
    )

    # Uninstalled, the older project takes the files it shared with this one along.
    gone = venv.run(
        "python", "-m", "pip", "uninstall", "-y", "component-framework", cwd=tmp_path, env=env
    )
    assert gone.returncode == 0, gone.stderr
    broken = venv.run("cf", "registry", "list", cwd=tmp_path, env=env)
    assert broken.returncode == 1 and len(broken.stderr.splitlines()) == 1
    assert broken.stderr.startswith("cf: component_framework at ")
    assert f"is not cf-components {__version__}" in broken.stderr and REPAIR in broken.stderr

    repaired = venv.run(
        "python",
        "-m",
        "pip",
        "install",
        "-q",
        "--force-reinstall",
        "--no-deps",
        "cf-components",
        cwd=tmp_path,
        env=env,
    )
    assert repaired.returncode == 0, repaired.stderr
    assert venv.run("cf", "--version", cwd=tmp_path, env=env).returncode == 0


def test_users_read_and_type_the_new_name_everywhere() -> None:
    from tests._wheel import ROOT

    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    texts += [p for p in (ROOT / "component_framework").rglob("*") if p.is_file()]
    texts = [p for p in texts if p.suffix in (".md", ".py", ".jinja", ".html", ".toml", ".yml")]
    for path in texts:
        text = path.read_text(encoding="utf-8")
        assert "install component-framework" not in text, path
        assert "component-framework[" not in text, path
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m pip install cf-components" in readme
    assert "The import name `component_framework` is shared with an older" in readme
