"""Events between components: a product in a list tells the cart (a sibling) and its list
(the parent) that it was added: both hear it in one request."""

from __future__ import annotations

from typing import Literal

from component_framework.core import Component, registry

PRODUCTS = ["Tea", "Coffee", "Cocoa"]
Name = Literal["Tea", "Coffee", "Cocoa"]  # an emitted payload is checked like any other


@registry.register("cart")
class Cart(Component):
    template_name = "cart.html"

    def mount(self) -> None:
        super().mount()
        self.state["items"] = {}

    async def on_item_added(self, product: Name) -> None:
        self.state["items"][product] = self.state["items"].get(product, 0) + 1

    async def on_clear(self) -> None:
        self.state["items"] = {}


@registry.register("product_list")
class ProductList(Component):
    template_name = "product_list.html"

    def mount(self) -> None:
        super().mount()
        self.state.update(products=PRODUCTS, last=None)

    async def on_product_added(self, product: Name) -> None:
        self.state["last"] = product


@registry.register("product")
class Product(Component):
    template_name = "product.html"
    emits = ("item_added", "product_added")

    def mount(self) -> None:
        super().mount()
        self.state["name"] = str(self.params.get("name", ""))

    async def on_add(self) -> None:
        self.emit("item_added", {"product": self.state["name"]}, to="cart")
        self.emit("product_added", {"product": self.state["name"]}, parent=True)
