"""Link previews: the title of the page a message links to, fetched after the message was sent.

The room starts ``preview`` as a background task (``Room.on_send``): fetching a page can take
seconds, and the sender's reply must not wait for it. The task runs in a worker thread, reads at
most ``MAX_BYTES`` of the page, gives up after ``TIMEOUT`` seconds without an answer or
``MAX_SECONDS`` in all (a server sending a byte now and then cannot keep the thread), follows
at most ``MAX_REDIRECTS`` redirects, and keeps the title it found in the database.

Fetching a URL a user typed lets that user make the server send requests: to services behind
your firewall, to the server itself, or to cloud metadata addresses (server-side request
forgery). So only http and https are fetched, and only from public addresses: the host's name
is resolved here, the page is refused if any of its addresses is loopback, private, link-local,
multicast, reserved, site-local or otherwise not globally routable (an IPv6 address carrying
an IPv4 one is judged as that IPv4 address), and the connection goes to the address that was
checked, so a DNS answer that changes in between cannot lead elsewhere. Every redirect is
checked the same way.

``CHAT_PREVIEW_NETWORKS``, read at startup, lists networks that are fetched from although they
are not public (comma-separated, e.g. ``127.0.0.1/32`` for pages served by a local test
server). It is empty by default; set it only for tests or for an intranet you trust.
"""

from __future__ import annotations

import codecs
import html
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import SplitResult, urljoin, urlsplit

from . import db

__all__ = [
    "ALLOWED_NETWORKS",
    "MAX_BYTES",
    "MAX_REDIRECTS",
    "MAX_SECONDS",
    "TIMEOUT",
    "allowed_networks",
    "first_link",
    "is_public",
    "preview",
    "title_of",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_BYTES = 65_536
"""How much of a page is read: its title is near the top."""
TIMEOUT = 3.0
"""Seconds to wait for the page's server to connect or to send more."""
MAX_SECONDS = 8.0
"""Seconds a link's fetch may take in all, redirects included."""
MAX_REDIRECTS = 5
"""Redirects followed before giving up on a link."""
MAX_TITLE = 200

_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TITLE_START = re.compile(r"<title", re.IGNORECASE)
_TITLE_END = re.compile(r"</title", re.IGNORECASE)
_REDIRECTS = {301, 302, 303, 307, 308}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # reaches the IPv4 address in its last 32 bits
_TLS = ssl.create_default_context()


def allowed_networks(value: str) -> tuple[Network, ...]:
    """The networks listed in *value* (comma-separated), for ``CHAT_PREVIEW_NETWORKS``."""
    networks = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError:
            raise ValueError(
                f"CHAT_PREVIEW_NETWORKS: {item!r} is not a network; write networks such as "
                "127.0.0.1/32 or 10.0.0.0/8, separated by commas"
            ) from None
    return tuple(networks)


ALLOWED_NETWORKS = allowed_networks(os.environ.get("CHAT_PREVIEW_NETWORKS", ""))
"""Networks fetched from although they are not public: none unless the environment says so."""


def is_public(address: IPAddress) -> bool:
    """Whether *address* is globally routable, so fetching from it reaches no private service."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:
            return False  # deprecated, yet private to a network where still used
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in _NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
        if carried is not None:
            address = carried
    return address.is_global and not (address.is_multicast or address.is_reserved)


def _allowed(address: IPAddress) -> bool:
    return is_public(address) or any(address in network for network in ALLOWED_NETWORKS)


def _vetted_address(host: str, port: int) -> str | None:
    """An address of *host* to connect to, or None if any of its addresses is not allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    addresses = [ipaddress.ip_address(str(sockaddr[0]).split("%")[0]) for *_, sockaddr in found]
    if not addresses or not all(_allowed(address) for address in addresses):
        return None  # one bad address is enough: the resolver may hand out any of them
    return str(addresses[0])


class _PinnedHTTP(HTTPConnection):
    """An HTTP connection to *host* (its Host header) made to the vetted *address*."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(HTTPSConnection):
    """An HTTPS connection to *host* (its Host header, its certificate) made to *address*."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=_TLS)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = _TLS.wrap_socket(sock, server_hostname=self.host)


def _connection(url: SplitResult, deadline: float) -> HTTPConnection | None:
    """A connection to *url*'s host through an allowed address (made, within *deadline* and
    ``TIMEOUT``), or None if it has none."""
    secure = url.scheme.lower() == "https"
    host, port = url.hostname, url.port or (443 if secure else 80)
    address = _vetted_address(host, port) if host else None
    if not host or address is None:
        return None
    timeout = min(TIMEOUT, deadline - time.monotonic())
    if timeout <= 0:
        raise TimeoutError("the link took longer than MAX_SECONDS")
    connection = (_PinnedHTTPS if secure else _PinnedHTTP)(host, port, address, timeout)
    connection.connect()
    return connection


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown: an SSLSocket's drops its TLS state, which a read may be using.
    with suppress(OSError):  # closed already: the fetch ended as the deadline came
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


@contextmanager
def _cut_at(deadline: float, sock: socket.socket) -> Iterator[None]:
    """Shut *sock* down at *deadline*, ending any read waiting on it: each read waits at most
    ``TIMEOUT``, but a server sending a byte before each one runs out would never end."""
    timer = threading.Timer(deadline - time.monotonic(), _shut, (sock,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def first_link(text: str) -> str | None:
    """The first http or https URL in *text*, without the punctuation that ends a sentence."""
    match = _LINK.search(text)
    return match.group(0).rstrip(".,;:!?)") if match else None


def _page(url: str) -> str | None:
    """The start of the HTML page at *url*, following redirects, checking each address."""
    deadline = time.monotonic() + MAX_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            return None
        connection = _connection(parts, deadline)
        if connection is None:
            return None
        with closing(connection), _cut_at(deadline, connection.sock):
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("GET", target, headers={"Accept": "text/html"})
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                url = urljoin(url, location)
                continue
            if response.status != 200 or response.msg.get_content_type() != "text/html":
                return None
            charset = response.msg.get_content_charset() or "utf-8"
            if codecs.lookup(charset).name == "punycode":  # no browser reads it; 64 KiB take 1 s
                charset = "utf-8"
            return response.read(MAX_BYTES).decode(charset, "replace")
    return None  # too many redirects


def title_of(url: str) -> str | None:
    """The title of the HTML page at *url*; None if it cannot be read, is not HTML or has none.

    Also None when the page, or a page it redirects to, is on an address that is not public.
    """
    try:
        page = _page(url)
    except (OSError, ValueError, LookupError, HTTPException):  # unreachable, slow, bad charset
        return None
    text = _title_in(page or "")
    title = " ".join(html.unescape(text).split())[:MAX_TITLE] if text else ""
    return title or None


def _title_in(page: str) -> str | None:
    """The text between the first ``<title ...>`` and the ``</title`` after it, found in one
    pass over *page* (a single pattern for both retries at every ``<title``: a page of 64 KiB
    of them would keep the interpreter busy for seconds)."""
    start = _TITLE_START.search(page)
    opened = page.find(">", start.end()) if start else -1
    end = _TITLE_END.search(page, opened + 1) if opened >= 0 else None
    return page[opened + 1 : end.start()] if end else None


def preview(message: int, url: str) -> int | None:
    """The background task: fetch the title of *url* and keep it as *message*'s preview.

    Returns the message's id when it has a preview now, for the room to show it on every page.
    """
    title = title_of(url)
    if title is None:
        return None
    db.set_preview(message, url, title)
    return message
