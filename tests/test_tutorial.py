"""docs/tutorial.md, run from an empty folder with only what the page says (tests/_wheel.py).

Install by name (offline, from the session's wheelhouse), ``cf new project``, every step's
files from the page's text, and after every step the project's tests pass, with the counts the
page promises. The project it ends with is examples/todo, file for file.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from tests._wheel import ROOT, TutorialRun

PAGE = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
SKIPPED = {".venv", ".cf", ".pytest_cache", "__pycache__", ".ruff_cache"}


def _files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not SKIPPED.intersection(path.relative_to(root).parts)
        and ".egg-info" not in path.as_posix()
    }


def test_every_step_ends_with_passing_tests(tutorial: TutorialRun) -> None:
    steps = re.findall(r"^## (\d+)\. ", PAGE, re.MULTILINE)
    assert steps == [str(n) for n in range(1, len(steps) + 1)] and len(steps) >= 7
    assert tutorial.returncode == 0, tutorial.output[-6000:]
    for step in steps:
        assert f"::passed {step}::" in tutorial.output, step
    # "python -m pytest   # 8 passed": each count the page promises is the one its step got.
    for step in steps:
        section = PAGE.partition(f"## {step}. ")[2].partition("\n## ")[0]
        for promised in re.findall(r"python -m pytest\s+# (\d+ passed)", section):
            assert promised in tutorial.step(step), (step, promised, tutorial.step(step)[-2000:])


def test_the_tutorial_ends_with_examples_todo(tutorial: TutorialRun) -> None:
    assert tutorial.returncode == 0, tutorial.output[-3000:]
    made = _files(tutorial.project)
    finished = _files(ROOT / "examples" / "todo")
    assert sorted(made) == sorted(finished)
    for name, text in made.items():
        assert text == finished[name], f"examples/todo/{name} is not what the tutorial makes"


def test_the_development_key_is_kept_where_git_ignores_it(tutorial: TutorialRun) -> None:
    # The page's tests created an app in debug mode: its key is in the project's .cf folder.
    assert (tutorial.project / ".cf" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_the_finished_project_keeps_passing_with_snapshots(
    tutorial: TutorialRun, tmp_path: Path
) -> None:
    # `cf snapshot` (README, docs/cli.md) renders the list empty; its test must see it empty too,
    # whatever the tutorial's own tests left in the shared list before it runs.
    assert tutorial.returncode == 0, tutorial.output[-3000:]
    project = tmp_path / "todo"
    shutil.copytree(tutorial.project, project, ignore=shutil.ignore_patterns(*SKIPPED))
    env = {**os.environ, "PYTHONPATH": str(project)}
    snapshot = tutorial.venv.run("cf", "snapshot", cwd=project, env=env)
    assert snapshot.returncode == 0, snapshot.stdout + snapshot.stderr
    tests = tutorial.venv.run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project, env=env
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "7 passed" in tests.stdout
