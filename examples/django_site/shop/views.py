"""The example page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Article


def home(request: HttpRequest) -> HttpResponse:
    """A page with a counter, a greeting and the first article's form."""
    article = Article.objects.order_by("pk").first()
    return render(request, "shop/page.html", {"article": article})
