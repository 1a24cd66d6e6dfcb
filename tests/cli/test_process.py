"""cf as a real process: the entry point, import hygiene, and the whole chain in a new project.

Subprocesses are slow, so there are few: everything else goes through the in-process runner.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

HEAVY = ("uvicorn", "watchfiles", "copier", "starlette", "jinja2", "pydantic")
# From typer 0.29 on, typer itself parses every non-flag parameter value with Pydantic, so a
# command given an argument imports it whatever cf does; below 0.29 typer's click does.
TYPER_NEEDS_PYDANTIC = tuple(int(p) for p in typer.__version__.split(".")[:2]) >= (0, 29)
PARSED = tuple(m for m in HEAVY if not (TYPER_NEEDS_PYDANTIC and m == "pydantic"))


def _cf() -> str:
    beside = Path(sys.executable).with_name("cf")
    found = str(beside) if beside.exists() else shutil.which("cf")
    assert found, "the cf entry point is not installed (pip install -e .)"
    return found


def _run(
    *args: str, cwd: Path, input: str | None = None, unset: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120"}
    for name in ("CF_APP", *unset):
        env.pop(name, None)
    return subprocess.run(
        args, cwd=cwd, input=input, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "heavy"),
    [
        (["--help"], HEAVY),
        (["--version"], HEAVY),
        (["new", "component", "--help"], PARSED),
        (["dispatch", "-h"], PARSED),
    ],
)
def test_help_and_version_import_nothing_heavy(
    argv: list[str], heavy: tuple[str, ...], tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['cf', *{argv!r}]\n"
        "from component_framework.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {heavy!r} if m in sys.modules])\n"
    )
    result = _run(sys.executable, "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_dispatching_a_simple_handler_loads_no_validation_or_event_loop(tmp_path: Path) -> None:
    # Pydantic is needed only for a payload, asyncio only for an async handler.
    unwanted = (
        ("asyncio", "starlette") if TYPER_NEEDS_PYDANTIC else ("pydantic", "asyncio", "starlette")
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cf]\ncomponents = ["shop"]\ntemplates = ["templates"]\n', encoding="utf-8"
    )
    (tmp_path / "shop.py").write_text(
        "from component_framework.core import Component, registry\n\n\n"
        '@registry.register("counter")\n'
        "class Counter(Component):\n"
        '    template_name = "counter.html"\n\n'
        "    def mount(self):\n"
        '        self.state["count"] = 0\n\n'
        "    def on_increment(self, amount: int = 1):\n"
        '        self.state["count"] += amount\n',
        encoding="utf-8",
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "counter.html").write_text("<p>{{ state.count }}</p>")
    code = (
        "import sys\n"
        "sys.argv = ['cf', 'dispatch', 'counter', 'increment', '--json']\n"
        "from component_framework.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {unwanted!r} if m in sys.modules])\n"
    )
    result = _run(sys.executable, "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    *reply, loaded = result.stdout.splitlines()
    assert json.loads("\n".join(reply))["html"] == "<p>1</p>"
    assert loaded == "[]"


def test_the_entry_point_prints_the_version(tmp_path: Path) -> None:
    from component_framework import __version__

    result = _run(_cf(), "--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"cf (cf-components) {__version__}\n")


def test_new_project_to_passing_tests(tmp_path: Path) -> None:
    cf = _cf()
    assert _run(cf, "new", "project", "shop", cwd=tmp_path).returncode == 0
    root = tmp_path / "shop"
    made = _run(cf, "new", "component", "todo-list", cwd=root)
    assert made.returncode == 0, made.stderr
    assert _run(cf, "new", "component", "Signup", "--kind", "form", cwd=root).returncode == 0
    assert (
        _run(cf, "new", "component", "live report", "--kind", "streaming", cwd=root).returncode == 0
    )

    listed = _run(cf, "registry", "list", "--json", cwd=root)
    assert listed.returncode == 0, listed.stderr
    kinds = {row["name"]: row["kind"] for row in json.loads(listed.stdout)}
    assert kinds == {
        "counter": "basic",
        "live_report": "streaming",
        "signup": "form",
        "todo_list": "basic",
    }

    first = _run(cf, "dispatch", "todo_list", "increment", "--json", cwd=root)
    assert first.returncode == 0, first.stderr
    second = _run(
        cf,
        "dispatch",
        "todo_list",
        "increment",
        "--state",
        "-",
        "--json",
        cwd=root,
        input=first.stdout,
    )
    assert json.loads(second.stdout)["state"] == {"count": 2}

    checked = _run(cf, "check", cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("OK: 4 components")

    tests = _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=root)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "8 passed" in tests.stdout

    linted = _run(sys.executable, "-m", "ruff", "check", "--no-cache", ".", cwd=root)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_offline_tools_say_nothing_about_a_missing_secret_key(tmp_path: Path) -> None:
    cf = _cf()
    assert _run(cf, "new", "project", "shop", cwd=tmp_path).returncode == 0
    root = tmp_path / "shop"
    for argv in (["dispatch", "counter", "increment"], ["snapshot"], ["snapshot", "--check"]):
        result = _run(cf, *argv, cwd=root, unset=("CF_SECRET_KEY",))
        assert (result.returncode, result.stderr) == (0, ""), argv
    assert "0 out of date, 1 unchanged, 0 failed" in result.stdout


def test_errors_are_one_line_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.cf]\ncomponents = ["broken"]\n')
    (tmp_path / "broken.py").write_text("import json\n\njson.nope()\n")
    result = _run(_cf(), "dispatch", "counter", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: broken.py:3: AttributeError: module 'json' has no attribute 'nope' "
        "(while importing 'broken')\n"
    )
