"""The documentation site (mkdocs.yml): docs/ and an API reference from the docstrings.

Built here as a reader's ``mkdocs build`` would, in strict mode: a broken link, a missing
anchor, a cross-reference to nothing or a page left out of the navigation fails the build.
tests/test_docs.py runs the pages' code blocks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from component_framework import core

ROOT = Path(__file__).resolve().parent.parent


def _build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    # Material's notice about MkDocs 2.0 is advice for maintainers, not a build problem.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = ["mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)]
    return subprocess.run(
        [sys.executable, "-m", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    result = _build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def _article(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    return html[html.index("<article") : html.index("</article>")]


def test_the_tutorial_comes_first(site: Path) -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["nav"][0] == {"Tutorial": "tutorial.md"}
    home = (site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)" class="md-nav__link', home)
    assert links[0] == "tutorial/"


def test_every_page_renders_its_code_blocks(site: Path) -> None:
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > len(list((ROOT / "docs").glob("*.md")))
    for page in pages:
        article = _article(page)
        # A fence the Markdown parser did not take shows its backticks as text.
        assert "```" not in article, page
        assert not re.search(r":(class|func|meth|mod|attr):`", article), page


def test_search_covers_the_guides_and_the_api_reference(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert {"tutorial/", "core/", "reference/state/"} <= locations
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "safe for several worker processes on one host" in text  # SQLiteStateStore's doc


def test_the_api_reference_documents_the_public_core(site: Path) -> None:
    page = _article(site / "reference" / "core" / "index.html")
    for name in core.__all__:
        # ``registry`` the object shares its name with its module, which documents it.
        anchor = "registry.registry" if name == "registry" else name
        assert f'id="component_framework.core.{anchor}"' in page, name
    # Component's methods, wherever they are written (its mixins' included).
    for method in ("mount", "handle_event", "dispatch", "async_resolve", "redirect", "emit"):
        assert f'id="component_framework.core.Component.{method}"' in page, method
    state = _article(site / "reference" / "state" / "index.html")
    assert 'id="component_framework.core.sqlite_store.SQLiteStateStore"' in state
    assert "busy_timeout" in state  # its arguments, from the docstring


def test_strict_mode_refuses_broken_links_and_references(tmp_path: Path) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    with (tmp_path / "docs" / "cli.md").open("a", encoding="utf-8") as page:
        page.write(
            "\nSee [the guide](no-such-page.md), [a section](core.md#no-such-section) and "
            "[a class][component_framework.core.NoSuchClass].\n"
        )
    (tmp_path / "docs" / "orphan.md").write_text("# Not in the navigation\n", encoding="utf-8")
    result = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "no-such-page.md" in output
    assert "#no-such-section" in output
    assert "component_framework.core.NoSuchClass" in output
    assert "orphan.md" in output


def test_the_readme_says_where_the_site_starts_and_how_to_serve_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[docs/index.md](docs/index.md)" in readme
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs"
    assert 'python3 -m pip install -e ".[docs]" && python3 -m mkdocs serve' in readme


def test_the_site_bears_the_name_users_install() -> None:
    name = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == name  # every page's title and header: "Tutorial - cf-components"


def test_the_site_is_served_beside_the_apps_the_tutorial_runs() -> None:
    # The tutorial's app listens on 8000 and its `cf dev` on 8001, both left running while the
    # reader reads: serving the site on one of them ends in "Address already in use".
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    address = config.get("dev_addr", "127.0.0.1:8000")
    tutorial = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    taken = set(re.findall(r"http://127\.0\.0\.1:(\d+)/", tutorial))
    assert {"8000", "8001"} <= taken
    assert address.rpartition(":")[2] not in taken
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"<http://{address}/>" in readme


def test_the_site_reads_offline(site: Path) -> None:
    # Read behind a firewall or on a train, a page must not wait on a font server.
    pages = [page for page in site.rglob("*.html") if "fonts.googleapis" in page.read_text()]
    assert pages == []
