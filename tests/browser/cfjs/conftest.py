"""The fixture of cf.js's own tests: a page running cf.js with no server (see harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from .harness import ClientPage, new_client_page


@pytest.fixture
def cf_page(browser: Browser) -> Iterator[ClientPage]:
    """A fresh page, in its own browser context, to ``open()`` with component roots; a
    JavaScript error on it fails the test."""
    client = new_client_page(browser)
    yield client
    client.context.close()
    assert not client.errors, f"JavaScript errors on the page: {client.errors}"
