"""Components of the dev server tests."""
