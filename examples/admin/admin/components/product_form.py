"""The product form: create or edit one product, with validation; "Saved." after the redirect."""

from __future__ import annotations

import re
import secrets
from typing import Any

from component_framework.core import FormComponent, registry
from component_framework.core.exceptions import UnsafeUrlError
from component_framework.core.navigation import safe_url
from component_framework.core.uploads import Upload, UploadedFile
from pydantic import BaseModel, Field, field_validator

from .. import db, media

# The photo's type is read from its bytes, whatever its name says.
PHOTO_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
}

FIELDS = [
    ("name", "Name", "text"),
    ("sku", "SKU", "text"),
    ("price", "Price", "text"),
    ("stock", "In stock", "number"),
]


class ProductIn(BaseModel):
    """What a product must be."""

    name: str = Field(min_length=2, max_length=80)
    sku: str
    price: float = Field(ge=0, le=100_000)
    stock: int = Field(ge=0, le=1_000_000)

    @field_validator("sku")
    @classmethod
    def _sku(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}-[0-9]{4}", value.strip()):
            raise ValueError("Use three capitals, a dash and four digits, like LAM-1234.")
        return value.strip()


def back_url(value: Any) -> str:
    """Where the form returns to: the list it was opened from (a path on this site only: the
    ``back`` parameter comes from the URL, and must not send anyone to another site)."""
    try:
        return safe_url(value) if isinstance(value, str) and value.startswith("/") else "/products"
    except UnsafeUrlError:
        return "/products"


@registry.register("product_form")
class ProductForm(FormComponent):
    """A new product (no ``product_id``) or an existing one; back to the list when saved."""

    template_name = "product_form.html"
    schema = ProductIn
    uploads = {"photo": Upload(accept=list(PHOTO_TYPES), max_size=2_000_000)}

    def mount(self) -> None:
        super().mount()
        product_id = self.params.get("product_id")
        self.state["product_id"] = product_id
        self.state["back"] = back_url(self.params.get("back"))
        product = db.get(product_id) if product_id is not None else None
        self.state["photo"] = product.photo if product is not None else None
        if product is not None:
            self.state["form_data"] = {
                "name": product.name,
                "sku": product.sku,
                "price": f"{product.price:.2f}",
                "stock": str(product.stock),
            }

    def on_photo(self, photo: UploadedFile) -> None:
        """The photo the page sent as soon as it was picked: kept in the media folder, shown,
        and saved with the product."""
        name = secrets.token_hex(8) + PHOTO_TYPES[photo.content_type]
        photo.save(media.directory() / name)
        self.state["photo"] = name

    def on_submit(self) -> None:
        data = {**(self.validated_data or {}), "photo": self.state.get("photo")}
        product_id = self.state["product_id"]
        try:
            if product_id is None:
                db.create(**data)
            else:
                db.update(product_id, **data)
        except db.DuplicateSku:
            self.field_errors["sku"] = ["Another product has this SKU."]
            self.state["is_valid"] = False
            return
        self.flash("success", "Saved.")
        self.redirect(self.state["back"])

    def on_delete(self) -> None:
        deleted = db.delete(self.state["product_id"])
        if deleted is not None:
            self.flash("success", f"Deleted {deleted.name}.")
        self.navigate(self.state["back"])

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        context["fields"] = FIELDS
        context["photo_url"] = media.url(self.state.get("photo"))
        return context
