"""Renewing the leases of the rows a process is running, so a short lease is safe.

A claim gives a row a lease (``TENANTRY_OUTBOX_LEASE_SECONDS``); once it expires the sweeper hands
the row to another worker. While a job runs, one thread per process renews the leases of every row
the process holds, every ``TENANTRY_OUTBOX_HEARTBEAT_SECONDS``, so only a dead (or wholly stuck)
worker lets a lease run out and a killed worker's job runs again within a lease and a sweep instead
of waiting for a long fixed lease. The renewal is fenced by the attempt number like every other
write to a claimed row: a row taken over by another worker is not renewed.

The thread has its own event loop and database connection (through the queue's
:class:`~tenantry.jobs.runtime.ThreadRuntime`), so a handler that blocks its own thread does not
stop its heartbeat.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, or_, update

from tenantry.db import Database
from tenantry.jobs.runtime import ThreadRuntime
from tenantry.models import OutboxItem, OutboxStatus

log = structlog.get_logger("tenantry.jobs")

Held = tuple[uuid.UUID, int]


async def renew(
    database: Database, held: Sequence[Held], *, now: datetime, lease: timedelta
) -> int:
    """Extend the lease of each (row id, attempt) still running that attempt; returns how many."""
    conditions = [
        and_(OutboxItem.id == item_id, OutboxItem.attempts == attempt) for item_id, attempt in held
    ]
    if not conditions:
        return 0
    async with database.transaction() as session:
        renewed = await session.execute(
            update(OutboxItem)
            .where(OutboxItem.status == OutboxStatus.RUNNING, or_(*conditions))
            .values(lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(renewed, "rowcount", 0) or 0)


class Heartbeat:
    """The lease-renewing thread of one process, started with the first job it runs."""

    def __init__(
        self,
        runtime: ThreadRuntime,
        *,
        clock: Callable[[], datetime],
        lease: timedelta,
        interval: float,
    ) -> None:
        self._runtime = runtime
        self._clock = clock
        self._lease = lease
        self._interval = interval
        self._held: set[Held] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    @contextlib.contextmanager
    def holding(self, item_id: uuid.UUID, attempt: int) -> Iterator[None]:
        """Keep the lease of this attempt of the row alive for the duration of the block."""
        key = (item_id, attempt)
        with self._lock:
            self._start_locked()
            self._held.add(key)
        try:
            yield
        finally:
            with self._lock:
                self._held.discard(key)

    def _start_locked(self) -> None:
        if self._pid != os.getpid():  # a forked child inherits the object, not the thread
            self._pid, self._thread, self._held = os.getpid(), None, set()
            self._stop = threading.Event()
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._beat, name="tenantry-jobs-heartbeat", daemon=True
            )
            self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                with self._lock:
                    held = list(self._held)
                if held:
                    self._renew(held)
        finally:
            self._runtime.close_current_thread()

    def _renew(self, held: list[Held]) -> None:
        now = self._clock()
        try:
            self._runtime.run(lambda database: renew(database, held, now=now, lease=self._lease))
        except Exception as exc:  # the next beat tries again; the lease has room for two misses
            log.warning(
                "renewing running jobs' leases failed", error=f"{type(exc).__name__}: {exc}"
            )

    def close(self) -> None:
        """Stop the thread (the running jobs' leases then run out unless they finish)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            thread.join()
        self._thread = None
