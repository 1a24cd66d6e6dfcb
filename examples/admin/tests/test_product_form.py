"""The product form: validation, "Saved." and the redirect back to the list it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from component_framework.core.exceptions import UploadError
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


def test_a_photo_is_kept_with_the_product(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_MEDIA", str(tmp_path))
    png = b"\x89PNG\r\n\x1a\n" + bytes(500)
    tester = ComponentTester("product_form", product_id=None, back="/products")
    tester.upload("photo", ("lamp.png", png)).call("photo")
    name = tester.state["photo"]
    assert name.endswith(".png") and (tmp_path / name).read_bytes() == png
    tester.assert_see(f'src="/media/{name}"', escape=False)
    tester.submit(**{**VALID, "sku": "TST-4321"}).assert_redirect("/products")
    (saved,) = db.search("TST-4321", "name", 1, 10)[0]
    assert saved.photo == name
    db.delete(saved.id)


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    tester = ComponentTester("product_form", product_id=None, back="/products")
    with pytest.raises(UploadError, match=r"'photo' takes image/png, image/jpeg"):
        tester.upload("photo", ("lamp.png", b"%PDF-1.7 not an image"))
