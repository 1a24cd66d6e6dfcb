"""The example project's own tests, written with component_framework.testing."""

from __future__ import annotations

import pytest

from component_framework.project import load_project
from component_framework.testing import ComponentTester


@pytest.fixture(scope="module", autouse=True)
def project() -> None:
    load_project(__file__).setup()


def test_counter_counts() -> None:
    ComponentTester("counter", start=1).call("increment", amount=2).assert_set("count", 3)


def test_countdown_streams_every_step() -> None:
    tester = ComponentTester("countdown", start=2)
    frames = tester.stream("run")
    assert len(frames) == 3
    tester.assert_see("Lift-off!")
