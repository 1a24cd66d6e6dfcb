"""A counter and a contact form as 0.6.0's README writes them, on its Flask quick start.

What moving over changed (docs/migrating.md, step by step): the distribution; the secret key,
``CF_SECRET_KEY`` in the environment (state is always signed); nothing in the routes call,
``register_component_routes(app)``, which now serves ``/cf/...``; the page loads cf.js with
``{{ cf_scripts() }}`` and renders components with ``{{ component(...) }}``; the markup says
``cf-click`` and ``cf-submit`` where it said ``data-event``. The Python below is 0.6.0's.

Run it from the repository root::

    CF_SECRET_KEY=... flask --app examples.migrated.app run     # http://127.0.0.1:5000/
"""

from __future__ import annotations

from flask import Flask, render_template
from pydantic import BaseModel, Field

from component_framework.adapters.flask import FlaskRenderer, register_component_routes
from component_framework.core import FormComponent, registry
from component_framework.core.component import Component

app = Flask(__name__)
Component.renderer = FlaskRenderer(app)  # shares the app's templates and globals
register_component_routes(app)  # the secret key comes from CF_SECRET_KEY


@registry.register("clicks")
class Counter(Component):
    template_name = "counter.html"

    def mount(self):
        self.state["count"] = 0

    def on_increment(self, amount: int = 1):
        self.state["count"] += amount


class ContactSchema(BaseModel):
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    message: str


@registry.register("contact_form")
class ContactForm(FormComponent):
    template_name = "contact_form.html"
    schema = ContactSchema

    def on_submit(self):
        self.state["sent_to"] = (self.validated_data or {})["email"]


@app.get("/")
def index() -> str:
    return render_template("index.html")
