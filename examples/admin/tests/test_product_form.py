"""The product form: validation, "Saved." and the redirect back to the list it came from."""

from __future__ import annotations

from component_framework.testing import ComponentTester

from admin import db

VALID = {"name": "Test Lamp", "sku": "TST-1234", "price": "12.50", "stock": "3"}


def test_a_new_product_is_saved_then_the_list_says_so() -> None:
    tester = ComponentTester("product_form", product_id=None, back="/products?q=test")
    tester.submit(**VALID).assert_flash("Saved.").assert_redirect("/products?q=test")
    (saved,) = [p for p in db.search("TST-1234", "name", 1, 10)[0]]
    assert (saved.name, saved.price, saved.stock) == ("Test Lamp", 12.5, 3)
    db.delete(saved.id)


def test_invalid_input_is_shown_and_nothing_saved() -> None:
    tester = ComponentTester("product_form", product_id=None, back="/products")
    tester.submit(**{**VALID, "sku": "nope", "price": "-1"})
    tester.assert_field_error("sku", "three capitals").assert_field_error("price", "0 or more")
    tester.assert_no_redirect()
    assert db.search("Test Lamp", "name", 1, 10)[1] == 0


def test_a_back_url_to_another_site_is_never_used() -> None:
    tester = ComponentTester("product_form", product_id=None, back="https://evil.example/")
    tester.assert_set("back", "/products")
    product = db.create("Test Vase", "TST-5678", 1.0, 1)
    edit = ComponentTester("product_form", product_id=product.id, back="//evil.example")
    edit.submit(**{**VALID, "sku": "TST-5678"}).assert_redirect("/products")
    edit.call("delete").assert_navigate("/products").assert_flash("Deleted Test Lamp.")
