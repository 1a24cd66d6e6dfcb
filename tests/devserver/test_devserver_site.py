"""``cf gallery build``'s static site and the gallery: docstrings rendered, counts in prose,
and nothing of the machine that built the site."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from component_framework.core import ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.devserver import create_dev_app
from component_framework.devserver._site import build_site
from component_framework.project import Project

from .conftest import PackageFactory
from .test_devserver_app import DEV_USERS, STAFF_REPORT


def _project(package: PackageFactory) -> tuple[Project, ComponentRegistry]:
    registry = ComponentRegistry()
    package.write(
        "counter.py",
        '''
        from component_framework.core import Component


        class Counter(Component):
            """Counts clicks. Mount with ``start`` to begin elsewhere than *zero*."""

            template_name = "counter.html"

            def mount(self):
                self.state["count"] = self.params.get("start", 0)

            def on_increment(self):
                self.state["count"] += 1
        ''',
    )
    templates = package.folder / "templates"
    templates.mkdir()
    (templates / "counter.html").write_text("<p>{{ state.count }}</p>")
    module = __import__(f"{package.name}.counter", fromlist=["Counter"])
    module.Counter.renderer = JinjaRenderer([templates])
    registry.register("counter")(module.Counter)
    project = Project(root=package.root, components=[package.name], templates=[templates])
    return project, registry


def test_the_static_site_renders_docstrings_counts_in_prose_and_keeps_no_local_path(
    package: PackageFactory, tmp_path: Path
) -> None:
    project, registry = _project(package)
    out = tmp_path / "site"
    build_site(project, out, registry=registry)
    index = (out / "index.html").read_text()
    assert "Mount with <code>start</code> to begin elsewhere than <em>zero</em>." in index
    assert "1 component<" in index and "1 components" not in index
    component = (out / "counter" / "index.html").read_text()
    assert f"{package.name}/counter.py:5" in component
    for page in out.rglob("*.html"):
        text = page.read_text()
        assert str(tmp_path) not in text and str(Path.home()) + "/" not in text, page


def test_gallery_cards_render_docstrings_as_the_docs_tab_does(package: PackageFactory) -> None:
    project, registry = _project(package)
    app = create_dev_app(project, registry=registry, reload=False, report=None)
    with TestClient(app) as client:
        gallery = client.get("/").text
    card = re.search(r'<p class="cf-card-doc">(.*?)</p>', gallery)
    assert card is not None
    assert card.group(1) == (
        "Counts clicks. Mount with <code>start</code> to begin elsewhere than <em>zero</em>."
    )


def test_the_static_site_renders_each_story_as_its_user(
    package: PackageFactory, tmp_path: Path
) -> None:
    package.write("components.py", STAFF_REPORT)
    package.write("dev.py", DEV_USERS)
    package.write("templates/report.html", "<p>The staff report</p>")
    templates = [package.folder / "templates"]
    project = Project(package.root, components=[f"{package.name}.components"], templates=templates)
    project.users = f"{package.name}.dev:user_named"
    module = __import__(f"{package.name}.components", fromlist=["Report"])
    module.Report.renderer = JinjaRenderer(templates)
    out = tmp_path / "site"
    build_site(project, out)
    assert "The staff report" in (out / "report" / "as-boss.html").read_text()
    assert "Permission denied." in (out / "report" / "as-ann.html").read_text()
    assert "Authentication required." in (out / "report" / "anonymous.html").read_text()
