"""Runnable examples: ``python -m examples.app`` serves the component gallery on port 8000."""
