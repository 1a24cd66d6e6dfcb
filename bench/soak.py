"""Soak: the chat example (examples/chat) with many pages and a steady flow of messages.

One real redis-server and two uvicorn processes serve ``chat.app:app`` (DEBUG=0, one SQLite
file), as its README runs it. ``--pages`` WebSocket clients (not browsers: one socket each, as
cf.js opens it) sign in, render ``/rooms/general`` (each page its own component id, state and
subscribe token), and subscribe to the room over the server of their half. A sender sends
``--rate`` messages a second for ``--minutes`` minutes, as a page does (the ``send`` event over
HTTP, over either server as a load balancer would send them), ``--senders`` people taking
turns, each sending its next message after the reply to its last. Each page records when each
message's stream insert arrives.

Reported per minute: the delivery latency (from the send until a page had the message) p50 and
p99 over every page, the messages sent, and the RSS of each server; at the end, messages lost
duplicates, a sender's messages out of order and pages that disagree on the room's order
(all must be 0), and the servers' RSS at start and end (a leak
shows as growth). There is no floor: this run checks what holds over time, not a speed.

Run:  python bench/soak.py [--pages 1000] [--rate 5] [--minutes 10] [--senders 5]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from _servers import free_port, stop_all, wait_port  # isort: skip (bench/ on sys.path)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHAT = ROOT / "examples" / "chat"
KEY = "bench-secret-key-0123456789abcdef"
_ROOT = re.compile(
    r'data-cf-component="room_general" data-cf-id="([^"]+)" data-cf-state="([^"]+)"'
    r' data-cf-checksum="([^"]+)" data-cf-token="([^"]+)"'
)
_SOAK = re.compile(r"soak (\d+)\b")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Ledger:
    """When each message was sent, in which minute, and the latencies of its arrivals."""

    def __init__(self) -> None:
        self.sent: dict[int, tuple[float, int]] = {}  # n -> (when, minute)
        self.sender: dict[int, int] = {}  # n -> who sent it
        self.latencies: dict[int, list[float]] = {}  # minute -> seconds

    def arrived(self, n: int, now: float) -> None:
        when, minute = self.sent[n]
        self.latencies.setdefault(minute, []).append(now - when)


class Page:
    """One page of the room: its component as rendered, and the messages it got."""

    def __init__(self, base: str, cookies: httpx.Cookies, page_html: str) -> None:
        found = _ROOT.search(page_html)
        if found is None:
            raise RuntimeError("the room page has no room_general component root")
        self.base = base
        self.cookies = cookies
        self.id, state, self.checksum, self.token = (html.unescape(v) for v in found.groups())
        self.state = state
        self.arrivals: list[tuple[int, float]] = []
        self.socket: ClientConnection | None = None

    async def subscribe(self) -> None:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        url = self.base.replace("http://", "ws://") + "/cf/ws"
        headers = {"Cookie": cookie, "Origin": self.base}
        self.socket = await connect(
            url, additional_headers=headers, ping_interval=None, max_size=None
        )
        message = {"type": "subscribe", "component_id": self.id, "token": self.token}
        message.update(state=self.state, checksum=self.checksum, resync=False)
        await self.socket.send(json.dumps(message))
        while True:  # a presence-free page: "subscribed" is the first answer
            reply = json.loads(await self.socket.recv())
            if reply.get("type") == "subscribed":
                return
            if reply.get("type") == "error":
                raise RuntimeError(f"subscribe refused: {reply}")

    async def read(self, ledger: Ledger) -> None:
        assert self.socket is not None
        async for text in self.socket:
            now = time.perf_counter()
            for effect in json.loads(text).get("effects") or ():
                if effect.get("type") == "stream" and effect.get("op") == "insert":
                    found = _SOAK.search(effect.get("html", ""))
                    if found:
                        n = int(found.group(1))
                        self.arrivals.append((n, now))
                        ledger.arrived(n, now)


async def open_page(base: str, name: str) -> Page:
    async with httpx.AsyncClient(base_url=base, follow_redirects=True) as http:
        reply = await http.post("/sign-in", data={"name": name, "next": "/rooms/general"})
        reply.raise_for_status()
        return Page(base, http.cookies, reply.text)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5.0, help="messages a second")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--senders", type=int, default=5, help="people sending, in turn")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    redis_port = free_port()
    redis_cmd = [shutil.which("redis-server") or "redis-server", "--port", str(redis_port)]
    redis_cmd += ["--save", "", "--appendonly", "no", "--dir", str(folder)]
    redis_proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
    env = {
        **os.environ,
        "DEBUG": "0",
        "CF_SECRET_KEY": KEY,
        "CF_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CHAT_DB": str(folder / "chat.db"),
        "CHAT_MEDIA": str(folder / "media"),
        "PYTHONPATH": os.pathsep.join([str(CHAT), str(ROOT)]),
    }
    ports = [free_port(), free_port()]
    servers = []
    try:
        await wait_port(redis_port)
        for port in ports:
            cmd = [sys.executable, "-m", "uvicorn", "chat.app:app", "--port", str(port)]
            cmd += ["--log-level", "warning", "--ws-ping-interval", "0"]
            servers.append(subprocess.Popen(cmd, cwd=CHAT, env=env))
            await wait_port(port, timeout=60)  # one at a time: the first makes the database
        bases = [f"http://127.0.0.1:{port}" for port in ports]

        started = time.perf_counter()
        pages: list[Page] = []
        for first in range(0, args.pages, 20):  # 20 pages open at once
            batch = range(first, min(first + 20, args.pages))
            opened = await asyncio.gather(*(open_page(bases[n % 2], f"reader {n}") for n in batch))
            await asyncio.gather(*(page.subscribe() for page in opened))
            pages.extend(opened)
        ledger = Ledger()
        readers = [asyncio.create_task(page.read(ledger)) for page in pages]
        print(f"{args.pages} pages subscribed in {time.perf_counter() - started:.1f} s")
        rss_start = [rss_mb(server.pid) for server in servers]

        senders = [await open_page(bases[0], f"sender {k}") for k in range(args.senders)]
        total = int(args.minutes * 60 * args.rate)
        print("minute  sent  p50 ms  p99 ms  RSS MB (server 1, 2)")
        begin = time.perf_counter()

        async def send(k: int) -> None:
            """Sender *k*: messages k+1, k+1+senders, ..., each after the last one's reply,
            as a person's page sends them, over either server (as a load balancer would)."""
            page = senders[k]
            # A new connection each time: a kept-alive one may be closed by the server (its
            # keep-alive timeout) just as a message goes out, and a resend could duplicate it.
            no_reuse = httpx.Limits(max_keepalive_connections=0)
            http = httpx.AsyncClient(cookies=page.cookies, timeout=60, limits=no_reuse)
            for slot in range(k, total, args.senders):
                await asyncio.sleep(max(0.0, begin + slot / args.rate - time.perf_counter()))
                n = slot + 1
                message = {
                    "type": "component_event",
                    "component": "room_general",
                    "component_id": page.id,
                    "event": "send",
                    "payload": {"form_data": {"text": f"soak {n} from the bench"}},
                    "state": page.state,
                    "checksum": page.checksum,
                }
                base = bases[n % 2]
                now = time.perf_counter()
                ledger.sent[n] = (now, int((now - begin) // 60))
                ledger.sender[n] = k
                reply = await http.post(
                    f"{base}/cf/event", json=message, headers={"X-CF-Request": "1", "Origin": base}
                )
                answer = reply.json()
                if reply.status_code != 200 or answer.get("type") == "error":
                    raise RuntimeError(f"send {n} refused: {reply.status_code} {answer}")
                page.state, page.checksum = answer["state"], answer["checksum"]
            await http.aclose()

        async def every_minute() -> None:
            for minute in range(10**6):
                await asyncio.sleep(max(0.0, begin + (minute + 1) * 60 - time.perf_counter()))
                report(minute, ledger, servers)

        reporter = asyncio.create_task(every_minute())
        await asyncio.gather(*(send(k) for k in range(args.senders)))
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline and any(len(p.arrivals) < total for p in pages):
            await asyncio.sleep(0.2)
        reporter.cancel()
        last = max(minute for _, minute in ledger.sent.values())
        report(last, ledger, servers)
        rss_end = [rss_mb(server.pid) for server in servers]

        lost = sum(total - len({n for n, _ in page.arrivals}) for page in pages)
        duplicates = sum(len(page.arrivals) - len({n for n, _ in page.arrivals}) for page in pages)
        # Every page must show the room in one order, and each sender's messages in the order
        # they were sent (two senders' messages may cross: they are sent at the same time).
        first = [n for n, _ in pages[0].arrivals]
        disagree = sum(1 for page in pages if [n for n, _ in page.arrivals] != first)
        inversions = 0
        for page in pages:
            latest: dict[int, int] = {}
            for n, _ in page.arrivals:
                k = ledger.sender[n]
                inversions += n < latest.get(k, 0)
                latest[k] = max(n, latest.get(k, 0))
        every = [seconds for values in ledger.latencies.values() for seconds in values]
        print(
            f"\n{total} messages x {args.pages} pages: lost {lost}, duplicated {duplicates},"
            f" a sender's messages out of order {inversions}, pages disagreeing on the order"
            f" {disagree}; latency p50 {statistics.median(every) * 1000:.0f} ms,"
            f" p99 {pct(every, 0.99) * 1000:.0f} ms"
        )
        for i, (a, b) in enumerate(zip(rss_start, rss_end, strict=True), 1):
            print(f"server {i} RSS: {a:.1f} MB at start, {b:.1f} MB at end ({b - a:+.1f} MB)")
        for task in readers:
            task.cancel()
    finally:
        stop_all([*servers, redis_proc])
        shutil.rmtree(folder, ignore_errors=True)


def report(minute: int, ledger: Ledger, servers: list[Any]) -> None:
    """Print the latencies of the messages sent in *minute* (those arrived so far)."""
    latencies = ledger.latencies.get(minute, [])
    sent = sum(1 for _, sent_in in ledger.sent.values() if sent_in == minute)
    rss = ", ".join(f"{rss_mb(server.pid):.1f}" for server in servers)
    if latencies:
        p50, p99 = statistics.median(latencies) * 1000, pct(latencies, 0.99) * 1000
        print(f"{minute + 1:6d}  {sent:4d}  {p50:6.0f}  {p99:6.0f}  {rss}", flush=True)
    else:
        print(f"{minute + 1:6d}  {sent:4d}       -       -  {rss}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
