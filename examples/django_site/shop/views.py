"""The example pages."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .models import Article


def home(request: HttpRequest) -> HttpResponse:
    """A page with a counter, a greeting, the first article's form, a form creating articles
    and the list of them."""
    articles = list(Article.objects.order_by("pk"))
    context = {"article": articles[0] if articles else None, "articles": articles}
    return render(request, "shop/page.html", context)


def articles(request: HttpRequest) -> HttpResponse:
    """The articles, searched by a component whose search lives in the URL (``?q=``)."""
    return render(request, "shop/articles.html")


def welcome(request: HttpRequest) -> HttpResponse:
    """Says hello with Django's messages framework, shown in the page's flash region."""
    messages.success(request, "Welcome to the shop.")
    return redirect("articles")
