"""A project for the dev server tests."""
