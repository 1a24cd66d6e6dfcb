"""A form with a typed schema, for the playground's typed inputs."""

from __future__ import annotations

from pydantic import BaseModel, Field

from component_framework.core import FormComponent, registry


class SignupSchema(BaseModel):
    name: str
    age: int = Field(default=18, ge=0)
    newsletter: bool = False


@registry.register("signup")
class Signup(FormComponent):
    """Signs a person up."""

    schema = SignupSchema
    template_name = "signup.html"
