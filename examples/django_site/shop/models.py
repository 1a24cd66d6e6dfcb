"""The example shop's one model."""

from django.db import models


class Article(models.Model):
    """An article a user with ``shop.change_article`` may edit."""

    STATUSES = [("draft", "Draft"), ("published", "Published")]

    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default="draft")

    def __str__(self) -> str:
        return self.title
