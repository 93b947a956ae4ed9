"""An event loop and a ``Database`` per worker thread, kept for the thread's life.

Huey runs tasks as plain functions on its own threads (or forked processes); handlers are async.
Each thread gets one loop and one engine the first time it runs a job and reuses them for every
later job: an engine per job would open and close connections every time, and an engine shared
across threads would hand asyncpg connections to loops that do not own them.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog

from tenantry.db import Database
from tenantry.settings import Settings

log = structlog.get_logger("tenantry.jobs")

T = TypeVar("T")


@dataclass(eq=False)
class _ThreadState:
    loop: asyncio.AbstractEventLoop
    database: Database
    pid: int


class ThreadRuntime:
    def __init__(self, settings: Settings, on_new_database: Callable[[Database], None]) -> None:
        self._settings = settings
        self._on_new_database = on_new_database
        self._local = threading.local()
        self._lock = threading.Lock()
        self._states: list[_ThreadState] = []

    def run(self, work: Callable[[Database], Awaitable[T]]) -> T:
        """Run ``work`` to completion on this thread's loop with this thread's database."""
        state = self._state()
        return state.loop.run_until_complete(work(state.database))

    def _state(self) -> _ThreadState:
        state: _ThreadState | None = getattr(self._local, "state", None)
        # A forked worker process inherits the parent's thread-locals; never reuse its engine.
        if state is None or state.pid != os.getpid():
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            database = Database(self._settings)
            self._on_new_database(database)
            state = _ThreadState(loop=loop, database=database, pid=os.getpid())
            self._local.state = state
            with self._lock:
                self._states.append(state)
        return state

    def close_current_thread(self) -> None:
        """Dispose this thread's engine and loop (huey calls it as each worker thread stops)."""
        state: _ThreadState | None = getattr(self._local, "state", None)
        if state is None or state.pid != os.getpid():
            return
        self._local.state = None
        with self._lock:
            if state in self._states:
                self._states.remove(state)
        _dispose(state)

    def close(self) -> None:
        """Dispose what threads left behind. Each loop is driven from a fresh thread, so this is
        safe to call from inside a running event loop (the app's lifespan)."""
        with self._lock:
            states = [s for s in self._states if s.pid == os.getpid()]
            self._states.clear()
        if not states:
            return

        def dispose_all() -> None:
            for state in states:
                _dispose(state)

        closer = threading.Thread(target=dispose_all, name="tenantry-jobs-close")
        closer.start()
        closer.join()


def _dispose(state: _ThreadState) -> None:
    if state.loop.is_running():
        log.warning("a job thread is still running; leaving its database connections open")
        return
    try:
        state.loop.run_until_complete(state.database.dispose())
    except Exception:
        log.exception("closing a job thread's database failed")
    finally:
        state.loop.close()
