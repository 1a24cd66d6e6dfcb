"""The example page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Article


def home(request: HttpRequest) -> HttpResponse:
    """A page with a counter, a greeting, the first article's form, a form creating articles
    and the list of them."""
    articles = list(Article.objects.order_by("pk"))
    context = {"article": articles[0] if articles else None, "articles": articles}
    return render(request, "shop/page.html", context)
