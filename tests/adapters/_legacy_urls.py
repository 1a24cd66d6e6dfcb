"""0.6.0's routes beside this project's, for tests/adapters/test_legacy_django.py."""

from django.urls import include, path

from component_framework.adapters.django_views import ComponentView, component_view

urlpatterns = [
    path("components/<str:name>/", component_view),
    path("cbv/components/<str:name>/", ComponentView.as_view()),
    path("cf/", include("component_framework.django.urls")),
]
