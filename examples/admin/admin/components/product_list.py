"""The product list: search, sort and page kept in the URL; delete in place."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from component_framework.core import Component, registry
from component_framework.core.url_state import UrlParam, query_string
from pydantic import Field

from .. import db

PER_PAGE = 10
Sort = Literal["name", "-name", "price", "-price", "stock", "-stock"]
COLUMNS = [("name", "Name"), ("price", "Price"), ("stock", "Stock")]


@registry.register("product_list")
class ProductList(Component):
    """Products matching a search, ten a page; the search, the order and the page live in
    the URL, so a link, a reload and the back button show the same list."""

    template_name = "product_list.html"
    url_state = {
        "search": UrlParam(str, default="", name="q"),
        "sort": UrlParam(Sort, default="name"),
        # A new page is a new history entry: back returns to the page before.
        "page": UrlParam(Annotated[int, Field(ge=1)], default=1, history="push"),
    }

    def mount(self) -> None:
        super().mount()
        self.state["confirm"] = None  # the product whose delete waits for a yes

    def on_search(self, value: str) -> None:
        self.state["search"] = value.strip()[:100]
        self.state["page"] = 1

    def on_sort(self, column: Literal["name", "price", "stock"]) -> None:
        # The same column again reverses the order.
        self.state["sort"] = f"-{column}" if self.state["sort"] == column else column
        self.state["page"] = 1

    def on_page(self, page: int) -> None:
        self.state["page"] = max(1, page)
        self.state["confirm"] = None

    def on_ask_delete(self, product: int) -> None:
        self.state["confirm"] = product

    def on_cancel_delete(self) -> None:
        self.state["confirm"] = None

    def on_delete(self, product: int) -> None:
        self.state["confirm"] = None
        deleted = db.delete(product)
        if deleted is not None:
            self.flash("success", f"Deleted {deleted.name}.")

    def before_render(self) -> None:
        state = self.state
        rows, total = db.search(state["search"], state["sort"], state["page"], PER_PAGE)
        pages = max(1, -(-total // PER_PAGE))
        self.notice = ""
        if state["page"] > pages:
            # A page past the end (a hand-edited URL, or the last item deleted): the last one.
            self.notice = f"There is no page {state['page']}; this is page {pages}, the last."
            state["page"] = pages
            rows, total = db.search(state["search"], state["sort"], pages, PER_PAGE)
        self.rows, self.total, self.pages = rows, total, pages

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        query = query_string(self)
        context.update(
            rows=self.rows,
            total=self.total,
            pages=self.pages,
            notice=self.notice,
            columns=COLUMNS,
            here="/products" + (f"?{query}" if query else ""),
            page_url=self._page_url,
        )
        return context

    def _page_url(self, page: int) -> str:
        query = query_string(self, page=page)
        return "/products" + (f"?{query}" if query else "")
