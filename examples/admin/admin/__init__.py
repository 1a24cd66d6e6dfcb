"""A small back office over SQLite: products listed, searched, sorted, paged, created, edited
and deleted, on pages that navigate live."""
