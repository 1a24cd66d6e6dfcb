"""JinjaRenderer: autoescape, search paths, cache, auto-reload, slots, default renderer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from component_framework.core import Component, ComponentError, Renderer, SlotRenderer
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import get_default_renderer, set_default_renderer


@pytest.fixture
def isolated_default() -> Iterator[None]:
    previous = set_default_renderer(None)
    yield
    set_default_renderer(previous)


def write(path: Path, text: str, mtime: float | None = None) -> None:
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def test_is_a_renderer_with_slots() -> None:
    renderer = JinjaRenderer()
    assert isinstance(renderer, Renderer)
    assert isinstance(renderer, SlotRenderer)


def test_autoescape_is_on(tmp_path: Path) -> None:
    write(tmp_path / "x.html", "<p>{{ state.text }}</p>")
    renderer = JinjaRenderer([tmp_path])
    html = renderer.render("x.html", {"state": {"text": "<script>alert('x')</script>"}})
    assert html == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>"


def test_autoescape_is_on_for_any_extension_and_inline_sources(tmp_path: Path) -> None:
    write(tmp_path / "x.txt", "{{ v }}")
    renderer = JinjaRenderer([tmp_path])
    assert renderer.render("x.txt", {"v": "<b>"}) == "&lt;b&gt;"
    assert renderer.render_string("{{ v }}", {"v": "<b>"}) == "&lt;b&gt;"


def test_search_paths_are_tried_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    (second / "sub").mkdir(parents=True)
    write(first / "a.html", "first a")
    write(second / "a.html", "second a")
    write(second / "sub" / "b.html", "second b")
    renderer = JinjaRenderer([first, str(second)])
    assert renderer.search_paths == [str(first), str(second)]
    assert renderer.render("a.html", {}) == "first a"
    assert renderer.render("sub/b.html", {}) == "second b"
    assert renderer.list_templates() == ["a.html", "sub/b.html"]
    assert repr(renderer) == f"<JinjaRenderer search_paths={[str(first), str(second)]!r}>"


def test_a_missing_template_names_itself(tmp_path: Path) -> None:
    renderer = JinjaRenderer([tmp_path])
    with pytest.raises(jinja2.TemplateNotFound, match=r"^nope\.html$"):
        renderer.render("nope.html", {})


def test_an_extra_loader_is_searched_after_the_folders(tmp_path: Path) -> None:
    write(tmp_path / "a.html", "from folder")
    loader = jinja2.DictLoader({"a.html": "from dict", "b.html": "dict only"})
    renderer = JinjaRenderer([tmp_path], loader=loader)
    assert renderer.render("a.html", {}) == "from folder"
    assert renderer.render("b.html", {}) == "dict only"


def test_globals_are_available_everywhere() -> None:
    renderer = JinjaRenderer(
        loader=jinja2.DictLoader({"g.html": "{{ site }}"}), globals={"site": "cf"}
    )
    assert renderer.render("g.html", {}) == "cf"


def test_compiled_templates_are_cached(tmp_path: Path) -> None:
    write(tmp_path / "a.html", "a")
    renderer = JinjaRenderer([tmp_path])
    template = renderer.environment.get_template("a.html")
    assert renderer.environment.get_template("a.html") is template
    renderer.render("a.html", {})
    assert renderer.environment.get_template("a.html") is template


def test_auto_reload_on_picks_up_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    write(path, "old", mtime=1_000_000)
    renderer = JinjaRenderer([tmp_path], auto_reload=True)
    assert renderer.auto_reload is True
    assert renderer.render("a.html", {}) == "old"
    write(path, "new", mtime=2_000_000)
    assert renderer.render("a.html", {}) == "new"


def test_auto_reload_off_keeps_the_compiled_template(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    write(path, "old", mtime=1_000_000)
    renderer = JinjaRenderer([tmp_path])
    assert renderer.auto_reload is False
    assert renderer.render("a.html", {}) == "old"
    write(path, "new", mtime=2_000_000)
    assert renderer.render("a.html", {}) == "old"
    renderer.clear_cache()
    assert renderer.render("a.html", {}) == "new"


def test_auto_reload_can_be_switched(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    write(path, "old", mtime=1_000_000)
    renderer = JinjaRenderer([tmp_path])
    assert renderer.render("a.html", {}) == "old"
    renderer.auto_reload = True
    write(path, "new", mtime=2_000_000)
    assert renderer.render("a.html", {}) == "new"


def test_slot_html_is_not_escaped_again_but_state_is() -> None:
    renderer = JinjaRenderer(
        loader=jinja2.DictLoader({"card.html": "<div>{{ slots.body }}{{ state.t }}</div>"})
    )
    context = {"slots": {"body": "<b>&amp; child</b>"}, "state": {"t": "<i>"}}
    assert renderer.render("card.html", context) == "<div><b>&amp; child</b>&lt;i&gt;</div>"
    assert renderer.render_with_slots("card.html", {"state": {"t": ""}}, {"body": "<hr>"}) == (
        "<div><hr></div>"
    )


def test_nested_components_render_through_jinja_exactly(
    isolated_default: None,
) -> None:
    set_default_renderer(
        JinjaRenderer(
            loader=jinja2.DictLoader(
                {
                    "card.html": "<section>{{ slots.body }}</section>",
                    "text.html": "<p>{{ state.text }}</p>",
                }
            )
        )
    )

    class Text(Component):
        template_name = "text.html"

        def mount(self) -> None:
            super().mount()
            self.state["text"] = self.params["text"]

    class Card(Component):
        template_name = "card.html"

    card = Card()
    card.fill_slot("body", Text(text="<script>x</script>"))
    assert card.dispatch()["html"] == "<section><p>&lt;script&gt;x&lt;/script&gt;</p></section>"


def test_the_default_renderer_serves_components_without_one(isolated_default: None) -> None:
    default = JinjaRenderer(loader=jinja2.DictLoader({"c.html": "default {{ state.n }}"}))
    own = JinjaRenderer(loader=jinja2.DictLoader({"c.html": "own {{ state.n }}"}))
    assert set_default_renderer(default) is None
    assert get_default_renderer() is default

    class UsesDefault(Component):
        template_name = "c.html"

    class HasOwn(Component):
        template_name = "c.html"
        renderer = own

    assert UsesDefault().dispatch(state={"n": 1})["html"] == "default 1"
    assert HasOwn().dispatch(state={"n": 2})["html"] == "own 2"
    assert set_default_renderer(None) is default


def test_no_renderer_at_all_is_a_clear_error(isolated_default: None) -> None:
    class Lost(Component):
        template_name = "lost.html"

    with pytest.raises(ComponentError) as info:
        Lost().dispatch()
    assert str(info.value) == (
        "No renderer configured for Lost: set `renderer` on the class or call "
        "set_default_renderer(JinjaRenderer([...]))."
    )


def test_strict_makes_an_undefined_name_an_error_and_can_be_turned_off(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("<p>{{ state.cnt }}</p>")
    renderer = JinjaRenderer([tmp_path])
    assert renderer.strict is False
    assert renderer.render("t.html", {"state": {"count": 1}}) == "<p></p>"  # production
    renderer.strict = True
    with pytest.raises(jinja2.UndefinedError, match="no attribute 'cnt'"):
        renderer.render("t.html", {"state": {"count": 1}})
    assert JinjaRenderer([tmp_path], strict=True).strict is True
