"""The example pages."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .models import Article


def home(request: HttpRequest) -> HttpResponse:
    """A page with a counter, a greeting and the first article's form."""
    article = Article.objects.order_by("pk").first()
    return render(request, "shop/page.html", {"article": article})


def articles(request: HttpRequest) -> HttpResponse:
    """The articles, searched by a component whose search lives in the URL (``?q=``)."""
    return render(request, "shop/articles.html")


def welcome(request: HttpRequest) -> HttpResponse:
    """Says hello with Django's messages framework, shown in the page's flash region."""
    messages.success(request, "Welcome to the shop.")
    return redirect("articles")
