"""``cf gallery build DIR``: every story as a static site, for design review.

The site opens from disk or any static host (relative links only, no server, no JavaScript
needed to see it):

- ``index.html``: the gallery, every story of every component rendered (search included);
- ``<component>/index.html``: the docs tab of the component and its stories;
- ``<component>/<story>.html``: one story on a page of its own with the app's CSS;
- the folders of ``[tool.cf] styles``, copied as they are (fonts and images beside the CSS
  keep working), plus a ``.host.css`` twin of each stylesheet for the gallery's shadow roots.

The previews are rendered HTML: what a reviewer sees is what the component renders, without
the server behind it (clicking does not fire events).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2

from component_framework._dev_users import request_as
from component_framework._words import count
from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as default_registry
from component_framework.web import ComponentApp

from ._docs import component_docs
from ._inspect import describe_component
from ._preview import render_root, scope_css
from ._signing import dev_signer
from ._stories import StoryError, stories_of

if TYPE_CHECKING:
    from .app import DevProject

__all__ = ["SiteResult", "build_site"]


@dataclass
class SiteResult:
    """What was written: the folder, the number of pages and stories, and broken stories."""

    out: Path
    pages: int = 0
    stories: int = 0
    errors: list[str] = field(default_factory=list)


def _copy_styles(root: Path, styles: list[Path], out: Path) -> list[str]:
    """Copy each stylesheet's folder into *out*; return the stylesheets' relative paths."""
    relative: list[str] = []
    copied: set[Path] = set()
    for style in styles:
        try:
            rel = style.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        folder = style.resolve().parent
        if folder not in copied and folder.is_dir():
            target = out / rel.parent
            shutil.copytree(folder, target, dirs_exist_ok=True)
            copied.add(folder)
        if style.is_file():
            host = (out / rel).with_suffix(".host.css")
            host.write_text(scope_css(style.read_text(encoding="utf-8")), encoding="utf-8")
            relative.append(rel.as_posix())
    return relative


def build_site(
    project: DevProject, out: Path, *, registry: ComponentRegistry = default_registry
) -> SiteResult:
    """Render every story of every component of *project* (already set up) into *out*."""
    out.mkdir(parents=True, exist_ok=True)
    result = SiteResult(out)
    components = ComponentApp(registry=registry, signer=dev_signer(), debug=True)
    styles = _copy_styles(Path(project.root), list(project.styles), out)
    (out / "_cf").mkdir(exist_ok=True)
    css = resources.files("component_framework.devserver").joinpath("static", "dev.css")
    (out / "_cf" / "dev.css").write_bytes(css.read_bytes())
    pages = jinja2.Environment(
        loader=jinja2.PackageLoader("component_framework.devserver", "templates"),
        autoescape=True,
    )
    pages.filters["quote"] = lambda value: quote(str(value))
    pages.filters["count"] = count
    items = []
    for name, cls in sorted(registry.items()):
        try:
            stories = stories_of(name, cls)
        except StoryError as exc:
            result.errors.append(str(exc))
            continue
        rendered = []
        for story in stories:
            try:
                request = request_as(project, story.user)  # None: no user, as before
                html = render_root(components, name, request, story.params, story.state)
                error = ""
            except Exception as exc:  # a broken story shows its error, the rest still build
                html, error = "", f"{type(exc).__name__}: {exc}"
                result.errors.append(f"{story.id}: {error}")
            rendered.append({**story.to_json(), "html": html, "error": error})
        state = _state_of(rendered[0]["html"]) if rendered else None
        docs = component_docs(name, cls, state)
        # The site is published: no path of the machine that built it (the user's home).
        docs["file"] = _shown(docs["file"], Path(project.root))
        info = describe_component(name, cls).to_json()
        item = {"name": name, "kind": docs["kind"], "class": docs["class"], "stories": rendered}
        item["doc"], item["doc_html"] = info["doc"], info["doc_html"]
        items.append(item)
        folder = out / name
        folder.mkdir(exist_ok=True)
        for entry in rendered:
            page = pages.get_template("site_story.html").render(
                story=entry, styles=["../" + s for s in styles]
            )
            (folder / f"{entry['name']}.html").write_text(page, encoding="utf-8")
            result.pages += 1
            result.stories += 1
        page = pages.get_template("site_component.html").render(item=item, docs=docs)
        (folder / "index.html").write_text(page, encoding="utf-8")
        result.pages += 1
    hosts = [s.removesuffix(".css") + ".host.css" for s in styles]
    index = pages.get_template("site_index.html").render(components=items, styles=hosts)
    (out / "index.html").write_text(index, encoding="utf-8")
    result.pages += 1
    return result


def _shown(file: str, root: Path) -> str:
    """*file* relative to the project *root*, or its name alone when outside it."""
    if not file:
        return ""
    path = Path(file).resolve()
    if path.is_relative_to(root.resolve()):
        return path.relative_to(root.resolve()).as_posix()
    return path.name


def _state_of(root_html: str) -> dict[str, Any] | None:
    import html as html_lib
    import re

    match = re.search(r'data-cf-state="([^"]*)"', root_html)
    if match is None:
        return None
    try:
        value = json.loads(html_lib.unescape(match.group(1)))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
