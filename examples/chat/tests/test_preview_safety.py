"""Link previews fetch only from public addresses: no request reaches the server itself, a
private network or a cloud's metadata service, whether the link names it, a DNS name leads to
it, or a redirect does. Real local servers record every request that reaches them.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer
from typing import Any

import pytest

from chat import db, previews


class Site:
    """A real HTTP server on *host* (HTTPS with *tls*) that records the requests reaching it."""

    def __init__(self, host: str, tls: ssl.SSLContext | None = None) -> None:
        self.hits: list[tuple[str, str]] = []  # (path, Host header)
        site = self

        class Pages(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                site.hits.append((self.path, self.headers["Host"]))
                if self.path.startswith("/to/"):  # /to/<url>: a redirect to <url>
                    self.send_response(302)
                    self.send_header("Location", self.path.removeprefix("/to/"))
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<title>Secret admin page</title>")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Pages)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    """Two servers: on 127.0.0.1 (allowed when a test says so) and on 127.0.0.2 (never)."""
    pair = Site("127.0.0.1"), Site("127.0.0.2")
    yield pair
    for site in pair:
        site.close()


@pytest.fixture
def site(sites: tuple[Site, Site]) -> Site:
    sites[0].hits.clear()
    return sites[0]


@pytest.fixture
def target(sites: tuple[Site, Site]) -> Site:
    sites[1].hits.clear()
    return sites[1]


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The addresses that connections are made to (made for real), for targets no test owns."""
    made: list[Any] = []
    connect = socket.create_connection

    def recording(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        made.append(address[0])
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording)
    return made


@pytest.fixture
def allow_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """CHAT_PREVIEW_NETWORKS=127.0.0.1/32: the pages of `site` may be previewed."""
    monkeypatch.setattr(previews, "ALLOWED_NETWORKS", previews.allowed_networks("127.0.0.1/32"))


def assert_no_preview(url: str) -> None:
    message = db.post("random", "ada", f"look at {url}")
    assert previews.preview(message.id, url) is None
    found = db.message("random", message.id)
    assert found is not None and found.preview is None


def test_a_link_to_the_server_itself_reaches_nothing(site: Site, target: Site) -> None:
    assert previews.ALLOWED_NETWORKS == ()  # off unless CHAT_PREVIEW_NETWORKS says otherwise
    for url in (f"{site.url}/admin", f"http://localhost:{site.port}/", f"{target.url}/"):
        assert_no_preview(url)
    assert site.hits == [] and target.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://192.168.1.1:6379/",
        "http://172.16.5.4/admin",
        "http://100.64.0.1/",
        "http://[fc00::1]/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 as the resolver reads it, like the forms below
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://public.example@127.0.0.1/",
        "HTTP://[0:0:0:0:0:ffff:7f00:1]/",
        "http://[::]/",
        "http://[2002:a00:1::]/",  # 6to4: the network of 10.0.0.1
        "http://[64:ff9b:1::a00:1]/",  # NAT64 for local use: an IPv4 address the network picks
        "http://[fec0::1]/",  # site-local
    ],
)
def test_a_link_to_a_private_or_loopback_address_is_not_fetched(
    url: str, connections: list[Any]
) -> None:
    assert_no_preview(url)
    assert connections == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_a_link_to_a_cloud_metadata_address_is_not_fetched(
    url: str, connections: list[Any]
) -> None:
    assert_no_preview(url)
    assert connections == []


def resolve_as(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    """DNS answers for *names* (each a list of addresses); other names resolve for real."""
    resolve = socket.getaddrinfo

    def answer(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in names:
            return resolve(host, port, *args, **kwargs)
        family = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(family[":" in ip], socket.SOCK_STREAM, 6, "", (ip, port)) for ip in names[host]]

    monkeypatch.setattr(socket, "getaddrinfo", answer)


def test_a_name_that_resolves_to_a_private_address_is_not_fetched(
    site: Site, connections: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve_as(
        monkeypatch,
        {
            "intranet.example": ["10.0.0.7"],
            "metadata.example": ["169.254.169.254"],
            "mixed.example": ["93.184.216.34", "10.0.0.7"],  # one bad answer is enough
            "pages.example": ["127.0.0.1"],
        },
    )
    for name in ("intranet.example", "metadata.example", "mixed.example"):
        assert_no_preview(f"http://{name}/")
    assert_no_preview(f"http://pages.example:{site.port}/admin")
    assert connections == [] and site.hits == []


def test_an_allowed_name_is_fetched_from_the_address_that_was_checked(
    site: Site, allow_site: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve_as(monkeypatch, {"pages.example": ["127.0.0.1"]})
    assert previews.title_of(f"http://pages.example:{site.port}/admin") == "Secret admin page"
    assert site.hits == [("/admin", f"pages.example:{site.port}")]  # the name, in Host


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Path]]:
    """An HTTPS server on 127.0.0.1 whose certificate names pages.example; and that certificate."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=pages.example", "-addext", "subjectAltName=DNS:pages.example",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    site = Site("127.0.0.1", tls)
    yield site, cert
    site.close()


def test_https_is_fetched_from_the_checked_address_with_the_names_certificate(
    tls_site: tuple[Site, Path], allow_site: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, cert = tls_site
    monkeypatch.setattr(previews, "_TLS", ssl.create_default_context(cafile=cert))
    resolve_as(monkeypatch, {"pages.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    assert previews.title_of(f"https://pages.example:{site.port}/admin") == "Secret admin page"
    assert previews.title_of(f"https://other.example:{site.port}/admin") is None  # not its name
    assert site.hits == [("/admin", f"pages.example:{site.port}")]


def test_a_redirect_to_a_private_address_is_not_followed(
    site: Site, target: Site, allow_site: None, connections: list[Any]
) -> None:
    assert previews.title_of(f"{site.url}/to/{site.url}/page") == "Secret admin page"
    site.hits.clear()
    for url in (f"{target.url}/admin", "http://169.254.169.254/", "http://10.0.0.1/"):
        assert_no_preview(f"{site.url}/to/{url}")
    assert target.hits == []  # the first hop was allowed, the second never made
    assert [path for path, _ in site.hits] == [
        f"/to/{target.url}/admin",
        "/to/http://169.254.169.254/",
        "/to/http://10.0.0.1/",
    ]
    assert set(connections) == {"127.0.0.1"}


def test_redirects_are_followed_a_bounded_number_of_times(site: Site, allow_site: None) -> None:
    url = f"{site.url}/plan"
    for _ in range(previews.MAX_REDIRECTS):
        url = f"{site.url}/to/{url}"
    assert previews.title_of(url) == "Secret admin page"
    site.hits.clear()
    assert_no_preview(f"{site.url}/to/{url}")
    assert len(site.hits) == previews.MAX_REDIRECTS + 1


def test_the_networks_to_allow_are_read_with_a_clear_error() -> None:
    allowed = previews.allowed_networks(" 127.0.0.1/32, ::1/128 ,")
    assert [str(network) for network in allowed] == ["127.0.0.1/32", "::1/128"]
    with pytest.raises(ValueError, match="'localhost' is not a network; write networks such"):
        previews.allowed_networks("localhost")


class RawSite:
    """A real HTTP server on 127.0.0.1 that sends the answers below as they are, the middle part
    a little at a time, each part well within ``TIMEOUT``: a fetch that waits only for each part
    would take 15 s (or forever, with more parts)."""

    ANSWERS = {
        "/header": (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ",
            [b"."] * 300,
            b"\r\nConnection: close\r\n\r\n<title>Slow page</title>",
        ),
        "/chunked": (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
            [b"1\r\n \r\n"] * 300,
            b"18\r\n<title>Slow page</title>\r\n0\r\n\r\n",
        ),
        "/continue": (  # "go on" answers, which http.client skips without counting
            b"",
            [b"HTTP/1.1 100 Continue\r\n\r\n"] * 300,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
            b"<title>Slow page</title>",
        ),
        "/punycode": (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=punycode\r\n"
            b"Connection: close\r\n\r\n",
            [],
            "<title>Caf\u00e9</title>".encode(),
        ),
        "/titles": (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n",
            [],
            b"<title>" * (2**20 // 7),  # and no end
        ),
    }

    def __init__(self) -> None:
        self.cut = {path: threading.Event() for path in self.ANSWERS}  # hung up before the end
        raw = self

        class Answer(StreamRequestHandler):
            def handle(self) -> None:
                path = self.rfile.readline().split()[1].decode()
                while self.rfile.readline().strip():
                    pass
                start, slow, end = raw.ANSWERS[path]
                try:
                    self.wfile.write(start)
                    for part in slow:
                        self.wfile.write(part)
                        time.sleep(0.05)
                    self.wfile.write(end)
                except OSError:
                    raw.cut[path].set()

        self.server = ThreadingTCPServer(("127.0.0.1", 0), Answer)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def raw() -> Iterator[RawSite]:
    server = RawSite()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.mark.parametrize("path", ["/header", "/chunked", "/continue"])
def test_a_server_that_sends_a_byte_now_and_then_is_given_up_on(
    path: str, raw: RawSite, allow_site: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(previews, "MAX_SECONDS", 0.5)  # the answers take 15 s
    assert_no_preview(f"{raw.url}{path}")
    assert raw.cut[path].wait(30)  # the fetch hung up: its worker thread is free again


def test_a_page_of_titles_without_an_end_is_searched_once(raw: RawSite) -> None:
    # A search that starts again at each "<title" takes time growing with the square of the
    # page, holding the interpreter (every thread of the server): seconds for 64 KiB, a quarter
    # of an hour for this MiB. So it runs in a process of its own, which such a search outlives.
    script = (
        "from chat import previews\n"
        "previews.MAX_BYTES = 2**20\n"
        "previews.ALLOWED_NETWORKS = previews.allowed_networks('127.0.0.1/32')\n"
        f"print(previews.title_of('{raw.url}/titles'))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (found.returncode, found.stdout) == (0, "None\n"), found.stderr


def test_a_page_said_to_be_punycode_is_read_as_utf8(raw: RawSite, allow_site: None) -> None:
    # No browser reads a page as punycode, and decoding 64 KiB of it takes a second of work.
    assert previews.title_of(f"{raw.url}/punycode") == "Caf\u00e9"
