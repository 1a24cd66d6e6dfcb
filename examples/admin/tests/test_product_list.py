"""The product list, driven as a page drives it (ComponentTester: the same message path)."""

from __future__ import annotations

import pytest
from component_framework.core.exceptions import InvalidUrlError
from component_framework.testing import ComponentTester

from admin import db


def test_search_sort_and_page_follow_the_url() -> None:
    tester = ComponentTester("product_list", url="/products?q=oak")
    tester.assert_state(search="oak", page=1, sort="name").assert_see("10 products")
    tester.call("sort", column="price").assert_url("/products?q=oak&sort=price")
    tester.call("sort", column="price").assert_url("/products?q=oak&sort=-price")
    tester.call("search", value="").assert_url("/products?sort=-price")
    tester.call("page", page=2).assert_url("/products?sort=-price&page=2")
    assert tester.effects[0]["history"] == "push"  # a new page is a history entry


def test_back_renders_the_list_of_the_url() -> None:
    tester = ComponentTester("product_list", url="/products?page=3")
    tester.call("page", page=4)
    tester.visit("/products?page=3").assert_state(page=3)


def test_a_bad_page_in_the_url_is_refused_clearly() -> None:
    tester = ComponentTester("product_list")
    with pytest.raises(InvalidUrlError, match="page: Input should be a valid integer"):
        tester.visit("/products?page=abc")


def test_a_bad_page_in_the_first_url_shows_the_defaults_and_why() -> None:
    tester = ComponentTester("product_list", url="/products?q=oak&page=abc")
    tester.assert_url_error("page").assert_state(search="oak", page=1)
    tester.assert_see("shows its defaults instead", "Check the link")


def test_a_page_past_the_end_shows_the_last() -> None:
    tester = ComponentTester("product_list", url="/products?q=oak&page=9")
    tester.assert_state(page=1).assert_see("There is no page 9; this is page 1, the last.")


def test_delete_asks_first_then_says_so() -> None:
    product = db.create("Test Crate", "TST-9001", 1.0, 1)
    tester = ComponentTester("product_list", url="/products?q=test+crate")
    tester.call("ask_delete", product=product.id).assert_see("Delete Test Crate?")
    tester.call("delete", product=product.id).assert_flash("Deleted Test Crate.", "success")
    tester.assert_see("No products match.").assert_no_redirect()
    assert db.get(product.id) is None
