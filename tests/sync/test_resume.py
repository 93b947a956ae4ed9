"""A sync killed at any point goes on from its checkpoint and ends as an uninterrupted one."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import (
    Organization,
    PartnerCenterAccount,
    SyncRun,
    SyncRunStatus,
)
from tenantry.settings import Settings
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.sync.conftest import queue_run, reload, state, sync

REPO = Path(__file__).resolve().parents[2]
CUSTOMERS = 130  # more than a details batch (100): the kill falls between two
DEADLINE_SECONDS = 300


def worker(
    settings: Settings, sandbox: Sandbox, run: SyncRun, latency_ms: int
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sync.worker", settings.database_url,
         sandbox.settings.database_url, str(run.id), str(latency_ms)],
        cwd=REPO, env={**os.environ, "TENANTRY_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


async def wait_for(database: Database, run: SyncRun, phase: str, *, after: bool) -> None:
    """Until the run's checkpoint reached ``phase`` (with a batch done, when ``after``)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        checkpoint = (await reload(database, run.id)).checkpoint
        if checkpoint.get("phase") == phase and (checkpoint.get("after") or not after):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the run never reached {phase}: {checkpoint}")


async def test_a_killed_worker_s_run_resumes_and_ends_as_an_uninterrupted_one(
    app: FastAPI, settings: Settings, database: Database, network: World,
    sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    await sqlite_sandbox.control("POST", "/seed", json={"customers": CUSTOMERS, "resellers": 2})
    run = await queue_run(database, network.platform.id)
    process = worker(settings, sqlite_sandbox, run, latency_ms=15)
    try:
        await wait_for(database, run, "details", after=True)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)
    killed = await reload(database, run.id)
    assert killed.status is SyncRunStatus.RUNNING and killed.finished_at is None
    created_before_kill = killed.created

    resumed = worker(settings, sqlite_sandbox, run, latency_ms=0)
    _, stderr = resumed.communicate(timeout=DEADLINE_SECONDS)
    assert resumed.returncode == 0, stderr.decode()[-3000:]
    done = await reload(database, run.id)
    assert done.status is SyncRunStatus.SUCCEEDED, done.error
    assert 0 < created_before_kill < done.created

    async with database.transaction(write=False) as session:
        held = await session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(
                Organization.platform_id == network.platform.id,
                Organization.tenant_id.is_not(None),
            )
        )
        listed = await session.scalar(
            select(func.count())
            .select_from(PartnerCenterAccount)
            .where(PartnerCenterAccount.platform_id == network.platform.id)
        )
        unlinked = await session.scalar(
            select(func.count())
            .select_from(PartnerCenterAccount)
            .where(PartnerCenterAccount.organization_id.is_(None))
        )
    assert unlinked == 0
    # Each account counted once: created, or found (Alpha Reseller by its MPN ID).
    assert done.created + done.unchanged + done.updated + done.matched == listed
    assert held == listed
    after_resume = await state(database, network.platform.id)

    again = await sync(database, network.platform.id)
    assert again.created == again.updated == 0
    assert await state(database, network.platform.id) == after_resume
