"""`tenantry worker` processes on a shared PostgreSQL queue, as production runs them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import add_job, eventually, load
from tests.jobs.handlers import TICK_MARKER_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


@dataclass
class Worker:
    process: asyncio.subprocess.Process
    log: Path

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text()

    def events(self) -> list[dict[str, Any]]:
        """The worker's JSON log lines (every process of it writes to the same file)."""
        return [json.loads(line) for line in self.output().splitlines() if line.startswith("{")]


@contextlib.asynccontextmanager
async def tenantry_worker(
    database_url: str, directory: Path, *args: str, env: dict[str, str] | None = None
) -> AsyncIterator[Worker]:
    """`tenantry worker ARGS` on ``database_url`` (database and queue), stopped with SIGTERM."""
    log = directory / "worker.log"
    environment = os.environ | {
        "TENANTRY_ENVIRONMENT": "test",
        "TENANTRY_DATABASE_URL": database_url,
        "TENANTRY_QUEUE_URL": database_url,
        "TENANTRY_LOG_JSON": "true",
        "PYTHONPATH": str(REPO_ROOT),
    }
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", "from tenantry.cli import app; app()", "worker"),
            *("--import", "tests.jobs.handlers", *args),
            env=environment | (env or {}),
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=directory,
        )
    worker = Worker(process, log)
    try:
        yield worker
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


@pytest.fixture
def producer(settings: Settings, database_url: str, database: Database) -> JobQueue:
    queue = JobQueue(settings.model_copy(update={"queue_url": database_url}))
    queue.huey.flush()  # messages an interrupted earlier run may have left
    queue.bind(database)
    return queue


async def test_tenantry_worker_runs_a_job_from_postgresql_in_its_own_process(
    database_url: str, database: Database, producer: JobQueue, tmp_path: Path
) -> None:
    marker = tmp_path / "ran-in"
    async with tenantry_worker(
        database_url, tmp_path, "--processes", "2", "--threads", "1"
    ) as worker:
        item, _ = await add_job(database, "test.write_marker", path=str(marker))

        async def done() -> bool:
            worker.check_alive()
            return (await load(database, item.id)).status == OutboxStatus.DONE

        # Generous: starting Python with the app's imports is slow on a busy machine.
        await eventually(done, within=60)
    producer.close()

    assert worker.process.returncode == 0, worker.output()
    runs = marker.read_text().split()
    assert len(runs) == 1
    assert int(runs[0]) not in (os.getpid(), worker.process.pid)  # one of the worker's processes
    assert (await load(database, item.id)).attempts == 1
    assert "worker process started" in worker.output()


async def test_each_periodic_run_executes_once_whichever_worker_process_takes_it(
    database_url: str, producer: JobQueue, tmp_path: Path
) -> None:
    marker = tmp_path / "ticks"
    every_second = {TICK_MARKER_ENV: str(marker), "TENANTRY_PERIODIC_CHECK_SECONDS": "1"}
    async with tenantry_worker(
        database_url, tmp_path, "--processes", "2", "--threads", "1", env=every_second
    ) as worker:

        async def both_processes_ran_ticks() -> bool:
            worker.check_alive()
            pids = marker.read_text().split() if marker.exists() else []
            return len(pids) >= 6 and len(set(pids)) == 2

        await eventually(both_processes_ran_ticks, within=90)
    assert worker.process.returncode == 0, worker.output()

    events = worker.events()
    assert not [e for e in events if "not found in TaskRegistry" in json.dumps(e)]
    enqueued = [
        e["event"].rsplit(": ", 1)[1].rstrip(".")
        for e in events
        if e["event"].startswith("Enqueueing periodic task") and "marker_tick" in e["event"]
    ]
    ran = [
        e["run"]
        for e in events
        if e["event"] == "periodic job done" and e.get("job") == "test.marker_tick"
    ]
    assert ran and max(Counter(ran).values()) == 1  # no run twice
    assert set(ran) <= set(enqueued)
    # Every run the scheduler enqueued ran, but those still queued when the workers stopped.
    assert len(enqueued) - len(ran) <= producer.huey.pending_count()
    assert len(marker.read_text().split()) == len(ran)
    producer.close()
