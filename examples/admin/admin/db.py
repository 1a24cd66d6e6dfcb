"""The products of the back office, in one SQLite file every worker shares.

``ADMIN_DB`` names the file (``admin.db`` beside the project by default). The table is
created, and filled with sample products, by the first process that finds it missing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "SORTS",
    "DuplicateSku",
    "Product",
    "create",
    "delete",
    "get",
    "init",
    "search",
    "update",
]

SORTS = {
    "name": "name COLLATE NOCASE, id",
    "-name": "name COLLATE NOCASE DESC, id DESC",
    "price": "price, id",
    "-price": "price DESC, id DESC",
    "stock": "stock, id",
    "-stock": "stock DESC, id DESC",
}
"""The orders the list can show, by the name the URL uses (``-`` for descending)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sku TEXT NOT NULL UNIQUE,
    price REAL NOT NULL,
    stock INTEGER NOT NULL,
    photo TEXT
)
"""
_KINDS = ["Lamp", "Chair", "Desk", "Shelf", "Rug", "Mirror", "Clock", "Vase", "Stool", "Bench"]
_STYLES = ["Oak", "Walnut", "Linen", "Brass", "Slate", "Cedar"]


class DuplicateSku(ValueError):
    """Another product already has this SKU."""


@dataclass(frozen=True, slots=True)
class Product:
    """One product, as the pages show it."""

    id: int
    name: str
    sku: str
    price: float
    stock: int
    photo: str | None = None
    """The file name of its photo in the media folder (``media.py``), if it has one."""


def _path() -> Path:
    return Path(os.environ.get("ADMIN_DB") or Path(__file__).resolve().parent.parent / "admin.db")


_ready: set[Path] = set()


@contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    # One connection per call: the handlers run in worker threads, and two processes share
    # the file (SQLite's locking keeps them apart; the timeout waits for the other's write).
    path = _path()
    if path not in _ready:  # cf dispatch and cf dev import the components, not the app
        _ready.add(path)
        init()
    connection = sqlite3.connect(path, timeout=10)
    connection.row_factory = sqlite3.Row
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def init(*, sample: bool = True) -> None:
    """Create the table if needed and, when it is empty, fill it with sample products."""
    _ready.add(_path())
    with _connect() as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(_SCHEMA)
        columns = [row[1] for row in db.execute("PRAGMA table_info(products)")]
        if "photo" not in columns:  # a database made before products had photos
            db.execute("ALTER TABLE products ADD COLUMN photo TEXT")
        db.execute("BEGIN IMMEDIATE")  # two workers starting at once: one fills the table
        if sample and db.execute("SELECT COUNT(*) FROM products").fetchone()[0] == 0:
            rows = []
            for n in range(57):
                name = f"{_STYLES[n % len(_STYLES)]} {_KINDS[n % len(_KINDS)]} {n // 10 + 1}"
                rows.append(
                    (
                        name,
                        f"{_KINDS[n % len(_KINDS)][:3].upper()}-{1000 + n}",
                        round(9.5 + (n * 37 % 400) + (n % 4) * 0.25, 2),
                        n * 13 % 90,
                    )
                )
            db.executemany(
                "INSERT INTO products (name, sku, price, stock) VALUES (?, ?, ?, ?)", rows
            )


def _product(row: sqlite3.Row) -> Product:
    return Product(row["id"], row["name"], row["sku"], row["price"], row["stock"], row["photo"])


def search(text: str, sort: str, page: int, per_page: int) -> tuple[list[Product], int]:
    """The products whose name or SKU contains *text*, in the *sort* order: those of *page*
    (from 1), and how many match in all."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = "WHERE name LIKE ? ESCAPE '\\' OR sku LIKE ? ESCAPE '\\'"
    with _connect() as db:
        total = db.execute(f"SELECT COUNT(*) FROM products {where}", (pattern, pattern)).fetchone()[
            0
        ]
        rows = db.execute(
            f"SELECT * FROM products {where} ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?",
            (pattern, pattern, per_page, (page - 1) * per_page),
        ).fetchall()
    return [_product(row) for row in rows], total


def get(product_id: int) -> Product | None:
    """The product, or None if there is none with this id."""
    with _connect() as db:
        row = db.execute("SELECT * FROM products WHERE id = ?", (product_id,)).fetchone()
    return _product(row) if row is not None else None


def _write(sql: str, values: tuple[Any, ...]) -> int:
    try:
        with _connect() as db:
            cursor = db.execute(sql, values)
            return cursor.lastrowid or 0
    except sqlite3.IntegrityError as exc:
        raise DuplicateSku(str(exc)) from None


def create(name: str, sku: str, price: float, stock: int, photo: str | None = None) -> Product:
    """Add a product.

    Raises:
        DuplicateSku: Another product has *sku*.
    """
    new_id = _write(
        "INSERT INTO products (name, sku, price, stock, photo) VALUES (?, ?, ?, ?, ?)",
        (name, sku, price, stock, photo),
    )
    return Product(new_id, name, sku, price, stock, photo)


def update(
    product_id: int, name: str, sku: str, price: float, stock: int, photo: str | None = None
) -> Product:
    """Change a product (its photo too, when *photo* is given).

    Raises:
        DuplicateSku: Another product has *sku*.
    """
    _write(
        "UPDATE products SET name = ?, sku = ?, price = ?, stock = ?, photo = COALESCE(?, photo)"
        " WHERE id = ?",
        (name, sku, price, stock, photo, product_id),
    )
    return Product(product_id, name, sku, price, stock, photo)


def delete(product_id: int) -> Product | None:
    """Remove a product; return it (None if it was already gone)."""
    with _connect() as db:
        row = db.execute("DELETE FROM products WHERE id = ? RETURNING *", (product_id,)).fetchone()
    return _product(row) if row is not None else None
