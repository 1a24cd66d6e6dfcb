"""``cf dev`` against a hostile web page: its signing key, cross-site requests, Host, escaping."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import jinja2
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry
from component_framework.core.exceptions import StateIntegrityError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.signing import Signer
from component_framework.devserver import create_dev_app
from component_framework.devserver.server import allowed_hosts
from component_framework.project import Project
from component_framework.web import ComponentApp

from ._hostile import HEADERS, RENDERER, build_registry, message

DEV = {"Content-Type": "application/json", "X-CF-Dev": "1"}
PRODUCTION_KEY = os.environ["CF_SECRET_KEY"]  # set by tests/conftest.py, as in production
HOSTILE = '</textarea><script>alert("x")</script>'


@pytest.fixture
def restore_signer(cf_defaults: None) -> None:
    """cf dev configures the process-wide signer: cf_defaults restores it."""


@pytest.fixture
def dev(tmp_path: Path, restore_signer: None) -> Iterator[TestClient]:
    project = Project(root=tmp_path)
    strict = RENDERER.strict
    app = create_dev_app(project, registry=build_registry(), reload=False, report=None)
    try:
        with TestClient(app) as client:
            yield client
    finally:
        RENDERER.strict = strict  # cf dev made the components' renderer strict


def production() -> TestClient:
    """A production ComponentApp configured from the same CF_SECRET_KEY (as the global signer)."""
    components = ComponentApp(registry=build_registry(), secret_key=PRODUCTION_KEY)
    return TestClient(Starlette(routes=[components.mount()]))


# ---------- Item 5: cf dev is not a signing service for production ----------


def test_state_signed_by_the_dev_server_is_refused_in_production(dev: TestClient) -> None:
    # A whole state: cf dev renders strictly, every name the template uses must be there.
    state = {"count": 10**9, "label": ""}
    signed = dev.post("/__cf__/render", json=_render_body(state), headers=DEV)
    assert signed.status_code == 200, signed.text
    reply = signed.json()
    assert json.loads(reply["state"])["count"] == 10**9
    with production() as client:
        response = client.post("/cf/event", json=message(reply, "increment"), headers=HEADERS)
    assert response.status_code == 403
    assert response.json()["code"] == "tampered_state"
    # Nor does the production key (or its fallbacks) verify it anywhere.
    state, checksum = reply["state"], reply["checksum"]
    with pytest.raises(StateIntegrityError):
        Signer([PRODUCTION_KEY]).verify("counter", reply["component_id"], state, checksum)


def test_the_dev_server_accepts_only_what_it_signed(dev: TestClient) -> None:
    state_json, checksum = Signer([PRODUCTION_KEY]).sign_state("counter", "c-1", {"count": 5})
    body = {"component": "counter", "component_id": "c-1", "state": state_json}
    cf = {**HEADERS, "Sec-Fetch-Site": "same-origin"}
    response = dev.post("/cf/event", json={**body, "checksum": checksum}, headers=cf)
    assert response.status_code == 403


def _render_body(state: dict[str, Any]) -> dict[str, Any]:
    return {"component": "counter", "component_id": "c-1", "state": state}


# ---------- Item 10: cross-site requests never run component code ----------


def playground(params: dict[str, Any]) -> str:
    return "/components/counter?params=" + quote(json.dumps(params))


def frame_of(url: str) -> str:
    """The preview frame a playground URL shows its component in (same query)."""
    return url.replace("/components/", "/__cf__/frame/", 1)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
        {"Sec-Fetch-Site": "Cross-Site"},
        {"Referer": "https://evil.example/page"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
def test_a_cross_site_navigation_to_the_playground_is_refused(
    dev: TestClient, headers: dict[str, str]
) -> None:
    url = playground({"start": 666, "label": HOSTILE})
    response = dev.get(url, headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    assert "Cross-site request refused" in response.text
    assert "666" in response.text  # the address is shown, escaped, to be typed in on purpose
    assert "<script>" not in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar, or a bookmark
        {"Referer": "http://testserver/"},
        {},  # curl, scripts
    ],
)
def test_same_site_links_keep_working(dev: TestClient, headers: dict[str, str]) -> None:
    response = dev.get(playground({"start": 7}), headers=headers)
    assert response.status_code == 200
    # The playground shows the component in its preview frame, loaded from the same site.
    frame = dev.get(frame_of(playground({"start": 7})), headers=headers)
    assert frame.status_code == 200
    assert "<p>7 </p>" in frame.text


def test_cross_site_posts_that_run_component_code_are_refused(dev: TestClient) -> None:
    cross = {"Sec-Fetch-Site": "cross-site"}
    render = dev.post("/__cf__/render", json=_render_body({"count": 1}), headers={**DEV, **cross})
    event = dev.post("/cf/event", json={"component": "counter"}, headers={**HEADERS, **cross})
    stream = dev.post("/cf/stream", json={"component": "counter"}, headers={**HEADERS, **cross})
    for response in (render, event, stream):
        assert response.status_code == 403
        assert response.json() == {
            "type": "error",
            "error": "Cross-site request refused: the dev server runs component code only "
            "for its own pages.",
            "code": "cross_site",
        }
    # The frame of a story (it signs the state in its URL) is refused like the playground.
    frame = dev.get(frame_of(playground({"start": 1})), headers=cross)
    assert frame.status_code == 403
    # The gallery runs only the stories the developer wrote (no input from the link): a link
    # to it from anywhere opens it.
    assert dev.get("/", headers=cross).status_code == 200


# ---------- Guarantees that held: Host checks and escaping ----------


def test_the_dev_server_answers_only_loopback_host_names(
    tmp_path: Path, restore_signer: None
) -> None:
    project = Project(root=tmp_path)
    app = create_dev_app(
        project,
        registry=build_registry(),
        reload=False,
        report=None,
        allowed_hosts=allowed_hosts("127.0.0.1"),
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/").status_code == 200
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
            assert client.get("/", headers={"Host": host}).status_code == 400
            response = client.get(playground({"start": 1}), headers={"Host": host})
            assert response.status_code == 400


def test_the_playground_and_gallery_escape_what_they_show(dev: TestClient) -> None:
    page = dev.get(playground({"start": 1, "label": HOSTILE}))
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in page.text  # in the component and the params box
    broken = dev.get("/components/counter?params=" + quote(HOSTILE))
    assert broken.status_code == 200
    assert HOSTILE not in broken.text and "<script>alert" not in broken.text
    missing = dev.get("/components/" + quote("<script>alert(1)</script>"))
    assert missing.status_code == 404
    assert "<script>alert(1)" not in missing.text
    gallery = dev.get("/?q=" + quote(HOSTILE))
    assert HOSTILE not in gallery.text


# ---------- The real `cf dev`, as a developer starts it ----------


PROJECT_FILES = {
    "pyproject.toml": (
        '[tool.cf]\ncomponents = ["shop.components"]\ntemplates = ["shop/templates"]\n'
    ),
    "shop/__init__.py": "",
    "shop/components.py": """
        from component_framework.core import Component, registry

        @registry.register("wallet")
        class Wallet(Component):
            template_name = "wallet.html"

            def mount(self):
                super().mount()
                self.state["balance"] = self.params.get("balance", 0)

            def on_spend(self, amount: int):
                self.state["balance"] -= amount
        """,
    "shop/templates/wallet.html": "<p>balance {{ state.balance }}</p>",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def cf_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """``cf dev`` in a subprocess, with CF_SECRET_KEY set as on a production machine."""
    root = tmp_path_factory.mktemp("cfdev") / "project"
    for relative, source in PROJECT_FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    port = _free_port()
    log = root / "stderr.txt"
    env = {**os.environ, "CF_SECRET_KEY": PRODUCTION_KEY, "COLUMNS": "200"}
    command = [sys.executable, "-c", "from component_framework.cli import main; main()"]
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [*command, "dev", "--port", str(port), "--no-reload"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 30
        while "Ctrl+C" not in log.read_text() or not _listening(port):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", banner=log.read_text())
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _request(url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_cf_dev_says_at_start_up_that_it_signs_with_a_dev_only_key(
    cf_dev: SimpleNamespace,
) -> None:
    banner = " ".join(cf_dev.banner.split())
    assert "Signing development key in " in banner
    assert "(CF_SECRET_KEY is set and not used)" in banner
    assert "production refuses state signed here" in banner


def test_cf_dev_signed_state_is_refused_by_production(
    cf_dev: SimpleNamespace, restore_signer: None
) -> None:
    body = {"component": "wallet", "component_id": "w-1", "state": {"balance": 10**9}}
    status, text = _request(cf_dev.url + "/__cf__/render", body, DEV)
    assert status == 200, text
    reply = json.loads(text)
    assert json.loads(reply["state"]) == {"balance": 10**9}
    components = ComponentApp(registry=_wallet_registry(), secret_key=PRODUCTION_KEY)
    with TestClient(Starlette(routes=[components.mount()])) as client:
        spend = {**message(reply, "spend"), "component": "wallet", "payload": {"amount": 1}}
        response = client.post("/cf/event", json=spend, headers=HEADERS)
    assert response.status_code == 403
    assert response.json()["code"] == "tampered_state"


def _wallet_registry() -> ComponentRegistry:
    """The production app's registry: the same ``wallet`` component as the project's."""
    registry = ComponentRegistry()
    renderer = JinjaRenderer(loader=jinja2.DictLoader({"wallet.html": "<p>{{ state }}</p>"}))

    @registry.register("wallet")
    class Wallet(Component):
        template_name = "wallet.html"

        def on_spend(self, amount: int) -> None:
            self.state["balance"] -= amount

    Wallet.renderer = renderer
    return registry


def test_cf_dev_refuses_a_cross_site_link_and_serves_its_own(cf_dev: SimpleNamespace) -> None:
    url = cf_dev.url + "/components/wallet?params=" + quote('{"balance": 5}')
    status, text = _request(url, headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403 and "Cross-site request refused" in text
    frame = frame_of(url)
    status, text = _request(url, headers={"Sec-Fetch-Site": "same-origin"})
    assert status == 200 and 'id="cf-frame"' in text
    status, text = _request(frame, headers={"Sec-Fetch-Site": "same-origin"})
    assert status == 200 and "balance 5" in text
    status, text = _request(frame, headers={"Sec-Fetch-Site": "none"})
    assert status == 200 and "balance 5" in text
