"""Tests of the counter, driven the way a page drives it."""

from __future__ import annotations

from component_framework.project import load_project
from component_framework.testing import ComponentTester

# Import the [tool.cf] components and use its template folders, as `cf` does.
load_project(__file__).setup()


def test_counter_increments() -> None:
    tester = ComponentTester("counter", start=1).call("increment", amount=2)
    tester.assert_set("count", 3).assert_see("Count: 3")


def test_counter_resets() -> None:
    ComponentTester("counter", start=5).call("reset").assert_set("count", 0)
