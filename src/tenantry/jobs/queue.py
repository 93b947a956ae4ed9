"""The huey queue chosen by ``TENANTRY_QUEUE_URL`` and the tasks every consumer runs.

Huey carries only outbox row ids; the rows themselves, with their state, attempts and errors,
live in the database. Two tasks exist: ``run_outbox_item`` (claim and run one row) and the
periodic ``sweep_outbox``; periodic jobs declared with ``@jobs.periodic`` are added when a
consumer is built (every consumer, since any of them may take a periodic run off the queue).
"""

from __future__ import annotations

import calendar
import math
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab

from tenantry.db import Database
from tenantry.jobs import outbox, registry, runner, sweeper
from tenantry.jobs.heartbeat import Heartbeat
from tenantry.jobs.runtime import ThreadRuntime
from tenantry.models import utcnow
from tenantry.settings import Settings

log = structlog.get_logger("tenantry.jobs")

QUEUE_NAME = "tenantry"
CONNECT_TIMEOUT_SECONDS = 5
# Above huey's blocking read (1 s), so an idle worker's wait is not mistaken for a dead socket.
REDIS_SOCKET_TIMEOUT_SECONDS = 10


def make_huey(url: str, *, name: str = QUEUE_NAME) -> Huey:
    """Huey over the storage the URL names: sqlite:///path, postgresql://..., redis://..., memory://."""
    scheme, _, rest = url.partition("://")
    kind = scheme.split("+", 1)[0].lower()
    options: dict[str, Any] = {"results": False, "utc": True}
    if kind == "memory":
        return MemoryHuey(name, **options)
    if kind == "sqlite" and rest.startswith("/") and len(rest) > 1:
        path = Path(rest[1:])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), **options)
    if kind in ("postgresql", "postgres") and rest:
        return PostgresHuey(
            name, dsn=f"postgresql://{rest}", connect_timeout=CONNECT_TIMEOUT_SECONDS, **options
        )
    if kind in ("redis", "rediss") and rest:
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(
            f"{kind}://{rest}",
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        return RedisHuey(name, connection_pool=pool, **options)
    raise ValueError(
        f"TENANTRY_QUEUE_URL {url!r} is not a queue Tenantry knows; use sqlite:///path/queue.db, "
        "postgresql://user@host:5432/db, redis://host:6379/0 or memory:// (tests only)"
    )


def every(interval: timedelta) -> registry.Schedule:
    """A periodic schedule of whole minutes (huey looks at periodic jobs once a minute)."""
    minutes = max(1, math.ceil(interval.total_seconds() / 60))

    def due(timestamp: datetime) -> bool:
        return (calendar.timegm(timestamp.utctimetuple()) // 60) % minutes == 0

    return due


def cron(expression: str, setting: str) -> registry.Schedule:
    """A schedule from a cron string (minute hour day-of-month month day-of-week, UTC), the
    value of the setting ``setting`` (named when the string is not valid)."""
    parts = expression.split()
    if len(parts) != 5:
        raise ValueError(f"{setting} {expression!r} is not a 5-field cron string")
    minute, hour, day, month, weekday = parts
    schedule: registry.Schedule = crontab(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday
    )
    return schedule


class JobQueue:
    """The app's and each consumer's handle on the queue: hand over rows, ping, run tasks.

    The huey storage is opened on first use, so an app whose queue is down still starts and
    reports it on /healthz instead of failing at import.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: runner.Clock = utcnow,
        name: str = QUEUE_NAME,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.name = name
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self.runtime = ThreadRuntime(settings, on_new_database=self.bind)
        self.heartbeat = Heartbeat(
            self.runtime, clock=clock, lease=self.lease, interval=settings.outbox_heartbeat_interval
        )
        self._huey: Huey | None = None
        self._run_task: Any = None
        self._periodic_names: set[str] = set()
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = self._build_huey()
            return self._huey

    def _build_huey(self) -> Huey:
        huey = make_huey(self.settings.queue_url, name=self.name)
        self._run_task = huey.task(name="run_outbox_item")(self.run_item)
        sweep_every = timedelta(seconds=self.settings.outbox_sweep_interval_seconds)
        huey.periodic_task(every(sweep_every), name="sweep_outbox")(self.sweep)
        huey.on_shutdown(name="tenantry_release_thread")(self.runtime.close_current_thread)
        return huey

    def bind(self, database: Database) -> None:
        """Hand the outbox rows committed through ``database`` to this queue."""
        outbox.bind(database, self)

    def dispatch(self, items: Iterable[outbox.Dispatch]) -> None:
        """Put one ``run_outbox_item`` message per row on the queue (scheduled when not yet due)."""
        huey = self.huey
        now = self.clock()
        for item in items:
            if item.available_at > now:
                self._run_task.schedule(args=(str(item.item_id),), eta=item.available_at)
            else:
                huey.enqueue(self._run_task.s(str(item.item_id)))

    def ping(self) -> None:
        """Raise unless the queue's storage answers (for /healthz)."""
        self.huey.pending_count()

    def run_item(self, item_id: str) -> None:
        """The ``run_outbox_item`` task: claim one row and run it, then schedule any retry."""
        try:
            parsed = uuid.UUID(item_id)
        except ValueError:
            log.error("run_outbox_item got a malformed id", item_id=item_id)
            return
        result = self.runtime.run(
            lambda database: runner.run_item(
                database, parsed, clock=self.clock, lease=self.lease, hold=self.heartbeat.holding
            )
        )
        if result.retry_at is not None:
            self.dispatch([outbox.Dispatch(parsed, result.retry_at)])

    def sweep(self) -> int:
        """The ``sweep_outbox`` periodic task; returns how many rows it handed over."""
        grace = self.lease
        ids = self.runtime.run(
            lambda database: sweeper.sweep(database, now=self.clock(), grace=grace)
        )
        if ids:
            log.info("sweeper handed outbox rows to the queue again", count=len(ids))
            now = self.clock()
            self.dispatch(outbox.Dispatch(item_id, now) for item_id in ids)
        return len(ids)

    def register_periodic_jobs(self) -> None:
        """Add the jobs declared with ``@jobs.periodic`` (call after ``registry.discover``)."""
        huey = self.huey
        for job in registry.periodic_jobs():
            if job.name in self._periodic_names:
                continue
            self._periodic_names.add(job.name)
            huey.periodic_task(job.schedule, name=f"periodic_{job.name}", context=True)(
                self._periodic_runner(job)
            )

    def _periodic_runner(self, job: registry.Periodic) -> Any:
        def run_periodic(task: Any = None) -> None:
            async def in_transaction(database: Database) -> None:
                async with database.transaction() as session:
                    await job.run(session)

            self.runtime.run(in_transaction)
            log.info("periodic job done", job=job.name, run=getattr(task, "id", None))

        return run_periodic

    def close(self) -> None:
        """Release the storage connection and the job threads' databases."""
        self.heartbeat.close()
        self.runtime.close()
        with self._lock:
            if self._huey is not None:
                self._huey.storage.close()
