"""URLs of the example Django site: the page, login, and the component endpoints."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from .shop import views

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.articles, name="articles"),
    path("welcome/", views.welcome, name="welcome"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("cf/", include("component_framework.django.urls")),
]
