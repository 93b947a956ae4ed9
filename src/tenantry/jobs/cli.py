"""``tenantry worker``: consumer processes for the background jobs."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from types import FrameType

    from tenantry.settings import Settings

# How long the supervisor waits for its processes to finish their running jobs on shutdown.
SHUTDOWN_TIMEOUT_SECONDS = 60.0


def worker(
    processes: int = typer.Option(
        1, "--processes", "-p", min=1, max=64, help="Consumer processes to run on this machine."
    ),
    threads: int | None = typer.Option(
        None,
        "--threads",
        "-t",
        min=1,
        max=64,
        help="Worker threads in each process (default: TENANTRY_WORKER_THREADS).",
    ),
    periodic: bool = typer.Option(
        True,
        "--periodic/--no-periodic",
        help="Schedule the periodic jobs (the outbox sweeper, scheduled syncs) in the first process; "
        "every process runs them. Exactly one consumer in the deployment should schedule: start "
        "the others with --no-periodic.",
    ),
    imports: list[str] = typer.Option(
        [],
        "--import",
        "-i",
        help="Also import this module for the job handlers it declares (repeatable).",
    ),
) -> None:
    """Run background-job consumers as separate processes.

    Each process runs outbox jobs from TENANTRY_QUEUE_URL against TENANTRY_DATABASE_URL.

    Use a PostgreSQL or Redis queue to run workers on any number of machines.

    SIGTERM stops taking jobs and lets the running ones finish.

    Every process runs any job, periodic ones included; only one schedules the periodic ones.

    A job cut short runs again once its lease (TENANTRY_OUTBOX_LEASE_SECONDS, renewed while
    the job runs) expires, and the sweeper runs.
    """
    from tenantry.observability import configure_logging
    from tenantry.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    if settings.queue_url.partition("://")[0] == "memory":
        typer.echo(
            "TENANTRY_QUEUE_URL is memory://, which other processes cannot see; "
            "use postgresql://, redis:// or sqlite:///",
            err=True,
        )
        raise typer.Exit(code=2)
    per_process = threads or settings.worker_threads
    if processes == 1:
        _consume(settings, per_process, periodic, tuple(imports))
        return
    _supervise(settings, processes, per_process, periodic, tuple(imports))


def _consume(
    settings: Settings,
    threads: int,
    periodic: bool,
    imports: tuple[str, ...],
    *,
    supervised: bool = False,
) -> None:
    from tenantry.jobs.consumer import build_consumer
    from tenantry.jobs.queue import JobQueue

    queue = JobQueue(settings)
    try:
        build_consumer(
            queue,
            threads=threads,
            periodic=periodic,
            extra_modules=imports,
            restart_on_hangup=not supervised,
        ).run()
    finally:
        queue.close()


def _child(settings: Settings, threads: int, periodic: bool, imports: tuple[str, ...]) -> None:
    # Until huey installs its own handlers, a signal must not reach the supervisor's; a hangup
    # (the terminal closing) reaches the supervisor too, which stops the children with SIGTERM.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    _consume(settings, threads, periodic, imports, supervised=True)


def _supervise(
    settings: Settings, processes: int, threads: int, periodic: bool, imports: tuple[str, ...]
) -> None:
    """Keep ``processes`` consumers running, the first with the periodic jobs, until signalled."""
    import structlog

    log = structlog.get_logger("tenantry.jobs")
    context = multiprocessing.get_context("fork")
    stopping = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, request_stop)

    def start(index: int) -> BaseProcess:
        process = context.Process(
            target=_child,
            args=(settings, threads, periodic and index == 0, imports),
            name=f"tenantry-worker-{index + 1}",
            daemon=True,
        )
        process.start()
        log.info("worker process started", process=process.name, pid=process.pid)
        return process

    children = [start(index) for index in range(processes)]
    while not stopping.wait(1.0):
        for index, child in enumerate(children):
            if not child.is_alive():
                log.warning("worker process exited; starting another", exitcode=child.exitcode)
                children[index] = start(index)
    log.info("stopping worker processes")
    for child in children:
        if child.is_alive() and child.pid is not None:
            os.kill(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + SHUTDOWN_TIMEOUT_SECONDS
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
    for child in children:
        if child.is_alive():
            log.warning("worker process did not stop in time; killing it", pid=child.pid)
            child.kill()
            child.join()


if __name__ == "__main__":
    typer.run(worker)
