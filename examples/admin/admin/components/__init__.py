"""The back office's components: the product list and the product form."""

from .product_form import ProductForm
from .product_list import ProductList

__all__ = ["ProductForm", "ProductList"]
