"""An app written against component-framework 0.6.0's documented Flask API, moved over with
docs/migrating.md's steps (tests/browser/test_migrated.py drives it in Chromium)."""
