"""Real consumers: threads inside the app on SQLite, `tenantry worker` processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tenantry.cli import app as cli_app
from tenantry.db import Database
from tenantry.jobs.consumer import InProcessConsumer, build_consumer, runs_in_process
from tenantry.jobs.queue import JobQueue, every
from tenantry.models import OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import add_job, eventually, load
from tests.jobs.handlers import CALLS, TICKS

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_serve_consumes_in_process_only_for_an_embedded_queue() -> None:
    def on(url: str) -> bool:
        return runs_in_process(Settings(environment="test", queue_url=url))

    assert on("sqlite:///var/queue.db")
    assert on("memory://")
    assert not on("postgresql://db.internal/tenantry")
    assert not on("redis://cache.internal:6379/0")


@pytest.mark.parametrize(
    ("interval", "due_minutes"),
    [(60, [0, 1, 2, 3, 4, 5]), (30, [0, 1, 2, 3, 4, 5]), (300, [0, 5]), (90, [0, 2, 4])],
)
def test_the_sweep_interval_counts_in_whole_minutes(interval: int, due_minutes: list[int]) -> None:
    due = every(timedelta(seconds=interval))
    hour = datetime(2026, 11, 21, 9, 0)
    assert [m for m in range(6) if due(hour + timedelta(minutes=m))] == due_minutes


async def test_the_consumer_running_periodic_jobs_adds_the_declared_ones_and_runs_them(
    job_queue: JobQueue,
) -> None:
    def due_at_midnight() -> dict[str, Any]:
        tasks = job_queue.huey.read_periodic(datetime(2026, 1, 1))
        return {type(task).__name__: task for task in tasks}

    assert not build_consumer(job_queue, threads=1, periodic=False).periodic
    assert set(due_at_midnight()) == {"sweep_outbox"}
    assert build_consumer(job_queue, threads=1, periodic=True).periodic
    assert set(due_at_midnight()) == {
        "sweep_outbox",
        "periodic_test.tick",
        "periodic_identity.on_behalf_timeouts",
    }

    before = TICKS["tick"]
    await asyncio.to_thread(job_queue.huey.execute, due_at_midnight()["periodic_test.tick"])
    assert TICKS["tick"] == before + 1


async def test_the_in_process_consumer_runs_jobs_and_stops_gracefully(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    embedded = settings.model_copy(update={"queue_url": f"sqlite:///{tmp_path}/queue.db"})
    consumer = InProcessConsumer(embedded, threads=2)
    consumer.queue.bind(database)
    consumer.start()
    try:
        items = [await add_job(database) for _ in range(5)]

        async def all_done() -> bool:
            rows = [await load(database, item.id) for item, _ in items]
            return all(row.status == OutboxStatus.DONE for row in rows)

        await eventually(all_done)
    finally:
        await asyncio.to_thread(consumer.stop)
    assert [CALLS[ref] for _, ref in items] == [1] * 5


def _worker_command() -> list[str]:
    """``tenantry worker`` once the CLI registers it; the same function run directly before."""
    registered = {
        command.name or command.callback.__name__
        for command in cli_app.registered_commands
        if command.callback
    }
    if "worker" in registered:
        return [sys.executable, "-c", "from tenantry.cli import app; app()", "worker"]
    return [sys.executable, "-m", "tenantry.jobs.cli"]


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_tenantry_worker_runs_a_job_from_postgresql_in_its_own_process(
    database_url: str, settings: Settings, database: Database, tmp_path: Path
) -> None:
    on_postgres = settings.model_copy(update={"queue_url": database_url})
    producer = JobQueue(on_postgres)
    producer.huey.flush()  # messages an interrupted earlier run may have left
    producer.bind(database)
    log = tmp_path / "worker.log"
    env = os.environ | {
        "TENANTRY_ENVIRONMENT": "test",
        "TENANTRY_DATABASE_URL": database_url,
        "TENANTRY_QUEUE_URL": database_url,
        "TENANTRY_LOG_JSON": "false",
        "PYTHONPATH": str(REPO_ROOT),
    }
    with log.open("w") as output:
        worker = await asyncio.create_subprocess_exec(
            *_worker_command(),
            *("--processes", "2", "--threads", "1", "--import", "tests.jobs.handlers"),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        marker = tmp_path / "ran-in"
        item, _ = await add_job(database, "test.write_marker", path=str(marker))

        async def done() -> bool:
            if worker.returncode is not None:
                pytest.fail(f"the worker exited with {worker.returncode}:\n{log.read_text()}")
            return (await load(database, item.id)).status == OutboxStatus.DONE

        # Generous: starting Python with the app's imports is slow on a busy machine.
        await eventually(done, within=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            returncode = await asyncio.wait_for(worker.wait(), timeout=30)
        finally:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
        producer.close()

    assert returncode == 0, log.read_text()
    runs = marker.read_text().split()
    assert len(runs) == 1
    assert int(runs[0]) not in (os.getpid(), worker.pid)  # one of the worker's processes
    assert (await load(database, item.id)).attempts == 1
    assert "worker process started" in log.read_text()
