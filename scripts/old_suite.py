"""Run the test suite of component-framework 0.6.0 against this project.

component-framework 0.6.0 on the package index is the older project with the same import name
(see docs/migrating.md). This script downloads its sdist into a temporary directory, runs the
tests it ships against this project as installed in the running environment (the old
distribution is never installed), and prints how many passed, failed and errored, how many
of the rest docs/migrating.md names as deliberate differences, and how many read 0.6.0's own
repository (its README, docs and checkout) rather than the library.

    python scripts/old_suite.py            # counts per file and in all
    python scripts/old_suite.py --failures # also every test that neither passes nor is named
    python scripts/old_suite.py -- -k signing  # arguments after -- go to pytest

Nothing of the old project is kept: the temporary directory is removed at the end.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MIGRATING = PROJECT / "docs" / "migrating.md"
OLD = "component-framework==0.6.0"
# The old suite's own pytest settings, less `pythonpath = ["src"]`: its tests must import
# this project, not the old sources.
PYTEST_INI = """\
[pytest]
testpaths = tests
pythonpath = .
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings = ignore
"""


def download(directory: Path) -> Path:
    """Download and unpack the old sdist; returns its tests directory."""
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", OLD, "--no-deps", "--no-binary", ":all:"),
            *("--quiet", "--disable-pip-version-check", "-d", str(directory)),
        ],
        check=True,
    )
    (archive,) = directory.glob("component_framework-*.tar.gz")
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if "/tests/" in m.name and m.isfile()]
        tar.extractall(directory, members=members, filter="data")
    (tests,) = directory.glob("component_framework-*/tests")
    return tests


_TEST_ID = r"`(test_\w+\.py::[\w:\[\].-]+)`"
_REPOSITORY = "\n## Tests of 0.6.0's own repository\n"


def named_in_docs() -> tuple[set[str], set[str]]:
    """Old test names docs/migrating.md accounts for: those a deliberate difference covers,
    and those that read 0.6.0's own repository (its README, docs and checkout)."""
    if not MIGRATING.exists():
        return set(), set()
    text = MIGRATING.read_text(encoding="utf-8")
    differences = text.partition("\n## Deliberate differences\n")[2].split("\n## ")[0]
    repository = text.partition(_REPOSITORY)[2].split("\n## ")[0]
    return set(re.findall(_TEST_ID, differences)), set(re.findall(_TEST_ID, repository))


def test_functions(path: Path) -> list[str]:
    """The test ids (class::function) a module defines, for a module that cannot be imported."""
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef):
            names += [
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
    return [name for name in names if name.rpartition("::")[2].startswith("test_")]


def run(tests: Path, pytest_args: list[str]) -> list[tuple[str, str]]:
    """Run the suite; returns (test id, outcome) for every test function."""
    root = tests.parent
    (root / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    report = root / "report.xml"
    subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"),
            *("--no-header", "--tb=no", "-rN", "--continue-on-collection-errors"),
            *(f"--junitxml={report}", *pytest_args),
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    outcomes = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        if not case.get("classname"):  # a module that could not be imported
            module = case.get("name", "").removeprefix("tests.")
            for name in test_functions(tests / f"{module.replace('.', '/')}.py"):
                outcomes.append((f"{module}.py::{name}", "uncollected"))
            continue
        module = case.get("classname", "").removeprefix("tests.")
        parts = module.split(".")
        test_id = f"{parts[0]}.py::" + "::".join([*parts[1:], case.get("name", "")])
        kinds = {child.tag for child in case}
        outcome = next(
            (k for k in ("error", "failure", "skipped") if k in kinds),
            "passed",
        )
        outcomes.append((test_id, {"failure": "failed", "error": "errored"}.get(outcome, outcome)))
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list tests not accounted for")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cf-old-suite-") as directory:
        outcomes = run(download(Path(directory)), options.pytest_args)
    named, repository = named_in_docs()
    per_file: dict[str, Counter[str]] = {}
    for test_id, outcome in outcomes:
        if outcome != "passed" and test_id in repository:
            outcome = "repo"
        elif outcome != "passed" and test_id in named:
            outcome = "named"
        per_file.setdefault(test_id.split("::")[0], Counter())[outcome] += 1
    total: Counter[str] = Counter()
    columns = ("passed", "failed", "errored", "uncollected", "skipped", "named", "repo")
    print(f"{'file':32}" + "".join(f"{c:>9}" for c in columns))
    for file, counts in sorted(per_file.items()):
        total.update(counts)
        print(f"{file:32}" + "".join(f"{counts[c]:>9}" for c in columns))
    print(
        f"{'all ' + str(len(outcomes)) + ' tests':32}" + "".join(f"{total[c]:>9}" for c in columns)
    )
    left = [t for t, o in outcomes if o != "passed" and t not in named | repository]
    if options.failures:
        print("\n".join(left))
    print(
        f"passed {total['passed']}, failed {total['failed']}, errored {total['errored']}, "
        f"in modules that cannot be imported {total['uncollected']}, "
        f"skipped {total['skipped']}, named in docs/migrating.md {total['named']}, "
        f"reading 0.6.0's own repository {total['repo']}, not accounted for {len(left)}"
    )
    return 0 if not left else 1


if __name__ == "__main__":
    sys.exit(main())
