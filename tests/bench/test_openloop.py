"""bench/openloop.py against a small local server: what it counts, and that a request's latency
runs from when it was due, not from when a connection let it go out."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import pytest
import uvicorn

from tests.bench.conftest import BENCH
from tests.threaded_servers import THREAD_LOOP

Message = MutableMapping[str, Any]


def answering(*, delay: float = 0.0, chunked: bool = False, status: int = 200) -> Any:
    """An ASGI app that answers every request after ``delay`` seconds with ``status``, chunked
    if asked."""

    async def app(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(delay)
        headers = [] if chunked else [(b"content-length", b"2")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


@pytest.fixture
def serve() -> Iterator[Callable[[Any], str]]:
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: Any) -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", loop=THREAD_LOOP
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        servers.append((server, thread))
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def generate(url: str, *options: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, str(BENCH / "openloop.py"), url, *options],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("OPENLOOP ")]
    return done, json.loads(lines[0].removeprefix("OPENLOOP ")) if lines else {}


def test_every_request_due_is_sent_and_counted(serve: Callable[[Any], str]) -> None:
    url = serve(answering())
    done, report = generate(url, "--rate", "100", "--duration", "1", "--warmup", "0.3")
    assert done.returncode == 0, done.stderr
    assert report["scheduled"] == 100
    assert report["completed"] == 100
    assert report["errors"] == 0
    assert report["error_kinds"] == {}
    assert 0 <= report["p50_ms"] <= report["p99_ms"] <= report["max_ms"]
    assert report["cpu_us_per_request"] > 0


def test_waiting_for_a_connection_counts_in_the_latency(serve: Callable[[Any], str]) -> None:
    """One connection and 50 ms per answer serve 20 requests/s; asked for 40/s over a second,
    the last requests wait about a second for their turn. A closed loop would report 50 ms."""
    url = serve(answering(delay=0.05))
    done, report = generate(
        url, "--rate", "40", "--duration", "1", "--warmup", "0", "--max-connections", "1"
    )
    assert done.returncode == 0, done.stderr
    assert report["completed"] == 40
    assert report["connections"] == 1
    assert report["max_ms"] > 700
    assert report["p50_ms"] > 200
    assert report["late"] > 20


def test_an_answer_without_content_length_stops_it(serve: Callable[[Any], str]) -> None:
    url = serve(answering(chunked=True))
    done, _ = generate(url, "--rate", "20", "--duration", "0.5", "--warmup", "0")
    assert done.returncode != 0
    assert "chunked" in done.stderr
    assert "Content-Length" in done.stderr


def test_errors_say_what_they_were(serve: Callable[[Any], str]) -> None:
    url = serve(answering(status=503))
    done, report = generate(url, "--rate", "50", "--duration", "0.5", "--warmup", "0.2")
    assert done.returncode == 1  # nothing completed: the run says so
    assert (report["completed"], report["errors"]) == (0, 25)
    assert report["error_kinds"] == {"status 503": 25}


def test_a_connection_idle_past_its_expiry_is_not_used_again(serve: Callable[[Any], str]) -> None:
    """Requests 100 ms apart keep one connection; with connections expiring after 20 ms of idle
    time, each request opens its own (a server's keep-alive timeout would have closed them)."""
    url = serve(answering())
    options = ("--rate", "10", "--duration", "0.5", "--warmup", "0")
    done, kept = generate(url, *options)
    assert done.returncode == 0, done.stderr
    assert kept["connections"] == 1
    done, expired = generate(url, *options, "--keepalive-expiry", "0.02")
    assert done.returncode == 0, done.stderr
    assert expired["connections"] == expired["completed"] == 5
