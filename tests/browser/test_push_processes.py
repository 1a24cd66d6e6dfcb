"""Pushes across processes, end to end: two uvicorn workers sharing one real Redis.

The set-up a deployment has: page A reaches worker 1 through a load balancer (here a TCP proxy
that sends new connections to the first live backend, as a health-checked balancer does), page
B talks to worker 2 directly; a third process pushes as a background job would. Then Redis is
stopped and restarted, and worker 1 is killed: page A's socket reconnects through the balancer
to worker 2 and re-syncs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests._net import free_port
from tests._redis import RedisServer

from .conftest import ROOT, _wait_for, serve_app

pytestmark = pytest.mark.browser

PUSH = """
import asyncio, sys
from component_framework.core import ComponentWebSocketManager
from tests.browser.push_app import add_item

async def main():
    add_item(sys.argv[1])
    manager = ComponentWebSocketManager()  # CF_BROKER_URL: the app's Redis
    await manager.push_event("shared_list", "refresh", {})
    await manager.close()  # waits until the push is published

asyncio.run(main())
"""


class Balancer:
    """A TCP proxy in a thread: each new connection goes to the first backend that accepts."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self.thread.start()
        started.wait(10)

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        started.set()
        self.loop.run_forever()
        server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for port in self.backends:
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        else:
            writer.close()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def _shutdown(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def cluster(tmp_path: Path, redis_server: RedisServer) -> Iterator[dict[str, Any]]:
    redis = redis_server
    env = {
        **os.environ,
        "CF_SECRET_KEY": "browser-tests-secret-key-0123456789",
        "CF_BROKER_URL": redis.url,
        "PUSH_APP_DB": str(tmp_path / "items.db"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    workers: list[subprocess.Popen[bytes]] = []
    ports = [free_port(), free_port()]
    for port in ports:
        command = [sys.executable, "-m", "uvicorn", "tests.browser.push_app:app"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        workers.append(subprocess.Popen(command, cwd=ROOT, env=env))
    balancer = None
    try:
        for port, worker in zip(ports, workers, strict=True):
            _wait_for(port, worker)
        balancer = Balancer(ports)
        yield {"redis": redis, "env": env, "workers": workers, "ports": ports, "lb": balancer}
    finally:
        if balancer is not None:
            balancer.close()
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)


def open_page(browser: Browser, port: int) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.locator("[data-cf-component][data-cf-subscribed]")).to_have_count(1)
    return page


def add(page: Page, text: str) -> None:
    page.get_by_test_id("text").fill(text)
    page.get_by_role("button", name="Add").click()


def third_process_push(env: dict[str, str], text: str) -> None:
    subprocess.run([sys.executable, "-c", PUSH, text], cwd=ROOT, env=env, check=True, timeout=60)


def test_pushes_cross_processes_survive_a_redis_restart_and_a_dead_worker(
    browser: Browser, cluster: dict[str, Any]
) -> None:
    page_a = open_page(browser, cluster["lb"].port)  # worker 1, through the balancer
    page_b = open_page(browser, cluster["ports"][1])  # worker 2
    items_a, items_b = page_a.get_by_test_id("items"), page_b.get_by_test_id("items")

    # Page B keeps a filter of its own: pushes must not wipe it.
    page_b.get_by_test_id("only-a").click()
    expect(page_b.get_by_test_id("filter")).to_have_text("filter=a")

    # An event on page A (worker 1) reaches page B (worker 2), through Redis.
    add(page_a, "apple")
    expect(items_a.locator("li")).to_have_text(["apple"])
    expect(items_b.locator("li")).to_have_text(["apple"])
    # A push from a third process (a background job) reaches both.
    third_process_push(cluster["env"], "avocado")
    third_process_push(cluster["env"], "cherry")
    expect(items_a.locator("li")).to_have_text(["apple", "avocado", "cherry"])
    expect(items_b.locator("li")).to_have_text(["apple", "avocado"])  # its own filter held
    expect(page_b.get_by_test_id("filter")).to_have_text("filter=a")

    # Redis stops: events still work; the push made meanwhile arrives once it is back.
    cluster["redis"].stop()
    add(page_a, "banana")
    expect(items_a.locator("li")).to_have_text(["apple", "avocado", "cherry", "banana"])
    cluster["redis"].start()
    expect(items_b.locator("li")).to_have_text(["apple", "avocado", "banana"])
    third_process_push(cluster["env"], "date")
    expect(items_a.locator("li")).to_have_count(5)

    # Worker 1 dies: page A reconnects through the balancer to worker 2 and re-syncs,
    # picking up what was pushed while it was away.
    cluster["workers"][0].kill()
    cluster["workers"][0].wait(timeout=10)
    third_process_push(cluster["env"], "grape")
    expect(items_a.locator("li")).to_have_text(
        ["apple", "avocado", "cherry", "banana", "date", "grape"]
    )
    expect(page_a.locator("[data-cf-component][data-cf-subscribed]")).to_have_count(1)
    third_process_push(cluster["env"], "kiwi")
    expect(items_a.locator("li")).to_have_count(7)
    expect(items_b.locator("li")).to_have_text(["apple", "avocado", "banana", "date", "grape"])


def test_the_example_app_runs_with_a_redis_broker(
    browser: Browser, redis_server: RedisServer
) -> None:
    """``CF_BROKER_URL`` set: the example app's live board pushes through Redis."""
    broker = {"CF_BROKER_URL": redis_server.url}
    with serve_app(env=broker) as url:
        pages = []
        for _ in range(2):
            page = browser.new_context().new_page()
            page.goto(f"{url}/")
            board = page.locator('[data-cf-component="live_board"]')
            expect(board).to_have_attribute("data-cf-subscribed", "")
            pages.append(page)
        board = pages[0].locator('[data-cf-component="live_board"]')
        board.get_by_placeholder("Say something").fill("through redis")
        board.get_by_role("button", name="Post").click()
        for page in pages:
            expect(page.get_by_test_id("messages")).to_contain_text("through redis")
        # The push went through Redis: the broker channel has this server subscribed.
        reply = subprocess.run(
            ["redis-cli", "-p", str(redis_server.port), "PUBSUB", "NUMSUB", "cf:push"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert reply.stdout.split() == ["cf:push", "1"]


def test_the_example_live_board_is_right_with_two_workers(
    browser: Browser, redis_server: RedisServer
) -> None:
    """Each worker renders the board from the shared store, not from its own memory: a post on
    one worker shows on the pages of the other, and so does a page opened there later."""
    broker = {"CF_BROKER_URL": redis_server.url}
    contexts = [browser.new_context() for _ in range(3)]
    try:
        with serve_app(env=broker) as one, serve_app(env=broker) as two:
            boards = []
            for context, url in zip(contexts, (one, two), strict=False):
                page = context.new_page()
                page.goto(f"{url}/")
                board = page.locator('[data-cf-component="live_board"]')
                expect(board).to_have_attribute("data-cf-subscribed", "")
                boards.append(board)
            boards[0].get_by_placeholder("Say something").fill("posted on worker one")
            boards[0].get_by_role("button", name="Post").click()
            for board in boards:
                expect(board.get_by_test_id("messages")).to_have_text("posted on worker one")
            boards[1].get_by_placeholder("Say something").fill("and on worker two")
            boards[1].get_by_role("button", name="Post").click()
            both = ["posted on worker one", "and on worker two"]
            for board in boards:
                expect(board.get_by_test_id("messages").locator("li")).to_have_text(both)
            later = contexts[2].new_page()
            later.goto(f"{two}/")
            expect(later.get_by_test_id("messages").locator("li")).to_have_text(both)
    finally:
        for context in contexts:
            context.close()
