"""Uploads over HTTP on loopback, on each adapter: the upload endpoint against a raw floor.

One server process (``_upload_server.py``) serves both sides, alternated over rounds:

* ``floor``: a raw Starlette endpoint streaming one request's body (the whole file) to a file,
  mounted beside the adapter's app in the same uvicorn process;
* ``uploads``: the same file through ``{prefix}/upload``: begin, then one ``PUT`` per chunk
  (token check, offset check, lock, write as it arrives, type sniffed at the first chunk),
  sized as cf.js sizes them: 1 MiB first, doubled while a chunk takes under 5 s, up to the
  declared chunk size (``--chunk-mb``, by default ``Upload``'s: 8 MiB).

Reported: MB/s per side (median over rounds) and their ratio (target >= 0.8x); the server's
peak RSS growth over one upload (``VmHWM`` before and after, in a fresh server; target <= 4x
the chunk size); 20 uploads of 10 MB at once from 20 clients (all complete, RSS growth, and
the floor's under the same load); and a
resume: the connection killed halfway through a chunk at 50 %, the upload resumed from the
offset the server reports, the kept file's SHA-256 compared with the source's.

``--adapter`` picks the app serving the upload endpoint: ``starlette`` (the default),
``fastapi``, ``litestar`` or ``django`` (its ASGI handler) under uvicorn; ``flask`` under
gunicorn's threaded workers, beside a raw Flask floor (the WSGI path: the body read in pieces
from the request's stream).

Run:  python bench/uploads.py [--size-mb 200] [--rounds 3] [--chunk-mb 8] [--adapter NAME]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from _servers import free_port, start, stop  # isort: skip (bench/ on sys.path)

BENCH = Path(__file__).resolve().parent
ADAPTERS = ["starlette", "fastapi", "litestar", "django", "flask"]
MB = 1024 * 1024
BLOCK = os.urandom(MB)  # the file is this block repeated: no 200 MB held by the client


class Server:
    """``_upload_server.py`` in a process of its own: under uvicorn, or gunicorn for Flask."""

    adapter = "starlette"  # --adapter: fastapi, litestar, django (ASGI) or flask (gunicorn)

    def __init__(self, chunk: int) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="cf-bench-uploads-"))
        self.port = free_port()
        env = {"CF_BENCH_UPLOADS": str(self.directory), "CF_BENCH_CHUNK": str(chunk),
               "CF_BENCH_ADAPTER": self.adapter}  # fmt: skip
        if self.adapter == "flask":
            command = ["gunicorn", "-k", "gthread", "--threads", "32", "-w", "1",
                       "-b", f"127.0.0.1:{self.port}", "_upload_server:flask_app"]  # fmt: skip
        else:
            command = ["uvicorn", "_upload_server:app", "--port", str(self.port),
                       "--log-level", "warning", "--no-access-log"]  # fmt: skip
        self.process = start([sys.executable, "-m", *command], self.port, cwd=BENCH, env=env)
        self.url = f"http://127.0.0.1:{self.port}"

    def peak_rss(self) -> int:
        """The server's peak resident set so far, in bytes (``VmHWM``; under gunicorn, its
        worker's: the largest of the process and its children)."""
        pids = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        peaks = []
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024)
        return max(peaks)

    def stop(self) -> None:
        stop(self.process)


def blocks(size: int) -> Iterator[memoryview]:
    sent = 0
    while sent < size:
        piece = memoryview(BLOCK)[: min(MB, size - sent)]
        sent += len(piece)
        yield piece


def source(size: int, offset: int, length: int) -> Iterator[memoryview]:
    """Bytes *offset* to *offset + length* of the file of *size* bytes, in pieces (no copy)."""
    view = memoryview(BLOCK)
    while length:
        start = offset % MB
        take = min(MB - start, length)
        yield view[start : start + take]
        offset, length = offset + take, length - take


def sha256(size: int) -> str:
    digest = hashlib.sha256()
    for piece in blocks(size):
        digest.update(piece)
    return digest.hexdigest()


class Page:
    """What cf.js does: render the component for its token, send chunks, fire the event."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        reply = client.post(
            "/cf/event", json={"component": "uploader"}, headers={"X-CF-Request": "1"}
        ).json()
        self.reply = reply
        self.token = reply["effects"][0]["token"]
        self.headers = {"X-CF-Request": "1", "X-CF-Upload-Token": self.token}

    def begin(self, size: int) -> dict[str, Any]:
        body = {"filename": "big.bin", "size": size}
        begun: dict[str, Any] = self.client.post(
            "/cf/upload", json=body, headers=self.headers
        ).json()
        return begun

    def put(self, upload_id: str, offset: int, data: Iterator[memoryview]) -> dict[str, Any]:
        url = f"/cf/upload/{upload_id}?offset={offset}"
        reply: dict[str, Any] = self.client.put(url, content=data, headers=self.headers).json()
        return reply

    def send(self, size: int) -> str:
        # Chunks as cf.js sends them: 1 MiB first, doubled while one takes under 5 s, up to
        # the declared chunk size.
        begun = self.begin(size)
        upload_id, most, offset = begun["upload_id"], begun["chunk_size"], 0
        chunk = min(most, MB)
        while offset < size:
            started = time.perf_counter()
            reply = self.put(upload_id, offset, source(size, offset, min(chunk, size - offset)))
            offset = reply["offset"]
            if time.perf_counter() - started < 5:
                chunk = min(chunk * 2, most)
        return str(upload_id)

    def done(self, ids: list[str]) -> dict[str, Any]:
        message = {
            "component": "uploader",
            "component_id": self.reply["component_id"],
            "event": "done",
            "payload": {"file": ids},
            "state": self.reply["state"],
            "checksum": self.reply["checksum"],
        }
        reply: dict[str, Any] = self.client.post(
            "/cf/event", json=message, headers={"X-CF-Request": "1"}
        ).json()
        return reply


def floor(client: httpx.Client, size: int) -> None:
    reply = client.put("/raw", content=blocks(size)).json()
    assert reply["size"] == size, reply


def measure_speed(server: Server, size: int, rounds: int) -> dict[str, float]:
    speeds: dict[str, list[float]] = {"floor": [], "uploads": []}
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for _ in range(rounds):
            start = time.perf_counter()
            floor(client, size)
            speeds["floor"].append(size / MB / (time.perf_counter() - start))
            page = Page(client)
            start = time.perf_counter()
            upload_id = page.send(size)
            page.done([upload_id])
            speeds["uploads"].append(size / MB / (time.perf_counter() - start))
    return {side: statistics.median(values) for side, values in speeds.items()}


def measure_memory(chunk: int, size: int, side: str) -> int:
    """The server's peak RSS growth over one upload of *size* through *side*, in a fresh
    server warmed by a small one."""
    server = Server(chunk)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            page = Page(client)  # warm: imports, first render, first upload, the floor
            page.done([page.send(chunk)])
            floor(client, chunk)
            before = server.peak_rss()
            if side == "floor":
                floor(client, size)
            else:
                page = Page(client)
                page.done([page.send(size)])
            return server.peak_rss() - before
    finally:
        server.stop()


def measure_parallel(chunk: int, clients: int, size: int, side: str) -> tuple[int, int]:
    """*clients* uploads of *size* at once through *side* (``floor`` or ``uploads``): how many
    completed, and the server's peak RSS growth."""
    server = Server(chunk)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            warm = Page(client)
            warm.done([warm.send(chunk)])
            floor(client, chunk)
        before = server.peak_rss()
        finished: list[bool] = []

        def one() -> None:
            with httpx.Client(base_url=server.url, timeout=120) as own:
                if side == "floor":
                    floor(own, size)
                    finished.append(True)
                    return
                page = Page(own)
                reply = page.done([page.send(size)])
                finished.append(reply.get("type") == "component_update")

        threads = [threading.Thread(target=one) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(finished), server.peak_rss() - before
    finally:
        server.stop()


def measure_resume(most: int, size: int) -> bool:
    server = Server(most)
    chunk = min(most, MB)  # a kill halfway through a chunk lands about halfway in the file
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            page = Page(client)
            begun = page.begin(size)
            upload_id, offset = begun["upload_id"], 0
            while offset < size // 2:
                offset = page.put(upload_id, offset, source(size, offset, chunk))["offset"]
            # The connection dies halfway through the next chunk.
            with socket.create_connection(("127.0.0.1", server.port)) as raw:
                head = (
                    f"PUT /cf/upload/{upload_id}?offset={offset} HTTP/1.1\r\n"
                    f"Host: 127.0.0.1\r\nX-CF-Request: 1\r\nX-CF-Upload-Token: {page.token}\r\n"
                    f"Content-Length: {chunk}\r\n\r\n"
                )
                raw.sendall(head.encode() + b"".join(source(size, offset, chunk // 2)))
            time.sleep(0.5)
            status = client.get(f"/cf/upload/{upload_id}", headers=page.headers).json()
            offset = status["offset"]
            while offset < size:
                length = min(chunk, size - offset)
                offset = page.put(upload_id, offset, source(size, offset, length))["offset"]
            page.done([upload_id])
        kept = server.directory / "kept" / upload_id
        digest = hashlib.sha256(kept.read_bytes()).hexdigest()
        return digest == sha256(size)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk-mb", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--adapter", choices=ADAPTERS, default="starlette")
    args = parser.parse_args()
    Server.adapter = args.adapter
    size, chunk = args.size_mb * MB, int(args.chunk_mb * MB)

    server = Server(chunk)
    try:
        speeds = measure_speed(server, size, args.rounds)
    finally:
        server.stop()
    growth = measure_memory(chunk, size, "uploads")
    floor_growth = measure_memory(chunk, size, "floor")
    done, parallel_growth = measure_parallel(chunk, args.clients, 10 * MB, "uploads")
    _, floor_parallel_growth = measure_parallel(chunk, args.clients, 10 * MB, "floor")
    resumed = measure_resume(chunk, 20 * MB)
    result = {
        "floor MB/s": round(speeds["floor"], 1),
        "uploads MB/s": round(speeds["uploads"], 1),
        "ratio": round(speeds["uploads"] / speeds["floor"], 2),
        "peak RSS growth, one upload (x chunk)": round(growth / chunk, 2),
        "floor's peak RSS growth, one upload (x chunk)": round(floor_growth / chunk, 2),
        f"{args.clients} x 10 MB at once: complete": done,
        "peak RSS growth, parallel (x chunk)": round(parallel_growth / chunk, 2),
        "floor's peak RSS growth, parallel (x chunk)": round(floor_parallel_growth / chunk, 2),
        "resume at 50 %: hash matches": resumed,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
