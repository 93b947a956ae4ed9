"""Apps served by uvicorn in a thread of the test process, on a free local port, and where they
are when a test fails.

A browser journey or a real-process test talks to these servers over sockets. When one of its
steps times out, the test alone cannot say whether the server was slow, stuck on a lock or
waiting on another service: the failure report then shows each running server's thread and
every task of its event loop with the chain of awaits it is suspended in
(:func:`where_servers_are`, added by ``tests/conftest.py``'s report hook).
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

# A ceiling, not a wait: a busy 2-core CI host once took over 20 s to start a server.
STARTUP_DEADLINE_SECONDS = 60.0
# The standard library's event loop, not uvloop (uvicorn's "auto"), for servers in threads of the
# test process. Why: in three CI runs a server on uvloop in a thread stopped answering, the
# sandbox and the app of one process together: the report below showed their loops idle with
# no request task, so the requests never reached the app. Servers started by asyncio.run
# (tests/integration) have not been seen to. uvloop as production runs it, one loop in the main
# thread of a `tenantry serve` process, is tested through real processes (tests/cli).
THREAD_LOOP = "asyncio"


class ThreadServer(uvicorn.Server):
    """A uvicorn server that keeps its event loop, so a failure report can read its tasks."""

    def __init__(self, config: uvicorn.Config, name: str) -> None:
        super().__init__(config)
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().serve(sockets)

    @classmethod
    def launch(cls, app: Any, listener: socket.socket, name: str, **options: Any) -> ThreadServer:
        """Serve ``app`` on ``listener`` in a thread of its own (``options``: uvicorn's
        settings beside the defaults below), known to the failure report until :meth:`halt`."""
        settings: dict[str, Any] = {"log_level": "warning", "lifespan": "on", "loop": THREAD_LOOP}
        server = cls(uvicorn.Config(app, **(settings | options)), name)
        server.thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name=f"served-{name}", daemon=True
        )
        server.thread.start()
        _running.append(server)
        return server

    def halt(self, timeout: float = 10) -> None:
        """Ask the server to stop and wait up to ``timeout`` seconds for its thread."""
        self.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)
        if self in _running:
            _running.remove(self)


_running: list[ThreadServer] = []


def free_listener() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # a free port, held from now on: no race for it
    listener.listen(64)
    return listener


@asynccontextmanager
async def served(
    app: FastAPI, listener: socket.socket, health: str = "/healthz"
) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn in a thread on ``listener``'s port until the block ends;
    yields its URL once ``health`` answers 200."""
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = ThreadServer.launch(app, listener, health)
    try:
        assert server.thread is not None
        await wait_until_ready(url, server.thread, path=health)
        yield url
    finally:
        await asyncio.to_thread(server.halt)
        listener.close()


async def wait_until_ready(url: str, thread: threading.Thread, path: str = "/healthz") -> None:
    """Poll ``path`` until it answers 200, failing at the deadline or if the server died."""
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            assert thread.is_alive(), "the server thread stopped during startup"
            try:
                if (await client.get(f"{url}{path}")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            # Not ready yet: wait briefly on the server thread (returns at once if it died).
            await asyncio.to_thread(thread.join, 0.05)
    pytest.fail(
        f"the server at {url} was not ready within {STARTUP_DEADLINE_SECONDS} s; "
        f"its thread was at:\n{stack_of(thread)}"
    )


def stack_of(thread: threading.Thread) -> str:
    """Where ``thread`` is now."""
    frame = sys._current_frames().get(thread.ident or -1)
    return "".join(traceback.format_stack(frame)) if frame else "(the thread has ended)\n"


def await_chain(awaitable: object) -> list[str]:
    """The places a suspended coroutine waits at, outermost first, down to what it awaits."""
    places: list[str] = []
    current: object = awaitable
    while current is not None:
        frame = getattr(current, "cr_frame", None) or getattr(current, "gi_frame", None)
        if frame is None:
            places.append(f"awaiting {current!r:.300}")
            break
        code = frame.f_code
        places.append(f"{code.co_filename}:{frame.f_lineno} in {code.co_name}")
        current = getattr(current, "cr_await", None) or getattr(current, "gi_yieldfrom", None)
    return places


def _tasks_of(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task[Any]]:
    # Read from this thread while the loop runs in its own: the set may change under the read.
    for _ in range(5):
        try:
            return list(asyncio.all_tasks(loop))
        except RuntimeError:
            continue
    return []


def _describe_task(task: asyncio.Task[Any]) -> Iterator[str]:
    coroutine: Coroutine[Any, Any, Any] | None = task.get_coro()  # type: ignore[assignment]
    yield f"  task {task.get_name()}:"
    for place in await_chain(coroutine):
        yield f"    {place}"


def where_servers_are() -> str:
    """Each running server's thread and the suspended tasks of its loop (its requests among
    them), or an empty string when none runs."""
    parts: list[str] = []
    for server in list(_running):
        parts.append(f"server {server.name}, thread:")
        parts.append(stack_of(server.thread) if server.thread else "(not started)\n")
        if server.loop is not None:
            for task in _tasks_of(server.loop):
                parts.extend(_describe_task(task))
    return "\n".join(parts)
