"""The Flask example (docs/flask.md): a counter, a members-only note (Flask-Login), a stream,
announcements pushed from a plain view to every open page (every worker process, with a
broker), CSRF by Flask-WTF.

Run it from the repository root::

    flask --app examples.flask_app run --debug          # http://127.0.0.1:5000/
    gunicorn -k gthread --threads 32 -w 2 examples.flask_app:app   # with CF_SECRET_KEY and
                                                  # CF_BROKER_URL=redis://... for two workers

The demo "login" is ``/login?name=ann`` (Flask-Login's ``login_user``); a real app checks a
password first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, ClassVar

from flask import Flask, redirect, render_template, request
from flask_login import LoginManager, UserMixin, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from pydantic import Field
from werkzeug.wrappers import Response

from component_framework.core import Component, IsAuthenticated, registry
from component_framework.flask import Components

from . import components as components  # registers counter, progress, ...

TEMPLATES = Path(__file__).parent / "templates"


class User(UserMixin):
    """The app's user: Flask-Login keeps its id in the session."""

    def __init__(self, name: str) -> None:
        self.id = name


@registry.register("member_note")
class MemberNote(Component):
    """Visible to logged-in users only: ``IsAuthenticated`` reads Flask-Login's user."""

    template_name = "staff_note.html"
    permission_classes: ClassVar[list[Any]] = [IsAuthenticated]

    def mount(self) -> None:
        super().mount()
        self.state["notes"] = 0

    def on_add(self) -> None:
        self.state["notes"] += 1


@registry.register("announcement")
class Announcement(Component):
    """The latest announcement: the ``/announce`` view pushes it to every open page."""

    template_name = "announcement.html"
    live = True  # the page subscribes over the WebSocket for pushes

    def mount(self) -> None:
        super().mount()
        self.state["text"] = "No announcement yet."

    # push_event runs this on each page, with that page's own state.
    async def on_show(self, text: Annotated[str, Field(max_length=200)]) -> None:
        self.state["text"] = text


app = Flask(__name__, template_folder=TEMPLATES)
app.config["SECRET_KEY"] = os.environ.get("CF_SECRET_KEY", "development only: not a secret")
CSRFProtect(app)  # every POST, the component events' too, needs the page's token
login_manager = LoginManager(app)
login_manager.user_loader(User)
cf = Components(app, debug="CF_SECRET_KEY" not in os.environ)


@app.get("/")
def home() -> str:
    """The page: a counter, the members' note, a stream and the announcements."""
    return render_template("flask_page.html")


@app.get("/login")
def login() -> Response:
    """Demo login: log in as ``?name=...``."""
    login_user(User(request.args.get("name", "ann")))
    return redirect("/")


@app.get("/logout")
def logout() -> Response:
    """Log out."""
    logout_user()
    return redirect("/")


@app.post("/announce")
def announce() -> Response:
    """A plain view pushing to every open page (on every worker process, with a broker)."""
    text = request.form.get("text", "").strip()[:200]
    if text:
        cf.push_event("announcement", "show", {"text": text})
    return redirect("/")
