"""The Todo project."""
