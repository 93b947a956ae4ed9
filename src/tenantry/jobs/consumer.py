"""Huey consumers: threads inside ``serve`` (SQLite queue) or ``tenantry worker`` processes.

Every consumer registers every task, the periodic ones included, since any consumer on a shared
queue may take a periodic run off it. Only the scheduling, the enqueuing of due periodic runs,
happens in one consumer: the one built with ``periodic=True``. ``serve`` runs its in-process
consumer with it; ``tenantry worker`` runs it in its first process unless given
``--no-periodic``, which every additional worker deployment should be. Two schedulers are not
harmful (a doubled sweep only hands rows over twice and claims deduplicate), but other periodic
jobs would run twice.
"""

from __future__ import annotations

import signal
from typing import Any

import structlog
from huey.consumer import Consumer, Scheduler

from tenantry.jobs import registry
from tenantry.jobs.queue import JobQueue
from tenantry.settings import Settings

log = structlog.get_logger("tenantry.jobs")

# How long an idle worker on a polled storage (SQLite) waits at most before looking again.
POLL_MAX_DELAY_SECONDS = 1.0


def runs_in_process(settings: Settings) -> bool:
    """True when ``serve`` should consume the queue itself: an embedded SQLite (or memory) queue."""
    scheme = settings.queue_url.partition("://")[0].split("+", 1)[0].lower()
    return scheme in ("sqlite", "memory")


class _Consumer(Consumer):  # type: ignore[misc]
    """A consumer whose scheduler looks for due periodic jobs every ``periodic_check_seconds``."""

    def __init__(self, *args: Any, periodic_check_seconds: int = 60, **kwargs: Any) -> None:
        self.periodic_check_seconds = periodic_check_seconds  # read by the constructor below
        super().__init__(*args, **kwargs)

    def _create_scheduler(self) -> Scheduler:
        scheduler = super()._create_scheduler()
        scheduler.periodic_task_seconds = self.periodic_check_seconds
        return scheduler


class _EmbeddedConsumer(_Consumer):
    """A consumer that leaves signals to its host process (uvicorn owns SIGINT/SIGTERM)."""

    def _set_signal_handlers(self) -> None:
        return None


def build_consumer(
    queue: JobQueue,
    *,
    threads: int,
    periodic: bool,
    embedded: bool = False,
    shutdown_timeout: float | None = None,
    extra_modules: tuple[str, ...] = (),
    restart_on_hangup: bool = True,
) -> Consumer:
    """A thread-based huey consumer for ``queue`` with every declared handler and periodic job
    registered; it enqueues the due periodic runs only when ``periodic`` is true."""
    registry.discover(extra_modules)
    queue.register_periodic_jobs()
    consumer_class = _EmbeddedConsumer if embedded else _Consumer
    consumer = consumer_class(
        queue.huey,
        workers=threads,
        worker_type="thread",
        periodic=periodic,
        max_delay=POLL_MAX_DELAY_SECONDS,
        shutdown_timeout=shutdown_timeout,
        # SIGTERM (systemd, Kubernetes) lets running jobs finish; SIGINT interrupts them, and
        # their rows come back through the sweeper once the lease runs out.
        graceful_signal="TERM",
        periodic_check_seconds=queue.settings.periodic_check_seconds,
    )
    if not restart_on_hangup:
        # Huey restarts on SIGHUP by exec'ing sys.argv, which in a supervised child is the whole
        # supervisor command; let the supervisor decide instead.
        consumer._signal_actions.pop(signal.SIGHUP, None)
    log.info(
        "job consumer configured",
        queue=type(queue.huey).__name__,
        threads=threads,
        periodic=periodic,
        handlers=registry.kinds(),
    )
    return consumer


class InProcessConsumer:
    """Worker threads inside the app process, for the embedded SQLite queue.

    ``serve`` creates it in the app's lifespan with the app's queue
    (``InProcessConsumer(settings, queue=app.state.queue)``), calls ``start()`` on startup and
    ``stop()`` on shutdown. It runs the periodic jobs, so no other consumer should.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        queue: JobQueue | None = None,
        threads: int | None = None,
        shutdown_timeout: float = 30.0,
    ) -> None:
        self.settings = settings
        self._owns_queue = queue is None
        self.queue = queue or JobQueue(settings)
        self.threads = threads or settings.worker_threads
        self.shutdown_timeout = shutdown_timeout
        self._consumer: Consumer | None = None

    def start(self) -> None:
        if self._consumer is not None:
            return
        self._consumer = build_consumer(
            self.queue,
            threads=self.threads,
            periodic=True,
            embedded=True,
            shutdown_timeout=self.shutdown_timeout,
        )
        self._consumer.start()

    def stop(self) -> None:
        """Stop taking jobs and wait (up to ``shutdown_timeout``) for running ones to finish.

        It blocks; from async code call it as ``await asyncio.to_thread(consumer.stop)``. A job
        still running at the timeout is abandoned, and its row returns after its lease expires.
        """
        consumer, self._consumer = self._consumer, None
        if consumer is None:
            return
        consumer.stop(graceful=True)
        self.queue.heartbeat.close()
        self.queue.runtime.close()
        if self._owns_queue:
            self.queue.close()
