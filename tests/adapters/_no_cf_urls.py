"""A URLconf without the component endpoints (tests/adapters/test_legacy_django.py)."""

urlpatterns: list[object] = []
