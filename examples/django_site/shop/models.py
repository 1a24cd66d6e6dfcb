"""The example shop's one model."""

from django.db import models


class Article(models.Model):
    """An article a user with ``shop.change_article`` may edit."""

    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title
