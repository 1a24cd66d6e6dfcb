"""``manage.py seed_demo``: an article, an editor who may change it and a reader who may not."""

from typing import Any

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand

from examples.django_site.shop.models import Article


class Command(BaseCommand):
    help = "Create the demo data: one article, users 'editor' and 'reader' (password 'demo-pass')."

    def handle(self, *args: Any, **options: Any) -> None:
        Article.objects.get_or_create(title="First article", defaults={"body": "Hello"})
        editor, _ = User.objects.get_or_create(username="editor")
        editor.set_password("demo-pass")
        editor.save()
        editor.user_permissions.add(
            *Permission.objects.filter(codename__in=["change_article", "add_article"])
        )
        reader, _ = User.objects.get_or_create(username="reader")
        reader.set_password("demo-pass")
        reader.save()
        self.stdout.write("Demo data ready: users editor and reader, password demo-pass.")
