"""Errors are located in the user's file and line, whatever raised them."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from component_framework.core import Component
from component_framework.core.exceptions import EffectError, HandlerError
from component_framework.core.jinja import JinjaRenderer
from component_framework.devserver import DevError
from component_framework.devserver._errors import describe_error


def test_a_template_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    (tmp_path / "card.html").write_text("<div>\n{% if x %}\n<p>\n</div>\n")
    renderer = JinjaRenderer([tmp_path])
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        renderer.render("card.html", {})
    error = describe_error(caught.value)
    assert error.kind == "template"
    assert Path(error.file) == tmp_path / "card.html"
    assert error.line == 2  # where the unclosed block starts
    assert error.message.startswith("TemplateSyntaxError: Unexpected end of template")
    assert (2, "{% if x %}") in error.source


def test_a_template_failing_while_rendering_points_at_the_template_line(tmp_path: Path) -> None:
    (tmp_path / "card.html").write_text("<div>\n{{ state.items[3] + 1 }}\n</div>\n")
    renderer = JinjaRenderer([tmp_path])
    with pytest.raises(jinja2.UndefinedError) as caught:
        renderer.render("card.html", {"state": {"items": []}})
    error = describe_error(caught.value, [tmp_path])
    assert error.kind == "template"
    assert Path(error.file) == tmp_path / "card.html"
    assert error.line == 2


def test_a_handler_error_points_at_the_handler_line(tmp_path: Path) -> None:
    class Broken(Component):
        def on_go(self) -> None:
            raise ValueError("no way")

    with pytest.raises(HandlerError) as caught:
        Broken().handle_event("go", {})
    error = describe_error(caught.value, [Path(__file__).parent])
    assert error.file == __file__
    assert error.message == "HandlerError: Error handling go"
    assert "raise ValueError" in dict(error.source)[error.line]
    assert "ValueError: no way" in error.traceback


def test_a_bad_effect_call_points_at_the_call(tmp_path: Path) -> None:
    class Saver(Component):
        def on_go(self) -> None:
            self.flash("saved", "Saved.")

    with pytest.raises(EffectError) as caught:
        Saver().handle_event("go", {})
    error = describe_error(caught.value, [Path(__file__).parent])
    assert error.kind == "handler"
    assert error.file == __file__
    assert 'self.flash("saved", "Saved.")' in dict(error.source)[error.line]
    assert error.message.startswith("EffectError: Saver.flash(): Flash level must be one of")


def test_the_overlay_json_form() -> None:
    error = DevError("syntax", "/app/x.py", 3, "SyntaxError: bad", ((3, "x ="),), "tb")
    assert error.location == "/app/x.py:3"
    assert error.to_json() == {
        "kind": "syntax",
        "file": "/app/x.py",
        "line": 3,
        "message": "SyntaxError: bad",
        "source": [[3, "x ="]],
        "traceback": "tb",
    }
