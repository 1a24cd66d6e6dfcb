"""Every test starts and ends with an empty list: it lives in this process (todo/store.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from todo import store


@pytest.fixture(autouse=True)
def empty_list() -> Iterator[None]:
    store.clear()
    yield
    store.clear()  # nor does a test leave items for the next one (`cf snapshot`'s test)
